package tickets_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

func TestRetryAfterIsHonoured(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	srv.Inject(ticketstest.Fault{Status: 429, RetryAfter: "1", Times: 2})
	s := &sleeps{}
	j := tickets.NewJira(tickets.JiraConfig{BaseURL: srv.URL, Email: jiraEmail, APIToken: jiraToken, Project: "OPS"}, fastClient(s))
	ref, err := j.Create(ctxT(t), sampleTicket())
	require.NoError(t, err)
	assert.Equal(t, "OPS-1", ref.ID)
	assert.Equal(t, 3, srv.Attempts("/rest/api/2/issue"), "two 429s, then the create")
	assert.Equal(t, []time.Duration{time.Second, time.Second}, s.all(), "waits are Retry-After's, not backoff")
}

func TestRetryAfterRealWaitZeroSeconds(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	srv.Inject(ticketstest.Fault{Status: 429, RetryAfter: "0"})
	j := tickets.NewJira(tickets.JiraConfig{BaseURL: srv.URL, Email: jiraEmail, APIToken: jiraToken, Project: "OPS"}, tickets.ClientOptions{})
	start := time.Now()
	_, err := j.Create(ctxT(t), sampleTicket())
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, 2, srv.Attempts("/rest/api/2/issue"))
}

func TestRetryAfterHTTPDateAndTooLong(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	srv.Inject(ticketstest.Fault{Status: 429, RetryAfter: now.Add(3 * time.Second).Format(http.TimeFormat)})
	srv.Inject(ticketstest.Fault{Status: 429, RetryAfter: "3600"})
	s := &sleeps{}
	o := fastClient(s)
	o.Retry.Now = func() time.Time { return now }
	_, err := tickets.NewGitHub(tickets.GitHubConfig{APIURL: srv.URL, Token: githubToken, Repo: githubRepo}, o).Create(ctxT(t), sampleTicket())
	var te *tickets.Error
	require.True(t, errors.As(err, &te), "%v", err)
	assert.Equal(t, []time.Duration{3 * time.Second}, s.all(), "an HTTP date is waited out; an hour is beyond MaxWait")
	assert.Equal(t, 429, te.Status)
	assert.Equal(t, time.Hour, te.RetryAfter)
	assert.True(t, te.Temporary())
	assert.Contains(t, err.Error(), "rate limited; retry after 1h0m0s")
}

func TestServerErrorsAreRetriedWithBackoffThenGiveUp(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	srv.SetDown(true)
	s := &sleeps{}
	o := fastClient(s)
	o.Retry.BaseWait = 100 * time.Millisecond
	_, err := tickets.NewGitHub(tickets.GitHubConfig{APIURL: srv.URL, Token: githubToken, Repo: githubRepo}, o).Create(ctxT(t), sampleTicket())
	var te *tickets.Error
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 503, te.Status)
	assert.Equal(t, tickets.DefaultMaxAttempts, te.Attempts)
	assert.Equal(t, tickets.DefaultMaxAttempts, srv.Attempts(""))
	waits := s.all()
	require.Len(t, waits, tickets.DefaultMaxAttempts-1)
	for i, w := range waits {
		step := 100 * time.Millisecond << i
		assert.True(t, w >= step/2 && w <= step, "wait %d = %s, want within [%s, %s]", i, w, step/2, step)
	}
}

func TestRetriesStopAtTheContextDeadline(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	srv.Inject(ticketstest.Fault{Status: 429, RetryAfter: "5"})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := tickets.NewGitHub(tickets.GitHubConfig{APIURL: srv.URL, Token: githubToken, Repo: githubRepo}, tickets.ClientOptions{}).Create(ctx, sampleTicket())
	require.Error(t, err)
	assert.Less(t, time.Since(start), 400*time.Millisecond, "a wait past the deadline is not started")
	assert.Equal(t, 1, srv.Attempts(""))
}

// A server that echoes the request's headers in its error must not get the
// token into the error text.
func TestErrorsNeverCarryCredentials(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("bad request; you sent Authorization: " + r.Header.Get("Authorization")))
	}))
	defer echo.Close()
	for _, tk := range []tickets.Ticketer{
		tickets.NewJira(tickets.JiraConfig{BaseURL: echo.URL, Email: jiraEmail, APIToken: jiraToken, Project: "OPS"}, fastClient(nil)),
		tickets.NewGitHub(tickets.GitHubConfig{APIURL: echo.URL, Token: githubToken, Repo: githubRepo}, fastClient(nil)),
	} {
		_, err := tk.Create(ctxT(t), sampleTicket())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "HTTP 400")
		assert.Contains(t, err.Error(), "[redacted]")
		assert.NotContains(t, err.Error(), jiraToken)
		assert.NotContains(t, err.Error(), githubToken)
		assert.NotRegexp(t, `Basic [A-Za-z0-9+/=]{8,}`, err.Error())
	}
}

func TestTransportErrors(t *testing.T) {
	s := &sleeps{}
	refused := tickets.NewGitHub(tickets.GitHubConfig{APIURL: "http://127.0.0.1:1", Token: githubToken, Repo: githubRepo}, fastClient(s))
	_, err := refused.Create(ctxT(t), sampleTicket())
	var te *tickets.Error
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 0, te.Status)
	assert.Equal(t, tickets.DefaultMaxAttempts, te.Attempts, "nothing was sent: retried")
	assert.True(t, te.Temporary())

	var attempts atomic.Int32
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close() // the request arrived; the answer is lost
		}
	}))
	defer hangup.Close()
	_, err = tickets.NewGitHub(tickets.GitHubConfig{APIURL: hangup.URL, Token: githubToken, Repo: githubRepo}, fastClient(nil)).Create(ctxT(t), sampleTicket())
	require.True(t, errors.As(err, &te))
	assert.Equal(t, int32(1), attempts.Load(), "the ticket may exist: not sent twice")
	assert.True(t, te.Temporary(), "but spooled for a later retry")
}
