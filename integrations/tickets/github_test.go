package tickets_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

func newGitHub(srv *ticketstest.Server, s *sleeps) *tickets.GitHub {
	return tickets.NewGitHub(tickets.GitHubConfig{APIURL: srv.URL, Token: githubToken, Repo: githubRepo}, fastClient(s))
}

func TestGitHubIssueSaysWhereTheBundleIs(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	gh := newGitHub(srv, nil)
	assert.False(t, tickets.TakesAttachments(gh))

	ref, err := gh.Create(ctxT(t), sampleTicket())
	require.NoError(t, err)
	assert.Equal(t, tickets.Ref{System: "github", ID: "1", URL: "https://github.example/acme/incidents/issues/1"}, ref)
	assert.Equal(t, "#1 (github)", ref.String())
	is := srv.Issues()[0]
	assert.Contains(t, is.Body, "## Verdict", "GitHub renders the markdown as is")
	assert.Contains(t, is.Body, "`caracal-bundle-req-1.zip` is attached in the chat thread")
	assert.Contains(t, is.Body, "spool directory")
	assert.Contains(t, is.Body, "takes no attachments")
	assert.Equal(t, []string{"caracal-bot", "sts policy", tickets.Marker(sampleTicket().Key)}, is.Labels)
	h := srv.Requests()[0].Header
	assert.Equal(t, "application/vnd.github+json", h.Get("Accept"))
	assert.Equal(t, "2022-11-28", h.Get("X-GitHub-Api-Version"))

	tk := sampleTicket()
	tk.BundleLink = "https://files.slack.example/T1/F1/caracal-bundle-req-1.zip"
	_, err = gh.Create(ctxT(t), tk)
	require.NoError(t, err)
	assert.Contains(t, srv.Issues()[1].Body, "is at [https:\\//files.slack.example/T1/F1/caracal-bundle-req-1.zip](https://files.slack.example/T1/F1/caracal-bundle-req-1.zip)")

	require.NoError(t, gh.Comment(ctxT(t), ref, tickets.Update{Body: note("changed")}))
	assert.Equal(t, []string{"changed"}, srv.Issues()[0].Comments)
	assert.Equal(t, "/repos/acme/incidents/issues/1/comments", srv.Requests()[2].Path)
}

func TestGitHubSecondaryRateLimit(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	// A secondary rate limit with Retry-After, then a primary one with the
	// reset time: both are waited out.
	srv.Inject(ticketstest.Fault{Status: 403, RetryAfter: "1", Body: `{"message":"You have exceeded a secondary rate limit"}`})
	reset := time.Now().Add(2 * time.Second).Unix()
	srv.Inject(ticketstest.Fault{Status: 403, Header: http.Header{
		"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(reset, 10)}}})
	s := &sleeps{}
	_, err := newGitHub(srv, s).Create(ctxT(t), sampleTicket())
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Attempts("/issues"))
	waits := s.all()
	require.Len(t, waits, 2)
	assert.Equal(t, time.Second, waits[0])
	assert.InDelta(t, 2*time.Second, waits[1], float64(1100*time.Millisecond))
	assert.Len(t, srv.Issues(), 1)
}

func TestGitHubPlainForbiddenIsNotRetried(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	srv.Inject(ticketstest.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	_, err := newGitHub(srv, nil).Create(ctxT(t), sampleTicket())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github: create issue: HTTP 403: {\"message\":\"Resource not accessible by integration\"}")
	assert.Equal(t, 1, srv.Attempts(""))
}
