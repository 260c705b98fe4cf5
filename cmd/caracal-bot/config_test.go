package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Secrets used by the config tests; none of them may ever be printed.
const (
	adminSecret   = "admin-secret-7f3a9c"
	metricsSecret = "metrics-secret-2b8d1e"
	coordSecret   = "coordinator-secret-5e6f0a"
)

var secrets = []string{adminSecret, metricsSecret, coordSecret}

// TestConfigCheckNeverPrintsSecrets: `config check` prints a redacted
// summary (tokens are "set"), in text and json, whether the tokens come
// from the environment, from *_FILE files or from the YAML file.
func TestConfigCheckNeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	adminFile := writeFile(t, "admin", adminSecret+"\n")
	metricsFile := writeFile(t, "metrics", metricsSecret+"\n")
	coordFile := writeFile(t, "coord", coordSecret+" \r\n\n")
	yaml := writeFile(t, "caracal-bot.yaml", "caracal:\n  admin_token: "+adminSecret+"\n  metrics_bearer: "+metricsSecret+"\n  coordinator_token: "+coordSecret+"\n")

	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		origin map[string]string // setting → origin fragment in the text summary
	}{
		{
			name: "env",
			env:  map[string]string{"CARACAL_ADMIN_TOKEN": adminSecret, "CARACAL_METRICS_BEARER": metricsSecret, "CARACAL_COORDINATOR_TOKEN": coordSecret},
			origin: map[string]string{
				"caracal.admin_token":       "env CARACAL_ADMIN_TOKEN",
				"caracal.metrics_bearer":    "env CARACAL_METRICS_BEARER",
				"caracal.coordinator_token": "env CARACAL_COORDINATOR_TOKEN",
			},
		},
		{
			name: "env_file",
			env:  map[string]string{"CARACAL_ADMIN_TOKEN_FILE": adminFile, "CARACAL_METRICS_BEARER_FILE": metricsFile, "CARACAL_COORDINATOR_TOKEN_FILE": coordFile},
			origin: map[string]string{
				"caracal.admin_token":       "env CARACAL_ADMIN_TOKEN_FILE, read from " + adminFile,
				"caracal.metrics_bearer":    "env CARACAL_METRICS_BEARER_FILE, read from " + metricsFile,
				"caracal.coordinator_token": "env CARACAL_COORDINATOR_TOKEN_FILE, read from " + coordFile,
			},
		},
		{
			name: "yaml_file",
			args: []string{"--config", yaml},
			origin: map[string]string{
				"caracal.admin_token":       "file, line 2",
				"caracal.metrics_bearer":    "file, line 3",
				"caracal.coordinator_token": "file, line 4",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, tc.env, append([]string{"config", "check"}, tc.args...)...)
			require.Equal(t, 0, res.code, "%s", res)
			for _, s := range secrets {
				assert.NotContains(t, res.all(), s)
			}
			for setting, origin := range tc.origin {
				assert.Regexp(t, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(setting)+`\s+set\s+`+regexp.QuoteMeta(origin)), res.out)
			}
			assert.Regexp(t, regexp.MustCompile(`(?m)^caracal\.sts_url\s+http://localhost:8080\s+default\s+CARACAL_STS_URL$`), res.out)

			js := runCLI(t, tc.env, append([]string{"config", "check", "--format", "json"}, tc.args...)...)
			require.Equal(t, 0, js.code, "%s", js)
			for _, s := range secrets {
				assert.NotContains(t, js.all(), s)
			}
			var entries []struct {
				Setting string `json:"setting"`
				Env     string `json:"env"`
				Value   string `json:"value"`
			}
			decodeOne(t, js.out, &entries)
			values := map[string]string{}
			for _, e := range entries {
				values[e.Setting] = e.Value
			}
			for setting := range tc.origin {
				assert.Equal(t, "set", values[setting], setting)
			}

			// The commands that use the configuration do not print it either.
			help := runCLI(t, tc.env, append([]string{"status", "--help"}, tc.args...)...)
			for _, s := range secrets {
				assert.NotContains(t, help.all(), s)
			}
		})
	}
}

// TestConfigCheckRedactsUnsetTokens shows "unset" for missing tokens.
func TestConfigCheckRedactsUnsetTokens(t *testing.T) {
	t.Parallel()
	res := runCLI(t, nil, "config", "check")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, res.out, "config file: none")
	assert.Regexp(t, regexp.MustCompile(`(?m)^caracal\.admin_token\s+unset\s`), res.out)
}

// TestInvalidConfigNamesFieldAndEnv: an invalid configuration exits 1 and
// names the setting and its environment variable, without printing any
// secret; the diagnosis commands refuse to run on it the same way.
func TestInvalidConfigNamesFieldAndEnv(t *testing.T) {
	t.Parallel()
	adminFile := writeFile(t, "admin", adminSecret)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		has  []string
	}{
		{name: "sts_url_not_a_url", env: map[string]string{"CARACAL_STS_URL": "not a url", "CARACAL_ADMIN_TOKEN": adminSecret},
			has: []string{"caracal.sts_url", "CARACAL_STS_URL"}},
		{name: "sts_url_wrong_scheme", env: map[string]string{"CARACAL_STS_URL": "ftp://sts.internal", "CARACAL_ADMIN_TOKEN": adminSecret},
			has: []string{"caracal.sts_url", "CARACAL_STS_URL", "http(s)"}},
		{name: "api_url_relative", env: map[string]string{"CARACAL_API_URL": "/api"},
			has: []string{"caracal.api_url", "CARACAL_API_URL"}},
		{name: "token_and_token_file", env: map[string]string{"CARACAL_ADMIN_TOKEN": adminSecret, "CARACAL_ADMIN_TOKEN_FILE": adminFile},
			has: []string{"CARACAL_ADMIN_TOKEN", "CARACAL_ADMIN_TOKEN_FILE", "set only one"}},
		{name: "token_file_missing", env: map[string]string{"CARACAL_COORDINATOR_TOKEN_FILE": "/nonexistent/coordinator-token"},
			has: []string{"CARACAL_COORDINATOR_TOKEN_FILE", "/nonexistent/coordinator-token"}},
		{name: "several_problems", env: map[string]string{"CARACAL_STS_URL": "x", "CARACAL_GATEWAY_URL": "y", "CARACAL_METRICS_BEARER": metricsSecret},
			has: []string{"2 problems", "CARACAL_STS_URL", "CARACAL_GATEWAY_URL"}},
		{name: "yaml_unknown_key", args: []string{"--config", writeFile(t, "bad.yaml", "caracal:\n  sts_ulr: http://sts:8080\n  admin_token: "+adminSecret+"\n")},
			has: []string{"sts_ulr", "line 2"}},
		{name: "yaml_timeout_out_of_range", args: []string{"--config", writeFile(t, "slow.yaml", "caracal:\n  call_timeout: 1ms\n")},
			has: []string{"caracal.call_timeout"}},
		{name: "config_file_missing", args: []string{"--config", "testdata/no-such-config.yaml"},
			has: []string{"no-such-config.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range [][]string{{"config", "check"}, {"config", "check", "--format", "json"}, {"why", denyID}, {"status"}} {
				res := runCLI(t, tc.env, append(cmd, tc.args...)...)
				assert.Equal(t, 1, res.code, "%v: %s", cmd, res)
				assert.Empty(t, res.out, "%v", cmd)
				for _, frag := range tc.has {
					assert.Contains(t, res.err, frag, "%v", cmd)
				}
				for _, s := range secrets {
					assert.NotContains(t, res.all(), s, "%v", cmd)
				}
				assert.NotContains(t, res.err, "invalid configuration: invalid configuration", "said once")
			}
		})
	}
}

// TestConfigFileSetsTimeouts: a YAML --config file is read by the
// diagnosis commands too (its values show up in config check).
func TestConfigFileSetsTimeouts(t *testing.T) {
	t.Parallel()
	cfg := writeFile(t, "caracal-bot.yaml", "caracal:\n  call_timeout: 200ms\n  diagnosis_timeout: 1s\n")
	res := runCLI(t, nil, "config", "check", "--config", cfg, "--format", "json")
	require.Equal(t, 0, res.code, "%s", res)
	var entries []struct{ Setting, Value string }
	require.NoError(t, json.Unmarshal([]byte(res.out), &entries))
	values := map[string]string{}
	for _, e := range entries {
		values[e.Setting] = e.Value
	}
	assert.Equal(t, "200ms", values["caracal.call_timeout"])
	assert.Equal(t, "1s", values["caracal.diagnosis_timeout"])
	text := runCLI(t, nil, "config", "check", "--config", cfg)
	assert.True(t, strings.HasPrefix(text.out, "config file: "+cfg), "%s", text.out)
}

// TestConfigCheckWarnsOfCredentialsSentUnencrypted: a credential-carrying
// http:// URL to another host is a warning on stderr; with require_https
// it is an error and the exit code says so.
func TestConfigCheckWarnsOfCredentialsSentUnencrypted(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CARACAL_ADMIN_TOKEN": adminSecret, "CARACAL_API_URL": "http://caracal-api.internal:3000"}
	res := runCLI(t, env, "config", "check")
	assert.Equal(t, 0, res.code)
	assert.Contains(t, res.err, "warning: caracal.api_url (CARACAL_API_URL) sends the Caracal admin token unencrypted to caracal-api.internal")

	env["BOT_REQUIRE_HTTPS"] = "true"
	res = runCLI(t, env, "config", "check")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.err, "caracal.api_url (CARACAL_API_URL): sends the Caracal admin token unencrypted to caracal-api.internal, and require_https is on")
	assert.NotContains(t, res.all(), adminSecret)
}
