package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/redact"
)

// slackHTTP is a configuration that enables Slack on fake over the HTTP
// endpoints (no Socket Mode).
func slackHTTP(fake *slackfake.Server) *config.Config {
	cfg := config.Default()
	cfg.Slack = config.Slack{BotToken: posterToken, SigningSecret: testSecret, APIURL: fake.URL()}
	return cfg
}

func TestPlatformPostsARootAndItsThreadToAChannel(t *testing.T) {
	fake := slackfake.Start(t, slackfake.WithToken(posterToken))
	p, err := New(slackHTTP(fake), platform.Deps{Scrubber: redact.New()})
	require.NoError(t, err)
	reply := chat.Reply{Summary: "Caracal is ready again", Severity: chat.SeverityOK,
		Sections: []chat.Section{{Title: "Services", Text: "All five answer /ready."}}}
	require.NoError(t, p.Post(context.Background(), "C0WATCH", reply))

	roots := fake.Roots("C0WATCH")
	require.Len(t, roots, 1)
	assert.Contains(t, roots[0].Text, "Caracal is ready again")
	thread := fake.Thread("C0WATCH", roots[0].TS)
	require.NotEmpty(t, thread)
	assert.Contains(t, thread[0].BlocksJSON, "All five answer /ready.")
}

func TestPlatformStartMountsTheHTTPEndpoints(t *testing.T) {
	fake := slackfake.Start(t, slackfake.WithToken(posterToken))
	p, err := New(slackHTTP(fake), platform.Deps{Scrubber: redact.New()})
	require.NoError(t, err)
	mux := http.NewServeMux()
	checks, err := p.Start(context.Background(), platform.Host{Mux: mux, Inbound: platform.Inbound{Dispatcher: bottest.NewSubmitter()},
		Go: func(func() error) { t.Error("no connection to run without an app token") }})
	require.NoError(t, err)
	assert.Empty(t, checks, "no Socket Mode, nothing to be connected")
	for _, path := range []string{PathCommands, PathInteractions, PathEvents} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, nil))
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s is mounted, and verifies", path)
	}
}

func TestRuleGroupsListsEachGroupOnce(t *testing.T) {
	p := config.Permissions{Commands: map[string]config.CommandRule{"bundle": {Groups: []string{"S1", "S2"}}, "ticket": {Groups: []string{"S1"}}}}
	assert.ElementsMatch(t, []string{"S1", "S2"}, ruleGroups(p))
}
