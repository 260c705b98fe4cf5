package tickets_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

func loadConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Load("", func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	require.NoError(t, err)
	return cfg
}

func TestFromConfig(t *testing.T) {
	t.Chdir(t.TempDir()) // no caracal-bot.yaml around
	jira := ticketstest.StartJira(t, jiraEmail, jiraToken)
	hook := ticketstest.StartWebhook(t, hookSecret)
	state := t.TempDir()
	cfg := loadConfig(t, map[string]string{
		"JIRA_URL": jira.URL, "JIRA_EMAIL": jiraEmail, "JIRA_API_TOKEN": jiraToken, "JIRA_PROJECT": "OPS",
		"TICKET_WEBHOOK_URL": hook.URL, "TICKET_WEBHOOK_SECRET": hookSecret, "TICKET_SYSTEM": "webhook", "BOT_STATE_DIR": state,
	})
	svc, err := tickets.FromConfig(cfg, fastClient(nil), tickets.Options{Labels: []string{"extra"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"jira", "webhook"}, svc.Systems())
	assert.Equal(t, "webhook", svc.Default())
	assert.Equal(t, filepath.Join(state, config.TicketSpoolSubdir), svc.Spool().Dir())

	o, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.Equal(t, "webhook", o.Ref.System)
	req := click("h")
	req.System = "jira"
	req.RequestID = "req-2"
	o, err = svc.Submit(ctxT(t), req)
	require.NoError(t, err)
	assert.Equal(t, "jira", o.Ref.System)
	assert.Equal(t, "Bug", jira.Issues()[0].Extra["issuetype"], "the default issue type")
	assert.Equal(t, []string{"extra", "caracal-bot", "sts-policy", tickets.Marker(o.Key)}, jira.Issues()[0].Labels)
}

func TestFromConfigNotConfigured(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := tickets.FromConfig(loadConfig(t, map[string]string{"GITHUB_TOKEN": "from-a-shell"}), tickets.ClientOptions{}, tickets.Options{})
	assert.True(t, errors.Is(err, tickets.ErrNotConfigured))
	assert.Contains(t, err.Error(), "JIRA_URL")
}
