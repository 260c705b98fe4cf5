package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// DefaultGitHubAPIURL is GitHub's REST API.
const DefaultGitHubAPIURL = "https://api.github.com"

// githubMaxBody is GitHub's limit on an issue or comment body.
const githubMaxBody = 65536

// GitHubConfig configures the GitHub Issues Ticketer.
type GitHubConfig struct {
	// APIURL is the REST base (GITHUB_API_URL; GitHub Enterprise:
	// https://HOST/api/v3). Default DefaultGitHubAPIURL.
	APIURL string
	// Token is a token allowed to create issues (GITHUB_TOKEN).
	Token string
	// Repo is owner/name (GITHUB_REPO).
	Repo string
}

// GitHub files GitHub issues. Issues take no attachments, so the body says
// where the bundle is.
type GitHub struct {
	cfg GitHubConfig
	c   *caller
}

// NewGitHub returns a GitHub Issues Ticketer.
func NewGitHub(cfg GitHubConfig, o ClientOptions) *GitHub {
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultGitHubAPIURL
	}
	return &GitHub{cfg: cfg, c: newCaller(SystemGitHub, o, cfg.Token)}
}

// Name implements Ticketer.
func (g *GitHub) Name() string { return SystemGitHub }

// TakesAttachments reports that GitHub issues cannot hold the bundle.
func (g *GitHub) TakesAttachments() bool { return false }

// Create opens the issue; its body ends with where the bundle is.
func (g *GitHub) Create(ctx context.Context, t Ticket) (Ref, error) {
	body := t.Markdown + "\n\n---\n" + BundleNote(t)
	labels := []string{}
	for _, l := range t.Labels {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, clipRunes(l, 50))
		}
	}
	payload, err := json.Marshal(map[string]any{
		"title": clipRunes(oneLine(t.Title), 256), "body": clipBody(body), "labels": labels,
	})
	if err != nil {
		return Ref{}, err
	}
	resp, err := g.c.do(ctx, "create issue", func(ctx context.Context) (*http.Request, error) {
		return g.request(ctx, "/repos/"+g.repoPath()+"/issues", payload)
	})
	if err != nil {
		return Ref{}, err
	}
	var issue struct {
		Number  int    `json:"number"`
		HTMLURL string `json:"html_url"`
	}
	if err := json.Unmarshal(resp.body, &issue); err != nil || issue.Number == 0 {
		return Ref{}, &Error{System: SystemGitHub, Op: "create issue", Status: resp.status, Message: "the answer holds no issue number"}
	}
	return Ref{System: SystemGitHub, ID: strconv.Itoa(issue.Number), URL: issue.HTMLURL}, nil
}

// Comment adds a comment to the issue.
func (g *GitHub) Comment(ctx context.Context, ref Ref, markdown string) error {
	payload, err := json.Marshal(map[string]string{"body": clipBody(markdown)})
	if err != nil {
		return err
	}
	_, err = g.c.do(ctx, "comment", func(ctx context.Context) (*http.Request, error) {
		return g.request(ctx, "/repos/"+g.repoPath()+"/issues/"+url.PathEscape(ref.ID)+"/comments", payload)
	})
	return err
}

// BundleNote says where a ticket's bundle is for systems without
// attachments: the chat file's link when known, else the chat thread and
// the bot's spool directory.
func BundleNote(t Ticket) string {
	name := "the diagnostic bundle"
	if t.Attachment != nil {
		name = "the diagnostic bundle `" + safeFileName(t.Attachment.Name) + "`"
	}
	if t.BundleLink != "" {
		return "**Diagnostic bundle:** " + name + " is at " + t.BundleLink +
			" (this ticket system takes no attachments)."
	}
	return "**Diagnostic bundle:** " + name + " is attached in the chat thread where this ticket was requested, " +
		"and caracal-bot keeps a copy in its spool directory (this ticket system takes no attachments)."
}

func (g *GitHub) repoPath() string {
	owner, name, _ := strings.Cut(g.cfg.Repo, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

func (g *GitHub) request(ctx context.Context, path string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.APIURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+g.cfg.Token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// clipBody keeps a body within GitHub's limit.
func clipBody(s string) string { return clipRunes(s, githubMaxBody) }
