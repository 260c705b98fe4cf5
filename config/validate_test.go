package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

func TestValidationMessages(t *testing.T) {
	long := strings.Repeat("z", 129)
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want string
	}{
		// URLs
		{name: "host:port without scheme", env: map[string]string{"CARACAL_STS_URL": "localhost:8080"},
			want: `caracal.sts_url (CARACAL_STS_URL): must be an absolute http(s) URL, got "localhost:8080"`},
		{name: "relative url", env: map[string]string{"CARACAL_API_URL": "/v1"},
			want: `caracal.api_url (CARACAL_API_URL): must be an absolute http(s) URL, got "/v1"`},
		{name: "wrong scheme", env: map[string]string{"CARACAL_GATEWAY_URL": "ftp://gw:8081"},
			want: `caracal.gateway_url (CARACAL_GATEWAY_URL): must be an absolute http(s) URL, got "ftp://gw:8081"`},
		{name: "no host", env: map[string]string{"CARACAL_AUDIT_URL": "http://:9090"},
			want: `caracal.audit_url (CARACAL_AUDIT_URL): must be an absolute http(s) URL, got "http://:9090"`},
		{name: "credentials are masked", env: map[string]string{"CARACAL_COORDINATOR_URL": "http://op:hunter2@coord:4000"},
			want: `caracal.coordinator_url (CARACAL_COORDINATOR_URL): must not contain credentials (user@ or user:password@); configure tokens separately, got "http://xxxxx@coord:4000"`},
		{name: "unparseable with @ is not echoed", env: map[string]string{"CARACAL_API_URL": "http://hunter2@%zz"},
			want: `caracal.api_url (CARACAL_API_URL): must be an absolute http(s) URL, got a value containing "@" (not shown: it may hold credentials)`},
		{name: "query", env: map[string]string{"CARACAL_API_URL": "http://api:3000/?x=1"},
			want: `caracal.api_url (CARACAL_API_URL): must not have a query or fragment, got "http://api:3000/?x=1"`},
		{name: "fragment", doc: "caracal:\n  api_url: http://api:3000/#top\n",
			want: `caracal.api_url (CARACAL_API_URL, line 2): must not have a query or fragment, got "http://api:3000/#top"`},
		{name: "docs url relative", env: map[string]string{"CARACAL_DOCS_URL": "docs.caracal.run"},
			want: `docs_url (CARACAL_DOCS_URL): must be an absolute http(s) URL, got "docs.caracal.run"`},
		{name: "empty url in file", doc: "docs_url: \"\"\n",
			want: `docs_url (CARACAL_DOCS_URL, line 1): must be an absolute http(s) URL, got ""`},

		// durations and retries
		{name: "zero call timeout", doc: "caracal:\n  call_timeout: 0s\n",
			want: `caracal.call_timeout (line 2): must be positive, got 0s`},
		{name: "negative diagnosis timeout", doc: "caracal:\n  diagnosis_timeout: -1s\n",
			want: `caracal.diagnosis_timeout (line 2): must be positive, got -1s`},
		{name: "call timeout too small", doc: "caracal:\n  call_timeout: 1ms\n",
			want: `caracal.call_timeout (line 2): must be at least 10ms, got 1ms`},
		{name: "call timeout too large", doc: "caracal:\n  call_timeout: 3m\n  diagnosis_timeout: 5m\n",
			want: `caracal.call_timeout (line 2): must be at most 2m0s, got 3m0s`},
		{name: "diagnosis timeout too large", doc: "caracal:\n  diagnosis_timeout: 1h\n",
			want: `caracal.diagnosis_timeout (line 2): must be at most 10m0s, got 1h0m0s`},
		{name: "call timeout over diagnosis timeout", doc: "caracal:\n  call_timeout: 20s\n",
			want: `caracal.call_timeout (line 2): must not exceed caracal.diagnosis_timeout (15s), got 20s`},
		{name: "negative retries", doc: "caracal:\n  max_retries: -1\n",
			want: `caracal.max_retries (line 2): must be between 0 and 10, got -1`},
		{name: "too many retries", doc: "caracal:\n  max_retries: 11\n",
			want: `caracal.max_retries (line 2): must be between 0 and 10, got 11`},
		{name: "read budget zero", doc: "caracal:\n  read_budget_mib: 0\n",
			want: `caracal.read_budget_mib (CARACAL_READ_BUDGET_MIB, line 2): must be between 1 and 1024, got 0`},
		{name: "read budget too large", env: map[string]string{"CARACAL_READ_BUDGET_MIB": "1025"},
			want: `caracal.read_budget_mib (CARACAL_READ_BUDGET_MIB): must be between 1 and 1024, got 1025`},
		{name: "read budget not a number", env: map[string]string{"CARACAL_READ_BUDGET_MIB": "32MiB"},
			want: `caracal.read_budget_mib (CARACAL_READ_BUDGET_MIB): must be a whole number, got "32MiB"`},
		{name: "negative channel limit", doc: "limits:\n  channel_per_minute: -5\n",
			want: `limits.channel_per_minute (BOT_CHANNEL_COMMANDS_PER_MINUTE, line 2): must be between 0 (unlimited) and 1000000, got -5`},
		{name: "user limit from the environment", env: map[string]string{"BOT_USER_COMMANDS_PER_MINUTE": "lots"},
			want: `limits.user_per_minute (BOT_USER_COMMANDS_PER_MINUTE): must be a whole number, got "lots"`},

		// listeners
		{name: "ops listen address", env: map[string]string{"BOT_OPS_LISTEN_ADDR": "9091"},
			want: `ops_listen_addr (BOT_OPS_LISTEN_ADDR): must be host:port or :port, got "9091"`},
		{name: "ops listen address bad port", doc: "ops_listen_addr: \":99999\"\n",
			want: `ops_listen_addr (BOT_OPS_LISTEN_ADDR, line 1): port must be 0-65535, got "99999"`},
		{name: "ops listen address same as listen_addr", env: map[string]string{"BOT_OPS_LISTEN_ADDR": ":8787"},
			want: `ops_listen_addr (BOT_OPS_LISTEN_ADDR): must differ from listen_addr, which serves the chat endpoints`},

		// ids and channels
		{name: "zone id with space", env: map[string]string{"CARACAL_ZONE_ID": "my zone"},
			want: `caracal.zone_id (CARACAL_ZONE_ID): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "my zone"`},
		{name: "zone id too long", env: map[string]string{"CARACAL_ZONE_ID": long},
			want: `caracal.zone_id (CARACAL_ZONE_ID): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "` + long[:120] + `"...`},
		{name: "channel id with slash", doc: "channels:\n  - channel: a/b\n    zone_id: z\n",
			want: `channels[0].channel (line 2): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "a/b"`},
		{name: "channel zone id invalid", doc: "channels:\n  - channel: C1\n    zone_id: \"z?\"\n",
			want: `channels[0].zone_id (line 3): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "z?"`},
		{name: "channel missing", doc: "channels:\n  - zone_id: z\n",
			want: `channels[0].channel (line 2): is required`},
		{name: "channel zone missing", doc: "channels:\n  - channel: C1\n",
			want: `channels[0].zone_id (line 2): is required`},
		{name: "duplicate channel", doc: "channels:\n  - {channel: C1, zone_id: a}\n  - {channel: C2, zone_id: b}\n  - {channel: C1, zone_id: c}\n",
			want: `channels[2].channel (line 4): duplicate mapping for channel "C1" (first at channels[0])`},
		{name: "channel zones are zone ids", doc: "channels:\n  - channel: C1\n    zone_id: z\n    zones: [a, \"b c\"]\n",
			want: `channels[0].zones[1] (line 4): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "b c"`},
		{name: "channel zones empty id", doc: "channels:\n  - channel: C1\n    zone_id: z\n    zones: [\"\"]\n",
			want: `channels[0].zones[0] (line 4): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got ""`},
		{name: "channel zones repeat zone_id", doc: "channels:\n  - channel: C1\n    zone_id: z\n    zones: [z]\n",
			want: `channels[0].zones[0] (line 4): zone "z" is already listed at channels[0].zone_id`},
		{name: "channel zones repeat", doc: "channels:\n  - channel: C1\n    zone_id: z\n    zones:\n      - a\n      - a\n",
			want: `channels[0].zones[1] (line 6): zone "a" is already listed at channels[0].zones[0]`},
		{name: "channel zones is a list", doc: "channels:\n  - channel: C1\n    zone_id: z\n    zones: a\n",
			want: `channels[0].zones (line 4): must be a list, got a single value`},

		// log
		{name: "log level", env: map[string]string{"BOT_LOG_LEVEL": "verbose"},
			want: `log.level (BOT_LOG_LEVEL): must be one of debug, info, warn, error, got "verbose"`},
		{name: "log format", doc: "log:\n  format: xml\n",
			want: `log.format (BOT_LOG_FORMAT, line 2): must be one of text, json, got "xml"`},

		// tokens: never echoed
		{name: "token with inner space", env: map[string]string{"CARACAL_ADMIN_TOKEN": "hunter2 hunter2"},
			want: `caracal.admin_token (CARACAL_ADMIN_TOKEN): must not contain whitespace (look for a stray space or line break); value not shown`},
		{name: "token with trailing newline inline", env: map[string]string{"CARACAL_METRICS_BEARER": "hunter2\n"},
			want: `caracal.metrics_bearer (CARACAL_METRICS_BEARER): must not contain whitespace (look for a stray space or line break); value not shown`},
		{name: "token with control byte", env: map[string]string{"CARACAL_COORDINATOR_TOKEN": "hunter2\x00"},
			want: `caracal.coordinator_token (CARACAL_COORDINATOR_TOKEN): must contain only printable ASCII characters; value not shown`},
		{name: "token not ascii", doc: "caracal:\n  admin_token: hunter2é\n",
			want: `caracal.admin_token (CARACAL_ADMIN_TOKEN, line 2): must contain only printable ASCII characters; value not shown`},
		{name: "token too long", env: map[string]string{"CARACAL_ADMIN_TOKEN": "hunter2" + strings.Repeat("x", 4090)},
			want: `caracal.admin_token (CARACAL_ADMIN_TOKEN): must be at most 4096 bytes (Caracal's bearer limit); value not shown`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAML(t, tt.doc, tt.env)
			assert.Equal(t, []string{tt.want}, problems(t, err))
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestReadBudgetAndOpsListenAddrFromTheEnvironment(t *testing.T) {
	cfg, err := loadYAML(t, "", map[string]string{"CARACAL_READ_BUDGET_MIB": "1024", "BOT_OPS_LISTEN_ADDR": "127.0.0.1:9091"})
	require.NoError(t, err)
	assert.Equal(t, 1024, cfg.Caracal.ReadBudgetMiB)
	assert.Equal(t, "127.0.0.1:9091", cfg.OpsListenAddr)
	assert.Regexp(t, `(?m)^ops_listen_addr +127\.0\.0\.1:9091 +env BOT_OPS_LISTEN_ADDR`, cfg.Summary(), "config check shows it")
}

func TestValidationTokenAtLimitIsAccepted(t *testing.T) {
	token := strings.Repeat("a", config.MaxTokenBytes)
	cfg, err := loadYAML(t, "", map[string]string{"CARACAL_ADMIN_TOKEN": token})
	require.NoError(t, err)
	assert.Equal(t, token, cfg.Caracal.AdminToken.Reveal())
}

func TestValidationBadTokenInFileNamesTheFileVariable(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "admin", "hunter2 second-line\n")
	_, err := loadYAML(t, "", map[string]string{"CARACAL_ADMIN_TOKEN_FILE": path})
	assert.Equal(t, []string{
		`caracal.admin_token (CARACAL_ADMIN_TOKEN_FILE): must not contain whitespace (look for a stray space or line break); value not shown`,
	}, problems(t, err))
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestValidationErrorListsEveryProblem(t *testing.T) {
	doc := `caracal:
  sts_url: localhost:8080
  max_retries: 99
  call_timeout: 1m
log:
  level: loud
`
	_, err := loadYAML(t, doc, map[string]string{"CARACAL_ZONE_ID": "bad zone", "BOT_LOG_FORMAT": "yaml"})
	require.Error(t, err)

	var verr *config.ValidationError
	require.True(t, errors.As(err, &verr))
	assert.True(t, strings.HasSuffix(verr.File, "caracal-bot.yaml"))
	assert.Equal(t, []config.Problem{
		{Field: "caracal.sts_url", Env: "CARACAL_STS_URL", Line: 2, Message: `must be an absolute http(s) URL, got "localhost:8080"`},
		{Field: "caracal.zone_id", Env: "CARACAL_ZONE_ID", Message: `must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "bad zone"`},
		{Field: "log.level", Env: "BOT_LOG_LEVEL", Line: 6, Message: `must be one of debug, info, warn, error, got "loud"`},
		{Field: "log.format", Env: "BOT_LOG_FORMAT", Message: `must be one of text, json, got "yaml"`},
		{Field: "caracal.call_timeout", Line: 4, Message: "must not exceed caracal.diagnosis_timeout (15s), got 1m0s"},
		{Field: "caracal.max_retries", Line: 3, Message: "must be between 0 and 10, got 99"},
	}, verr.Problems)
	assert.Equal(t, "invalid configuration in "+verr.File+": 6 problems:\n"+
		`  - caracal.sts_url (CARACAL_STS_URL, line 2): must be an absolute http(s) URL, got "localhost:8080"`+"\n"+
		`  - caracal.zone_id (CARACAL_ZONE_ID): must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got "bad zone"`+"\n"+
		`  - log.level (BOT_LOG_LEVEL, line 6): must be one of debug, info, warn, error, got "loud"`+"\n"+
		`  - log.format (BOT_LOG_FORMAT): must be one of text, json, got "yaml"`+"\n"+
		`  - caracal.call_timeout (line 4): must not exceed caracal.diagnosis_timeout (15s), got 1m0s`+"\n"+
		`  - caracal.max_retries (line 3): must be between 0 and 10, got 99`,
		err.Error())
}

func TestValidationErrorText(t *testing.T) {
	one := &config.ValidationError{Problems: []config.Problem{{Field: "docs_url", Env: "CARACAL_DOCS_URL", Message: "bad"}}}
	assert.Equal(t, "invalid configuration: docs_url (CARACAL_DOCS_URL): bad", one.Error())

	many := &config.ValidationError{File: "bot.yaml"}
	for i := range 60 {
		many.Problems = append(many.Problems, config.Problem{Field: fmt.Sprintf("channels[%d].channel", i), Line: i + 2, Message: "is required"})
	}
	lines := strings.Split(many.Error(), "\n")
	assert.Equal(t, "invalid configuration in bot.yaml: 60 problems:", lines[0])
	assert.Equal(t, "  - channels[0].channel (line 2): is required", lines[1])
	assert.Equal(t, "  - ... and 10 more", lines[len(lines)-1])
	assert.Len(t, lines, 52)
}

func TestLogSlogLevel(t *testing.T) {
	for level, want := range map[string]string{"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "": "INFO"} {
		t.Run(level, func(t *testing.T) {
			assert.Equal(t, want, config.Log{Level: level}.SlogLevel().String())
		})
	}
}
