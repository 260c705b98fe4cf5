package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

func TestSecretsListsEveryConfiguredSecret(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "coordinator-token", "file-coordinator-token-1\n")
	cfg, err := config.Load("", envOf(map[string]string{
		"CARACAL_ADMIN_TOKEN": "cat_admin-token-1", "CARACAL_METRICS_BEARER": "metrics-bearer-1",
		"CARACAL_COORDINATOR_TOKEN_FILE": file,
		"SLACK_BOT_TOKEN":                "xoxb-bot-token-1", "SLACK_SIGNING_SECRET": "signing-secret-1",
		"DISCORD_BOT_TOKEN": "discord-token-1", "DISCORD_APP_ID": "123456789012345678",
		"JIRA_URL": "https://acme.atlassian.net", "JIRA_EMAIL": "ops@example.com", "JIRA_API_TOKEN": "jira-token-1", "JIRA_PROJECT": "OPS",
		"GITHUB_REPO": "acme/ops", "GITHUB_TOKEN": "ghp_github-token-1",
		"TICKET_WEBHOOK_URL": "https://hooks.example.com/T0/B0/capability-1", "TICKET_WEBHOOK_SECRET": "webhook-secret-1",
		"REDIS_URL": "redis://:redis-password-1@redis.internal:6379/0", "TICKET_SYSTEM": "jira",
	}))
	require.NoError(t, err)
	got := cfg.Secrets()
	for _, want := range []string{
		"cat_admin-token-1", "metrics-bearer-1", "file-coordinator-token-1", "xoxb-bot-token-1", "signing-secret-1",
		"discord-token-1", "jira-token-1", "ghp_github-token-1", "webhook-secret-1",
		"redis://:redis-password-1@redis.internal:6379/0", "redis-password-1",
		"https://hooks.example.com/T0/B0/capability-1",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "ops@example.com", "an e-mail address is not a secret")

	plain, err := config.Load("", envOf(map[string]string{"TICKET_WEBHOOK_URL": "https://hooks.example.com"}))
	require.NoError(t, err)
	assert.Empty(t, plain.Secrets(), "no token and a webhook URL without a path: nothing to hide")
}

func TestInsecureEndpoints(t *testing.T) {
	env := map[string]string{
		"CARACAL_ADMIN_TOKEN": "admin-token-0123", "CARACAL_API_URL": "http://caracal-api.internal:3000",
		"CARACAL_STS_URL": "http://127.0.0.1:8080", "CARACAL_METRICS_BEARER": "metrics-bearer-0123",
		"CARACAL_GATEWAY_URL": "http://localhost:8081", "CARACAL_AUDIT_URL": "https://audit.internal",
		"CARACAL_COORDINATOR_URL": "http://coordinator.internal:4000", // no token: nothing at risk
		"JIRA_URL":                "http://jira.internal", "JIRA_EMAIL": "ops@example.com", "JIRA_API_TOKEN": "jira-token-0123", "JIRA_PROJECT": "OPS",
		"REDIS_URL": "redis://:pw-0123@redis.internal:6379",
	}
	cfg, err := config.Load("", envOf(env))
	require.NoError(t, err)
	var fields []string
	for _, e := range cfg.InsecureEndpoints() {
		fields = append(fields, e.Field)
		assert.Contains(t, e.String(), "unencrypted")
	}
	assert.Equal(t, []string{"caracal.api_url", "tickets.jira_url", "redis_url"}, fields)
	assert.Contains(t, cfg.InsecureEndpoints()[0].String(),
		"caracal.api_url (CARACAL_API_URL) sends the Caracal admin token unencrypted to caracal-api.internal")

	env["BOT_REQUIRE_HTTPS"] = "true"
	_, err = config.Load("", envOf(env))
	assert.Equal(t, []string{
		"caracal.api_url (CARACAL_API_URL): sends the Caracal admin token unencrypted to caracal-api.internal, and require_https is on; use https (rediss:// for Redis)",
		"tickets.jira_url (JIRA_URL): sends the Jira API token unencrypted to jira.internal, and require_https is on; use https (rediss:// for Redis)",
		"redis_url (REDIS_URL): sends the Redis password unencrypted to redis.internal, and require_https is on; use https (rediss:// for Redis)",
	}, problems(t, err))
}

func TestRequireHTTPSAcceptsLoopbackAndTLS(t *testing.T) {
	cfg, err := loadYAML(t, "require_https: true\ncaracal:\n  api_url: https://caracal.example.com\n  admin_token: tok-0123456789\n  sts_url: http://[::1]:8080\n", nil)
	require.NoError(t, err)
	assert.True(t, cfg.RequireHTTPS)
	assert.Empty(t, cfg.InsecureEndpoints())
	_, err = config.Load("", envOf(map[string]string{"BOT_REQUIRE_HTTPS": "maybe"}))
	assert.Equal(t, []string{`require_https (BOT_REQUIRE_HTTPS): must be true or false, got "maybe"`}, problems(t, err))
}
