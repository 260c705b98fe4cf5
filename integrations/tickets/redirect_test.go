package tickets_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// TestCredentialsNeverFollowARedirect: a Jira, GitHub or webhook URL that
// answers 302 or 307 to another port makes the ticket fail with an error
// naming the target; the target never sees the Basic or bearer credential
// (nor, for the webhook, a signed body).
func TestCredentialsNeverFollowARedirect(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(target.Close)
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		from := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", target.URL+r.URL.Path)
			w.WriteHeader(status)
		}))
		t.Cleanup(from.Close)
		for name, sys := range map[string]tickets.Ticketer{
			"jira": tickets.NewJira(tickets.JiraConfig{BaseURL: from.URL, Email: jiraEmail, APIToken: jiraToken,
				Project: "OPS", IssueType: "Task"}, fastClient(nil)),
			"github":  tickets.NewGitHub(tickets.GitHubConfig{APIURL: from.URL, Token: githubToken, Repo: githubRepo}, fastClient(nil)),
			"webhook": tickets.NewWebhook(tickets.WebhookConfig{URL: from.URL + "/hooks/tickets", Secret: hookSecret}, fastClient(nil)),
		} {
			t.Run(http.StatusText(status)+"/"+name, func(t *testing.T) {
				_, err := sys.Create(ctxT(t), sampleTicket())
				require.Error(t, err)
				_, ok := egress.AsRedirect(err)
				assert.True(t, ok, "a refused redirect: %v", err)
				assert.Contains(t, err.Error(), target.URL, "the error names the target")
				for _, secret := range []string{jiraToken, githubToken, hookSecret} {
					assert.NotContains(t, err.Error(), secret)
				}
			})
		}
	}
	assert.Empty(t, seen, "the redirect target never gets a request")
}
