package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

func TestTicketsFromYAMLAndEnv(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "jira-token", "jira-secret-token\n")
	cfg, err := config.Load(writeFile(t, dir, "caracal-bot.yaml", `
state_dir: /var/lib/caracal-bot
tickets:
  system: Jira
  jira_url: https://acme.atlassian.net/
  jira_email: oncall@acme.example
  jira_api_token_file: jira-token
  jira_project: OPS
  jira_issue_type: Task
  labels: [caracal, oncall]
`), envOf(map[string]string{
		"GITHUB_REPO": "acme/incidents", "GITHUB_TOKEN": "ghp_secret", "TICKET_WEBHOOK_URL": "https://hooks.acme.example/caracal",
		"TICKET_WEBHOOK_SECRET": "whsec"}))
	require.NoError(t, err)
	tk := cfg.Tickets
	assert.Equal(t, "jira", tk.System, "normalized to lower case")
	assert.Equal(t, "https://acme.atlassian.net", tk.JiraURL)
	assert.Equal(t, "jira-secret-token", tk.JiraAPIToken.Reveal())
	assert.Equal(t, "Task", tk.JiraIssueType)
	assert.Equal(t, config.DefaultGitHubAPIURL, tk.GitHubAPIURL)
	assert.Equal(t, []string{"caracal", "oncall"}, tk.Labels)
	assert.Equal(t, []string{"jira", "github", "webhook"}, tk.Configured())
	assert.Equal(t, "jira", tk.DefaultSystem())
	assert.Equal(t, filepath.Join("/var/lib/caracal-bot", config.TicketSpoolSubdir), cfg.TicketSpoolDir())

	summary := cfg.Summary()
	for _, secret := range []string{"jira-secret-token", "ghp_secret", "whsec"} {
		assert.NotContains(t, summary, secret)
	}
	entries := map[string]config.SummaryEntry{}
	for _, e := range cfg.SummaryEntries() {
		entries[e.Setting] = e
	}
	assert.Equal(t, "set", entries["tickets.jira_api_token"].Value)
	assert.Equal(t, config.SourceFile, entries["tickets.jira_api_token"].Origin.Source)
	assert.Equal(t, config.Origin{Source: config.SourceEnv, Env: "TICKET_WEBHOOK_URL"}, entries["tickets.webhook_url"].Origin)
}

func TestTicketsDefaults(t *testing.T) {
	cfg, err := loadYAML(t, "", map[string]string{"GITHUB_REPO": "acme/incidents", "GITHUB_TOKEN": "t"})
	require.NoError(t, err)
	assert.Equal(t, "github", cfg.Tickets.DefaultSystem(), "the only configured system")
	assert.Equal(t, "Bug", cfg.Tickets.JiraIssueType)
	assert.Equal(t, filepath.Join(os.TempDir(), "caracal-bot-spool"), cfg.TicketSpoolDir())

	cfg, err = loadYAML(t, "tickets:\n  spool_dir: /srv/spool\n", map[string]string{"BOT_STATE_DIR": "/var/lib/x"})
	require.NoError(t, err)
	assert.False(t, cfg.Tickets.Enabled())
	assert.Empty(t, cfg.Tickets.DefaultSystem())
	assert.Equal(t, "/srv/spool", cfg.TicketSpoolDir())

	// A GITHUB_TOKEN in the environment alone (common in shells) configures nothing.
	cfg, err = loadYAML(t, "", map[string]string{"GITHUB_TOKEN": "ghp_from_shell"})
	require.NoError(t, err)
	assert.False(t, cfg.Tickets.Enabled())
}

func TestTicketsValidation(t *testing.T) {
	jira := map[string]string{"JIRA_URL": "https://acme.atlassian.net", "JIRA_EMAIL": "a@acme.example", "JIRA_API_TOKEN": "t", "JIRA_PROJECT": "OPS"}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name, doc string
		env       map[string]string
		want      []string
	}{
		{"partial jira names each missing setting", "", map[string]string{"JIRA_URL": "https://acme.atlassian.net", "JIRA_PROJECT": "OPS"}, []string{
			"tickets.jira_email (JIRA_EMAIL): is required for Jira tickets (tickets.jira_url, tickets.jira_project set)",
			"tickets.jira_api_token (JIRA_API_TOKEN): is required for Jira tickets (tickets.jira_url, tickets.jira_project set)"}},
		{"jira url", "", with(jira, "JIRA_URL", "acme.atlassian.net"), []string{
			`tickets.jira_url (JIRA_URL): must be an absolute http(s) URL, got "acme.atlassian.net"`}},
		{"jira email", "", with(jira, "JIRA_EMAIL", "oncall"), []string{
			`tickets.jira_email (JIRA_EMAIL): must be the Atlassian account's email address (name@example.com), got "oncall"`}},
		{"jira project key", "", with(jira, "JIRA_PROJECT", "ops-1"), []string{
			`tickets.jira_project (JIRA_PROJECT): must be a Jira project key such as OPS (an uppercase letter, then uppercase letters, digits or _), got "ops-1"`}},
		{"jira issue type", "tickets:\n  jira_issue_type: \"  \"\n", jira, []string{
			`tickets.jira_issue_type (JIRA_ISSUE_TYPE, line 2): must be a Jira issue type name such as Bug or Task (1 to 60 characters), got "  "`}},
		{"github repo form", "", map[string]string{"GITHUB_REPO": "incidents", "GITHUB_TOKEN": "t"}, []string{
			`tickets.github_repo (GITHUB_REPO): must be owner/name, e.g. acme/incidents, got "incidents"`}},
		{"github repo without token", "tickets:\n  github_repo: acme/incidents\n", nil, []string{
			"tickets.github_token (GITHUB_TOKEN): is required with tickets.github_repo (GITHUB_REPO)"}},
		{"github token in the file without repo", "tickets:\n  github_token: ghp_x\n", nil, []string{
			"tickets.github_repo (GITHUB_REPO): is required with tickets.github_token: set owner/name"}},
		{"github api url", "", map[string]string{"GITHUB_API_URL": "ftp://ghe.acme.example"}, []string{
			`tickets.github_api_url (GITHUB_API_URL): must be an absolute http(s) URL, got "ftp://ghe.acme.example"`}},
		{"webhook secret without url", "", map[string]string{"TICKET_WEBHOOK_SECRET": "s"}, []string{
			"tickets.webhook_url (TICKET_WEBHOOK_URL): is required with tickets.webhook_secret (TICKET_WEBHOOK_SECRET)"}},
		{"webhook url with credentials", "", map[string]string{"TICKET_WEBHOOK_URL": "https://u:p@hooks.example/x"}, []string{
			`tickets.webhook_url (TICKET_WEBHOOK_URL): must not contain credentials (user@ or user:password@); configure tokens separately, got "https://xxxxx@hooks.example/x"`}},
		{"unknown system", "", with(jira, "TICKET_SYSTEM", "servicenow"), []string{
			`tickets.system (TICKET_SYSTEM): must be one of jira, github, webhook, got "servicenow"`}},
		{"chosen system not configured", "tickets:\n  system: github\n", jira, []string{
			"tickets.system (TICKET_SYSTEM, line 2): is github, but github is not configured: set tickets.github_repo (GITHUB_REPO) and github_token (GITHUB_TOKEN)"}},
		{"several systems need a choice", "", with(jira, "TICKET_WEBHOOK_URL", "https://hooks.example/x"), []string{
			"tickets.system (TICKET_SYSTEM): is required when several ticket systems are configured (jira, webhook): pick one"}},
		{"labels", "tickets:\n  labels: [ok, \"has space\", \"\"]\n", nil, []string{
			`tickets.labels[1] (line 2): must be 1 to 50 characters without blanks or commas, got "has space"`,
			`tickets.labels[2] (line 2): must be 1 to 50 characters without blanks or commas, got ""`}},
		{"token whitespace, value not shown", "", with(jira, "JIRA_API_TOKEN", "abc def"), []string{
			"tickets.jira_api_token (JIRA_API_TOKEN): must not contain whitespace (look for a stray space or line break); value not shown"}},
		{"token inline and file", "tickets:\n  webhook_url: https://h.example/x\n  webhook_secret: a\n  webhook_secret_file: /x\n", nil, []string{
			"tickets.webhook_secret (TICKET_WEBHOOK_SECRET, line 3): both tickets.webhook_secret and tickets.webhook_secret_file are set in the file; set only one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.doc, tc.env)
			require.Error(t, err)
			assert.Equal(t, tc.want, problems(t, err))
			assert.NotContains(t, err.Error(), "abc def")
		})
	}
}
