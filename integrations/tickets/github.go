package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

// DefaultGitHubAPIURL is GitHub's REST API.
const DefaultGitHubAPIURL = "https://api.github.com"

// GitHub limits (in characters) and the page size of a lookup's reads.
const (
	githubMaxTitle = 256
	githubMaxBody  = 65536 // an issue's or a comment's body
	githubMaxLabel = 50
	githubPage     = 10
)

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

// GitHub files GitHub issues, labelled with the key's Marker, and finds
// them again by that label. Issues take no attachments, so the body says
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

// Create opens the issue, labelled with the key's Marker. Its body is the
// markdown cut to GitHub's limit (with a note that the rest is in the
// bundle), then where the bundle is and a hidden diagnosis marker.
func (g *GitHub) Create(ctx context.Context, t Ticket) (Ref, error) {
	body := fitText(runes, githubMaxBody, Markdown, t.Body, restNote("the diagnostic bundle", bundleName(t), "; see below for where it is"),
		Markdown(bundleNote(t)), githubDiagnosis.line(t.DiagnosisHash))
	labels := []string{}
	for _, l := range markerLabels(t) {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, runes.clip(l, githubMaxLabel))
		}
	}
	title := breakReferences(chat.NeutralizeMentions(oneLine(t.Title)))
	payload, err := json.Marshal(map[string]any{"title": runes.clip(title, githubMaxTitle), "body": body, "labels": labels})
	if err != nil {
		return Ref{}, err
	}
	resp, err := g.c.do(ctx, "create issue", func(ctx context.Context) (*http.Request, error) {
		return g.request(ctx, http.MethodPost, "/repos/"+g.repoPath()+"/issues", payload)
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

// Find lists the repository's issues labelled with the key's Marker, open
// or closed, oldest first (the list holds pull requests too: they are
// skipped), and reads the diagnosis the first one last reported from the
// newest comment with a diagnosis marker, else from its body.
func (g *GitHub) Find(ctx context.Context, key string) (Record, bool, error) {
	q := url.Values{"labels": {Marker(key)}, "state": {"all"}, "sort": {"created"}, "direction": {"asc"},
		"per_page": {strconv.Itoa(githubPage)}}
	resp, err := g.get(ctx, "look up ticket", "/repos/"+g.repoPath()+"/issues?"+q.Encode())
	if err != nil {
		return Record{}, false, err
	}
	var items []struct {
		Number      int             `json:"number"`
		HTMLURL     string          `json:"html_url"`
		Body        string          `json:"body"`
		Comments    int             `json:"comments"`
		PullRequest json.RawMessage `json:"pull_request"`
	}
	if err := json.Unmarshal(resp.body, &items); err != nil {
		return Record{}, false, &Error{System: SystemGitHub, Op: "look up ticket", Status: resp.status, Message: "the answer is not a list of issues"}
	}
	for _, it := range items {
		if it.Number <= 0 || (len(it.PullRequest) > 0 && string(it.PullRequest) != "null") {
			continue
		}
		hash, _ := githubDiagnosis.find(it.Body)
		if h, ok, err := g.lastCommentHash(ctx, it.Number, it.Comments); err != nil {
			return Record{}, false, err
		} else if ok {
			hash = h
		}
		return Record{Ref: Ref{System: SystemGitHub, ID: strconv.Itoa(it.Number), URL: it.HTMLURL}, DiagnosisHash: hash}, true, nil
	}
	return Record{}, false, nil
}

// lastCommentHash reads the diagnosis marker of the newest comment that
// has one among the issue's last one or two pages of comments (GitHub lists
// them oldest first; count is the issue's number of comments).
func (g *GitHub) lastCommentHash(ctx context.Context, number, count int) (string, bool, error) {
	last := (count + githubPage - 1) / githubPage
	for page := last; page >= 1 && page >= last-1; page-- {
		q := url.Values{"per_page": {strconv.Itoa(githubPage)}, "page": {strconv.Itoa(page)}}
		resp, err := g.get(ctx, "read comments", "/repos/"+g.repoPath()+"/issues/"+strconv.Itoa(number)+"/comments?"+q.Encode())
		if err != nil {
			return "", false, err
		}
		var comments []struct {
			Body string `json:"body"`
		}
		if err := json.Unmarshal(resp.body, &comments); err != nil {
			return "", false, &Error{System: SystemGitHub, Op: "read comments", Status: resp.status, Message: "the answer is not a list of comments"}
		}
		for _, c := range slices.Backward(comments) {
			if h, ok := githubDiagnosis.find(c.Body); ok {
				return h, true, nil
			}
		}
	}
	return "", false, nil
}

// Comment adds a comment to the issue, cut to GitHub's limit, ending with
// the hidden diagnosis marker.
func (g *GitHub) Comment(ctx context.Context, ref Ref, u Update) error {
	body := fitText(runes, githubMaxBody, Markdown, u.Body, restNote("the new bundle", u.BundleName, " posted in the chat thread"),
		githubDiagnosis.line(u.DiagnosisHash))
	payload, err := json.Marshal(map[string]string{"body": body})
	if err != nil {
		return err
	}
	_, err = g.c.do(ctx, "comment", func(ctx context.Context) (*http.Request, error) {
		return g.request(ctx, http.MethodPost, "/repos/"+g.repoPath()+"/issues/"+url.PathEscape(ref.ID)+"/comments", payload)
	})
	return err
}

// bundleNote says, below a rule, where the bundle of a ticket is in a
// system that takes no attachments: the chat file's link when known, else
// the chat thread and the bot's spool directory.
func bundleNote(t Ticket) Doc {
	spans := []Span{Strong("Diagnostic bundle:"), Text(" the diagnostic bundle")}
	if name := bundleName(t); name != "" {
		spans = append(spans, Text(" "), Code(name))
	}
	if t.BundleLink != "" {
		spans = append(spans, Text(" is at "), Link(t.BundleLink, t.BundleLink), Text(" (this ticket system takes no attachments)."))
	} else {
		spans = append(spans, Text(" is attached in the chat thread where this ticket was requested, "+
			"and caracal-bot keeps a copy in its spool directory (this ticket system takes no attachments)."))
	}
	var d Doc
	d.Rule()
	d.Paragraph(spans...)
	return d
}

func (g *GitHub) repoPath() string {
	owner, name, _ := strings.Cut(g.cfg.Repo, "/")
	return url.PathEscape(owner) + "/" + url.PathEscape(name)
}

// get sends a GET for a path with its query.
func (g *GitHub) get(ctx context.Context, op, pathQuery string) (*response, error) {
	return g.c.do(ctx, op, func(ctx context.Context) (*http.Request, error) {
		return g.request(ctx, http.MethodGet, pathQuery, nil)
	})
}

func (g *GitHub) request(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, g.cfg.APIURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+g.cfg.Token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}
