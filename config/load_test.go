package config_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

const fullYAML = `# a complete file
caracal:
  api_url: https://api.example.com
  sts_url: https://sts.example.com
  gateway_url: https://gw.example.com/
  audit_url: https://audit.example.com/prefix/
  coordinator_url: https://coord.example.com
  admin_token: yaml-admin-token
  metrics_bearer: yaml-metrics-bearer
  coordinator_token: yaml-coordinator-token
  zone_id: zone-prod
  call_timeout: 3s
  diagnosis_timeout: 1m
  max_retries: 0
  read_budget_mib: 8
docs_url: https://docs.internal.example/caracal/
channels:
  - channel: C0123
    zone_id: zone-a
    zones: [zone-c, zone-d]
  - channel: "1122334455"
    zone_id: zone-b
log:
  level: DEBUG
  format: json
`

func TestLoadDefaultsWithEmptyEnv(t *testing.T) {
	t.Chdir(t.TempDir()) // no caracal-bot.yaml here

	cfg, err := config.Load("", envOf(nil))
	require.NoError(t, err)

	assert.Equal(t, "", cfg.File())
	assert.Equal(t, config.Caracal{
		APIURL:           "http://localhost:3000",
		STSURL:           "http://localhost:8080",
		GatewayURL:       "http://localhost:8081",
		AuditURL:         "http://localhost:9090",
		CoordinatorURL:   "http://localhost:4000",
		CallTimeout:      5 * time.Second,
		DiagnosisTimeout: 15 * time.Second,
		MaxRetries:       2,
		ReadBudgetMiB:    32,
	}, cfg.Caracal)
	assert.Equal(t, "https://docs.caracal.run", cfg.DocsURL)
	assert.Empty(t, cfg.Channels)
	assert.Equal(t, config.Log{Level: "info", Format: "text"}, cfg.Log)
	for _, e := range cfg.SummaryEntries() {
		assert.Equal(t, config.SourceDefault, e.Origin.Source, e.Setting)
	}
	assert.Equal(t, config.Default(), cfg, "Default() is what Load gives with nothing set")
}

func TestLoadNilEnvMeansEmptyEnvironment(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := config.Load("", nil)
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:3000", cfg.Caracal.APIURL)
}

func TestLoadFindsDefaultFileInWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, config.DefaultFile, "caracal:\n  zone_id: from-cwd\n")
	t.Chdir(dir)

	cfg, err := config.Load("", envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, config.DefaultFile, cfg.File())
	assert.Equal(t, "from-cwd", cfg.Caracal.ZoneID)
}

func TestLoadExplicitPathMustExist(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := config.Load(missing, envOf(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadYAMLOnly(t *testing.T) {
	cfg, err := loadYAML(t, fullYAML, nil)
	require.NoError(t, err)

	assert.Equal(t, config.Caracal{
		APIURL:           "https://api.example.com",
		STSURL:           "https://sts.example.com",
		GatewayURL:       "https://gw.example.com",
		AuditURL:         "https://audit.example.com/prefix",
		CoordinatorURL:   "https://coord.example.com",
		AdminToken:       "yaml-admin-token",
		MetricsBearer:    "yaml-metrics-bearer",
		CoordinatorToken: "yaml-coordinator-token",
		ZoneID:           "zone-prod",
		CallTimeout:      3 * time.Second,
		DiagnosisTimeout: time.Minute,
		MaxRetries:       0,
		ReadBudgetMiB:    8,
	}, cfg.Caracal)
	assert.Equal(t, "https://docs.internal.example/caracal", cfg.DocsURL)
	assert.Equal(t, []config.Channel{
		{Channel: "C0123", ZoneID: "zone-a", Zones: []string{"zone-c", "zone-d"}},
		{Channel: "1122334455", ZoneID: "zone-b"},
	}, cfg.Channels)
	assert.Equal(t, config.Log{Level: "debug", Format: "json"}, cfg.Log)
	zones, bound := cfg.ZonesForChannel("C0123")
	assert.True(t, bound)
	assert.Equal(t, []string{"zone-a", "zone-c", "zone-d"}, zones, "zone_id first, then zones")
	zones, bound = cfg.ZonesForChannel("1122334455")
	assert.True(t, bound)
	assert.Equal(t, []string{"zone-b"}, zones)
	zones, bound = cfg.ZonesForChannel("C9999")
	assert.False(t, bound, "unlisted channels are not bound")
	assert.Nil(t, zones)
}

func TestLoadEmptyOrCommentOnlyFileUsesDefaults(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":         "",
		"comments only": "# nothing yet\n",
		"empty doc":     "---\n",
		"null sections": "caracal:\nlog:\nchannels:\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := loadYAML(t, doc, nil)
			require.NoError(t, err)
			assert.Equal(t, config.DefaultAPIURL, cfg.Caracal.APIURL)
			assert.Equal(t, config.DefaultCallTimeout, cfg.Caracal.CallTimeout)
		})
	}
}

// The public environment contract: each name sets its setting.
func TestLoadEnvironmentNames(t *testing.T) {
	tests := []struct {
		env   string
		value string
		got   func(*config.Config) string
	}{
		{"CARACAL_API_URL", "http://api:3000", func(c *config.Config) string { return c.Caracal.APIURL }},
		{"CARACAL_STS_URL", "http://sts:8080", func(c *config.Config) string { return c.Caracal.STSURL }},
		{"CARACAL_GATEWAY_URL", "http://gw:8081", func(c *config.Config) string { return c.Caracal.GatewayURL }},
		{"CARACAL_AUDIT_URL", "http://audit:9090", func(c *config.Config) string { return c.Caracal.AuditURL }},
		{"CARACAL_COORDINATOR_URL", "http://coord:4000", func(c *config.Config) string { return c.Caracal.CoordinatorURL }},
		{"CARACAL_ADMIN_TOKEN", "adm-1", func(c *config.Config) string { return c.Caracal.AdminToken.Reveal() }},
		{"CARACAL_METRICS_BEARER", "met-1", func(c *config.Config) string { return c.Caracal.MetricsBearer.Reveal() }},
		{"CARACAL_COORDINATOR_TOKEN", "coo-1", func(c *config.Config) string { return c.Caracal.CoordinatorToken.Reveal() }},
		{"CARACAL_ZONE_ID", "zone-env", func(c *config.Config) string { return c.Caracal.ZoneID }},
		{"CARACAL_DOCS_URL", "https://docs.example", func(c *config.Config) string { return c.DocsURL }},
		{"BOT_LOG_LEVEL", "warn", func(c *config.Config) string { return c.Log.Level }},
		{"BOT_LOG_FORMAT", "json", func(c *config.Config) string { return c.Log.Format }},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Chdir(t.TempDir())
			cfg, err := config.Load("", envOf(map[string]string{tt.env: tt.value}))
			require.NoError(t, err)
			assert.Equal(t, tt.value, tt.got(cfg))
		})
	}
}

func TestLoadEnvOverridesYAML(t *testing.T) {
	env := map[string]string{
		"CARACAL_API_URL":         "http://api.env:3000/",
		"CARACAL_STS_URL":         "http://sts.env:8080",
		"CARACAL_GATEWAY_URL":     "http://gw.env:8081",
		"CARACAL_AUDIT_URL":       "http://audit.env:9090",
		"CARACAL_COORDINATOR_URL": "http://coord.env:4000",
		"CARACAL_ADMIN_TOKEN":     "env-admin",
		"CARACAL_ZONE_ID":         "zone-env",
		"CARACAL_DOCS_URL":        "https://docs.env",
		"BOT_LOG_LEVEL":           "error",
		"BOT_LOG_FORMAT":          "text",
		"CARACAL_METRICS_BEARER":  "", // empty counts as unset: the file's value stays
	}
	cfg, err := loadYAML(t, fullYAML, env)
	require.NoError(t, err)

	assert.Equal(t, "http://api.env:3000", cfg.Caracal.APIURL)
	assert.Equal(t, "http://sts.env:8080", cfg.Caracal.STSURL)
	assert.Equal(t, "http://gw.env:8081", cfg.Caracal.GatewayURL)
	assert.Equal(t, "http://audit.env:9090", cfg.Caracal.AuditURL)
	assert.Equal(t, "http://coord.env:4000", cfg.Caracal.CoordinatorURL)
	assert.Equal(t, "env-admin", cfg.Caracal.AdminToken.Reveal())
	assert.Equal(t, "yaml-metrics-bearer", cfg.Caracal.MetricsBearer.Reveal())
	assert.Equal(t, "zone-env", cfg.Caracal.ZoneID)
	assert.Equal(t, "https://docs.env", cfg.DocsURL)
	assert.Equal(t, config.Log{Level: "error", Format: "text"}, cfg.Log)
	assert.Equal(t, 3*time.Second, cfg.Caracal.CallTimeout, "settings without env keep the file's value")
}

func TestLoadTokenFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"trailing newline trimmed", "tok-1\n", "tok-1"},
		{"CRLF and spaces trimmed", "tok-2 \t\r\n\r\n", "tok-2"},
		{"no newline", "tok-3", "tok-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			path := writeFile(t, dir, "secret", tt.content)
			cfg, err := config.Load("", envOf(map[string]string{
				"CARACAL_ADMIN_TOKEN_FILE":       path,
				"CARACAL_METRICS_BEARER_FILE":    path,
				"CARACAL_COORDINATOR_TOKEN_FILE": path,
			}))
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Caracal.AdminToken.Reveal())
			assert.Equal(t, tt.want, cfg.Caracal.MetricsBearer.Reveal())
			assert.Equal(t, tt.want, cfg.Caracal.CoordinatorToken.Reveal())
			assert.Equal(t, path, cfg.Caracal.AdminTokenFile)
		})
	}
}

func TestLoadYAMLTokenFileIsRelativeToTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "secrets"), 0o700))
	writeFile(t, dir, "secrets/admin", "file-admin\n")
	path := writeFile(t, dir, "bot.yaml", "caracal:\n  admin_token_file: secrets/admin\n")
	t.Chdir(t.TempDir()) // somewhere else

	cfg, err := config.Load(path, envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, "file-admin", cfg.Caracal.AdminToken.Reveal())
	assert.Equal(t, filepath.Join(dir, "secrets", "admin"), cfg.Caracal.AdminTokenFile)
}

func TestLoadEnvTokenBeatsYAMLTokenFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "admin", "file-admin\n")
	doc := "caracal:\n  admin_token_file: admin\n  metrics_bearer: yaml-bearer\n"
	secret := writeFile(t, dir, "bearer", "env-file-bearer\n")

	cfg, err := loadYAML(t, doc, map[string]string{
		"CARACAL_ADMIN_TOKEN":         "env-admin",
		"CARACAL_METRICS_BEARER_FILE": secret,
	})
	require.NoError(t, err)
	assert.Equal(t, "env-admin", cfg.Caracal.AdminToken.Reveal())
	assert.Empty(t, cfg.Caracal.AdminTokenFile)
	assert.Equal(t, "env-file-bearer", cfg.Caracal.MetricsBearer.Reveal())
}

func TestLoadTokenAndTokenFileBothSet(t *testing.T) {
	tests := []struct {
		env  string
		path string
	}{
		{"CARACAL_ADMIN_TOKEN", "caracal.admin_token"},
		{"CARACAL_METRICS_BEARER", "caracal.metrics_bearer"},
		{"CARACAL_COORDINATOR_TOKEN", "caracal.coordinator_token"},
	}
	for _, tt := range tests {
		t.Run(tt.env+" in env", func(t *testing.T) {
			t.Chdir(t.TempDir())
			secret := writeFile(t, t.TempDir(), "s", "from-file")
			_, err := config.Load("", envOf(map[string]string{tt.env: "inline-value", tt.env + "_FILE": secret}))
			assert.Equal(t, []string{
				tt.path + " (" + tt.env + "): both " + tt.env + " and " + tt.env + "_FILE are set; set only one",
			}, problems(t, err))
			assert.NotContains(t, err.Error(), "inline-value")
			assert.NotContains(t, err.Error(), "from-file")
		})
		t.Run(tt.path+" in yaml", func(t *testing.T) {
			key := tt.path[len("caracal."):]
			doc := "caracal:\n  " + key + ": inline-value\n  " + key + "_file: /nonexistent\n"
			_, err := loadYAML(t, doc, nil)
			assert.Equal(t, []string{
				tt.path + " (" + tt.env + ", line 2): both " + tt.path + " and " + tt.path + "_file are set in the file; set only one",
			}, problems(t, err))
			assert.NotContains(t, err.Error(), "inline-value")
		})
	}
}

func TestLoadTokenFileProblems(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty", "\n\n")
	big := writeFile(t, dir, "big", string(make([]byte, 70<<10)))
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "missing"), `caracal.admin_token_file (CARACAL_ADMIN_TOKEN_FILE): cannot read token file: open ` + filepath.Join(dir, "missing") + `: no such file or directory`},
		{"directory", dir, `caracal.admin_token_file (CARACAL_ADMIN_TOKEN_FILE): cannot read token file: read ` + dir + `: is a directory`},
		{"empty", empty, `caracal.admin_token_file (CARACAL_ADMIN_TOKEN_FILE): token file "` + empty + `" is empty`},
		{"too large", big, `caracal.admin_token_file (CARACAL_ADMIN_TOKEN_FILE): token file "` + big + `" is larger than 65536 bytes; is it the right file?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			_, err := config.Load("", envOf(map[string]string{"CARACAL_ADMIN_TOKEN_FILE": tt.path}))
			assert.Equal(t, []string{tt.want}, problems(t, err))
		})
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"top level typo", "caracl:\n  api_url: http://x\n", []string{
			`caracl (line 1): unknown key; did you mean "caracal"?`}},
		{"nested typo", "caracal:\n  zone_id: z\n  api_ur: http://x\n", []string{
			`caracal.api_ur (line 3): unknown key; did you mean "api_url"?`}},
		{"nothing close", "log:\n  colour: true\n", []string{
			`log.colour (line 2): unknown key; expected one of: level, format`}},
		{"inside a channel", "channels:\n  - channel: C1\n    zone_id: z\n  - channel: C2\n    zone: z\n", []string{
			`channels[1].zone (line 5): unknown key; did you mean "zones"?`,
			`channels[1].zone_id (line 4): is required`}},
		{"inside tickets", "tickets:\n  jira_ur: https://x.example\n", []string{
			`tickets.jira_ur (line 2): unknown key; did you mean "jira_url"?`}},
		{"every unknown key at once", "foo: 1\ncaracal:\n  bar: 2\nlog:\n  baz: 3\n", []string{
			`foo (line 1): unknown key; expected one of: caracal, docs_url, channels, log, listen_addr, ops_listen_addr, slack, discord, redis_url, permissions, limits, schedules, watch, state_dir, denial_watch, tickets, require_https`,
			`caracal.bar (line 3): unknown key; expected one of: api_url, sts_url, gateway_url, audit_url, coordinator_url, admin_token, admin_token_file, metrics_bearer, metrics_bearer_file, coordinator_token, coordinator_token_file, zone_id, call_timeout, diagnosis_timeout, max_retries, read_budget_mib`,
			`log.baz (line 5): unknown key; expected one of: level, format`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAML(t, tt.doc, nil)
			assert.Equal(t, tt.want, problems(t, err))
		})
	}
}

func TestLoadYAMLStructureProblems(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"duration without unit", "caracal:\n  call_timeout: 5\n", `caracal.call_timeout (line 2): must be a duration such as "5s" or "1m30s", got "5"`},
		{"retries not a number", "caracal:\n  max_retries: many\n", `caracal.max_retries (line 2): must be a whole number, got "many"`},
		{"section is a list", "caracal:\n  - api_url\n", `caracal (line 2): must be a mapping of keys to values, got a list`},
		{"channels is a mapping", "channels:\n  C1: zone\n", `channels (line 2): must be a list, got a mapping`},
		{"url is a list", "docs_url: [a, b]\n", `docs_url (line 1): must be a string, got a list`},
		{"token is a mapping, value not shown", "caracal:\n  admin_token: {nested: hunter2}\n", `caracal.admin_token (line 2): must be a string, got a mapping`},
		{"duplicate key", "log:\n  level: info\n  level: debug\n", `log.level (line 3): duplicate key (first at line 2)`},
		{"two documents", "log:\n  level: info\n---\nlog:\n  level: debug\n", `file (line 3): the file holds more than one YAML document; use one`},
		{"top level is a list", "- a\n- b\n", `file (line 1): must be a mapping of keys to values, got a list`},
		{"complex key", "? [a, b]\n: c\n", `file (line 1): keys must be plain words, got a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAML(t, tt.doc, nil)
			assert.Equal(t, []string{tt.want}, problems(t, err))
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestLoadYAMLAnchorsAndAliases(t *testing.T) {
	doc := "caracal:\n  zone_id: &z zone-a\nchannels:\n  - &ch {channel: C1, zone_id: *z}\n"
	cfg, err := loadYAML(t, doc, nil)
	require.NoError(t, err)
	assert.Equal(t, []config.Channel{{Channel: "C1", ZoneID: "zone-a"}}, cfg.Channels)
}

func TestLoadYAMLSyntaxError(t *testing.T) {
	_, err := loadYAML(t, "caracal:\n  api_url: [unclosed\n", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "caracal-bot.yaml")
	assert.Contains(t, err.Error(), "line")
}
