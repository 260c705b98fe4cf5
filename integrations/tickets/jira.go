package tickets

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
)

// Jira limits (counted as Java does, in UTF-16 code units) and endpoints.
const (
	jiraMaxSummary = 255
	jiraMaxText    = 32767 // a description or a comment
	// jiraSearchCloud is Jira Cloud's JQL search; Server and Data Center
	// answer 404 there and search at jiraSearchServer.
	jiraSearchCloud  = "/rest/api/2/search/jql"
	jiraSearchServer = "/rest/api/2/search"
	// jiraComments is how many of an issue's newest comments a lookup reads
	// for the bot's last diagnosis marker.
	jiraComments = 20
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

// Jira files issues in Jira with the bundle as an attachment, labelled with
// the key's Marker, and finds them again by that label.
type Jira struct {
	cfg  JiraConfig
	auth string
	c    *caller
	// searchPath is the search endpoint that answered, once one has.
	searchPath atomic.Pointer[string]
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

// Create files the issue, then attaches the bundle. The description is the
// body in wiki markup, cut to Jira's limit with a note that the rest is in
// the bundle, and ends with the diagnosis marker.
func (j *Jira) Create(ctx context.Context, t Ticket) (Ref, error) {
	var link Doc
	if t.Attachment == nil && t.BundleLink != "" {
		link.Paragraph(Strong("Diagnostic bundle:"), Text(" "), Link(t.BundleLink, t.BundleLink))
	}
	what := "the diagnostic bundle"
	if t.Attachment != nil {
		what = "the attached bundle"
	}
	desc := fitText(utf16Units, jiraMaxText, JiraWiki, t.Body, restNote(what, bundleName(t), ""),
		JiraWiki(link), jiraDiagnosis.line(t.DiagnosisHash))
	payload := map[string]any{"fields": map[string]any{
		"project":     map[string]string{"key": j.cfg.Project},
		"summary":     utf16Units.clip(oneLine(t.Title), jiraMaxSummary),
		"description": desc,
		"issuetype":   map[string]string{"name": j.cfg.IssueType},
		"labels":      jiraLabels(markerLabels(t)),
	}}
	body, err := json.Marshal(payload)
	if err != nil {
		return Ref{}, err
	}
	resp, err := j.c.do(ctx, "create issue", func(ctx context.Context) (*http.Request, error) {
		return j.request(ctx, http.MethodPost, "/rest/api/2/issue", "application/json", body)
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
	ref := j.ref(created.Key)
	if t.Attachment != nil {
		if err := j.attach(ctx, created.Key, t.Attachment); err != nil {
			return ref, &AttachError{Ref: ref, Err: err}
		}
	}
	return ref, nil
}

// Find looks the issue of key up by its Marker label in the project (the
// oldest one, should there be several), and reads the diagnosis it last
// reported from the newest comment with a diagnosis marker, else from its
// description.
func (j *Jira) Find(ctx context.Context, key string) (Record, bool, error) {
	q := url.Values{
		"jql":        {"project = " + jqlQuote(j.cfg.Project) + " AND labels = " + jqlQuote(Marker(key)) + " ORDER BY created ASC"},
		"fields":     {"description"},
		"maxResults": {"1"},
	}
	resp, err := j.search(ctx, q.Encode())
	if err != nil {
		return Record{}, false, err
	}
	var res struct {
		Issues []struct {
			Key    string `json:"key"`
			Fields struct {
				Description string `json:"description"`
			} `json:"fields"`
		} `json:"issues"`
	}
	if err := json.Unmarshal(resp.body, &res); err != nil {
		return Record{}, false, &Error{System: SystemJira, Op: "look up ticket", Status: resp.status, Message: "the answer is not a search result"}
	}
	if len(res.Issues) == 0 || res.Issues[0].Key == "" {
		return Record{}, false, nil
	}
	is := res.Issues[0]
	hash, _ := jiraDiagnosis.find(is.Fields.Description)
	if h, ok, err := j.lastCommentHash(ctx, is.Key); err != nil {
		return Record{}, false, err
	} else if ok {
		hash = h
	}
	return Record{Ref: j.ref(is.Key), DiagnosisHash: hash}, true, nil
}

// search runs a JQL search on jiraSearchCloud or, when that answers 404
// (Jira Server and Data Center), on jiraSearchServer; the endpoint that
// answered is used from then on.
func (j *Jira) search(ctx context.Context, query string) (*response, error) {
	path, known := jiraSearchCloud, j.searchPath.Load()
	if known != nil {
		path = *known
	}
	resp, err := j.get(ctx, "look up ticket", path+"?"+query)
	var e *Error
	if known == nil && errors.As(err, &e) && e.Status == http.StatusNotFound {
		path = jiraSearchServer
		resp, err = j.get(ctx, "look up ticket", path+"?"+query)
	}
	if err == nil {
		j.searchPath.Store(&path)
	}
	return resp, err
}

// lastCommentHash reads the diagnosis marker of the newest of the issue's
// last jiraComments comments that has one.
func (j *Jira) lastCommentHash(ctx context.Context, key string) (string, bool, error) {
	q := url.Values{"orderBy": {"-created"}, "maxResults": {strconv.Itoa(jiraComments)}}
	resp, err := j.get(ctx, "read comments", "/rest/api/2/issue/"+url.PathEscape(key)+"/comment?"+q.Encode())
	if err != nil {
		return "", false, err
	}
	var res struct {
		Comments []struct {
			Body string `json:"body"`
		} `json:"comments"`
	}
	if err := json.Unmarshal(resp.body, &res); err != nil {
		return "", false, &Error{System: SystemJira, Op: "read comments", Status: resp.status, Message: "the answer is not a list of comments"}
	}
	for _, c := range res.Comments {
		if h, ok := jiraDiagnosis.find(c.Body); ok {
			return h, true, nil
		}
	}
	return "", false, nil
}

func (j *Jira) ref(key string) Ref {
	return Ref{System: SystemJira, ID: key, URL: j.cfg.BaseURL + "/browse/" + url.PathEscape(key)}
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
		req, err := j.request(ctx, http.MethodPost, "/rest/api/2/issue/"+url.PathEscape(key)+"/attachments", ctype, body)
		if err == nil {
			req.Header.Set("X-Atlassian-Token", "no-check")
		}
		return req, err
	})
	return err
}

// Comment adds a comment to the issue, cut to Jira's limit, ending with
// the diagnosis marker.
func (j *Jira) Comment(ctx context.Context, ref Ref, u Update) error {
	text := fitText(utf16Units, jiraMaxText, JiraWiki, u.Body, restNote("the new bundle", u.BundleName, " posted in the chat thread"),
		jiraDiagnosis.line(u.DiagnosisHash))
	body, err := json.Marshal(map[string]string{"body": text})
	if err != nil {
		return err
	}
	_, err = j.c.do(ctx, "comment", func(ctx context.Context) (*http.Request, error) {
		return j.request(ctx, http.MethodPost, "/rest/api/2/issue/"+url.PathEscape(ref.ID)+"/comment", "application/json", body)
	})
	return err
}

// get sends a GET for a path with its query.
func (j *Jira) get(ctx context.Context, op, pathQuery string) (*response, error) {
	return j.c.do(ctx, op, func(ctx context.Context) (*http.Request, error) {
		return j.request(ctx, http.MethodGet, pathQuery, "", nil)
	})
}

func (j *Jira) request(ctx context.Context, method, path, ctype string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, j.cfg.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", j.auth)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// jqlQuote quotes a JQL string value.
func jqlQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// jiraLabels makes labels Jira accepts: no spaces, at most 255 characters.
func jiraLabels(labels []string) []string {
	out := []string{}
	for _, l := range labels {
		l = strings.Join(strings.Fields(l), "-")
		if l != "" {
			out = append(out, runes.clip(l, 255))
		}
	}
	return out
}
