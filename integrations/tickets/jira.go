package tickets

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// Jira limits.
const (
	jiraMaxSummary     = 255
	jiraMaxDescription = 32000
)

// JiraConfig configures the Jira Ticketer (REST API v2).
type JiraConfig struct {
	// BaseURL is the site, e.g. https://example.atlassian.net (JIRA_URL).
	BaseURL string
	// Email and APIToken authenticate with basic auth (JIRA_EMAIL, JIRA_API_TOKEN).
	Email    string
	APIToken string
	// Project is the project key issues are created in (JIRA_PROJECT).
	Project string
	// IssueType is the issue type's name, e.g. Bug or Task (default Bug).
	IssueType string
}

// Jira files issues in Jira with the bundle as an attachment.
type Jira struct {
	cfg  JiraConfig
	auth string
	c    *caller
}

// NewJira returns a Jira Ticketer.
func NewJira(cfg JiraConfig, o ClientOptions) *Jira {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.IssueType == "" {
		cfg.IssueType = "Bug"
	}
	basic := base64.StdEncoding.EncodeToString([]byte(cfg.Email + ":" + cfg.APIToken))
	return &Jira{cfg: cfg, auth: "Basic " + basic, c: newCaller(SystemJira, o, cfg.APIToken, basic)}
}

// Name implements Ticketer.
func (j *Jira) Name() string { return SystemJira }

// TakesAttachments reports that Jira stores the bundle.
func (j *Jira) TakesAttachments() bool { return true }

// Create files the issue, then attaches the bundle.
func (j *Jira) Create(ctx context.Context, t Ticket) (Ref, error) {
	desc := JiraMarkup(t.Markdown)
	if t.Attachment == nil && t.BundleLink != "" {
		desc += "\n\nDiagnostic bundle: " + t.BundleLink
	}
	payload := map[string]any{"fields": map[string]any{
		"project":     map[string]string{"key": j.cfg.Project},
		"summary":     clipRunes(oneLine(t.Title), jiraMaxSummary),
		"description": clipRunes(desc, jiraMaxDescription),
		"issuetype":   map[string]string{"name": j.cfg.IssueType},
		"labels":      jiraLabels(t.Labels),
	}}
	body, err := json.Marshal(payload)
	if err != nil {
		return Ref{}, err
	}
	resp, err := j.c.do(ctx, "create issue", func(ctx context.Context) (*http.Request, error) {
		return j.request(ctx, "/rest/api/2/issue", "application/json", body)
	})
	if err != nil {
		return Ref{}, err
	}
	var created struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(resp.body, &created); err != nil || created.Key == "" {
		return Ref{}, &Error{System: SystemJira, Op: "create issue", Status: resp.status, Message: "the answer holds no issue key"}
	}
	ref := Ref{System: SystemJira, ID: created.Key, URL: j.cfg.BaseURL + "/browse/" + url.PathEscape(created.Key)}
	if t.Attachment != nil {
		if err := j.attach(ctx, created.Key, t.Attachment); err != nil {
			return ref, &AttachError{Ref: ref, Err: err}
		}
	}
	return ref, nil
}

// attach uploads a file to the issue (multipart field "file").
func (j *Jira) attach(ctx context.Context, key string, a *Attachment) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, safeFileName(a.Name)))
	h.Set("Content-Type", contentType(a))
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := part.Write(a.Data); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	body, ctype := buf.Bytes(), mw.FormDataContentType()
	_, err = j.c.do(ctx, "attach bundle", func(ctx context.Context) (*http.Request, error) {
		req, err := j.request(ctx, "/rest/api/2/issue/"+url.PathEscape(key)+"/attachments", ctype, body)
		if err == nil {
			req.Header.Set("X-Atlassian-Token", "no-check")
		}
		return req, err
	})
	return err
}

// Comment adds a comment to the issue.
func (j *Jira) Comment(ctx context.Context, ref Ref, markdown string) error {
	body, err := json.Marshal(map[string]string{"body": clipRunes(JiraMarkup(markdown), jiraMaxDescription)})
	if err != nil {
		return err
	}
	_, err = j.c.do(ctx, "comment", func(ctx context.Context) (*http.Request, error) {
		return j.request(ctx, "/rest/api/2/issue/"+url.PathEscape(ref.ID)+"/comment", "application/json", body)
	})
	return err
}

func (j *Jira) request(ctx context.Context, path, ctype string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.cfg.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", j.auth)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// jiraLabels makes labels Jira accepts: no spaces, at most 255 characters.
func jiraLabels(labels []string) []string {
	out := []string{}
	for _, l := range labels {
		l = strings.Join(strings.Fields(l), "-")
		if l != "" {
			out = append(out, clipRunes(l, 255))
		}
	}
	return out
}
