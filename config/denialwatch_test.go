package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

func TestDenialWatchFromYAML(t *testing.T) {
	cfg, err := loadYAML(t, `
denial_watch:
  enabled: true
  interval: 1s
  threshold: 1
  window: 10m
  quiet: 1h
  zones: [zone-prod, zone-staging]
  slack_channels: [C0123ONCALL]
  discord_channels: []
`, slackEnv())
	require.NoError(t, err)
	d := cfg.DenialWatch
	assert.True(t, d.Enabled)
	assert.Equal(t, time.Second, d.ReadInterval(), "one second is the shortest interval")
	assert.Equal(t, 1, d.MinRequests(), "one denied request is the lowest threshold")
	assert.Equal(t, 10*time.Minute, d.CountWindow())
	assert.Equal(t, time.Hour, d.QuietFor())
	assert.Equal(t, []string{"zone-prod", "zone-staging"}, cfg.WatchedZones())
	assert.Equal(t, config.Channels{"slack": {"C0123ONCALL"}, "discord": {}}, d.Channels)
}

func TestDenialWatchDefaults(t *testing.T) {
	cfg, err := loadYAML(t, "denial_watch:\n  enabled: true\n  slack_channels: [C1]\n", slackEnv())
	require.NoError(t, err)
	d := cfg.DenialWatch
	assert.Equal(t, 30*time.Second, d.ReadInterval())
	assert.Equal(t, 5, d.MinRequests())
	assert.Equal(t, 10*time.Minute, d.CountWindow())
	assert.Equal(t, time.Hour, d.QuietFor())
	assert.Equal(t, []string{"zone-prod"}, cfg.WatchedZones(), "the default zone is watched")

	cfg, err = loadYAML(t, "", nil)
	require.NoError(t, err)
	assert.False(t, cfg.DenialWatch.Enabled, "off unless enabled")
}

func TestDenialWatchValidation(t *testing.T) {
	watch := func(fields string) string {
		return "denial_watch:\n  enabled: true\n  slack_channels: [C1]\n" + fields
	}
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want string
	}{
		{"interval under a second", watch("  interval: 500ms\n"), nil,
			`denial_watch.interval (line 4): must be between 1s and 1h0m0s, got 500ms`},
		{"interval zero is not the default", watch("  interval: 0s\n"), nil,
			`denial_watch.interval (line 4): must be between 1s and 1h0m0s, got 0s`},
		{"interval not a duration", watch("  interval: 30\n"), nil,
			`denial_watch.interval (line 4): must be a duration such as "5s" or "1m30s", got "30"`},
		{"interval in days", watch("  interval: 1d\n"), nil,
			`denial_watch.interval (line 4): must be a duration such as "5s" or "1m30s", got "1d"`},
		{"threshold zero", watch("  threshold: 0\n"), nil,
			`denial_watch.threshold (line 4): must be between 1 and 1000000 denied requests, got 0`},
		{"threshold negative", watch("  threshold: -3\n"), nil,
			`denial_watch.threshold (line 4): must be between 1 and 1000000 denied requests, got -3`},
		{"threshold not a number", watch("  threshold: five\n"), nil,
			`denial_watch.threshold (line 4): must be a whole number, got "five"`},
		{"window too long", watch("  window: 25h\n"), nil,
			`denial_watch.window (line 4): must be between 1s and 24h0m0s, got 25h0m0s`},
		{"window shorter than the interval", watch("  interval: 2m\n  window: 1m\n"), nil,
			`denial_watch.window (line 5): must be at least the interval (2m0s), got 1m0s`},
		{"negative quiet", watch("  quiet: -1h\n"), nil,
			`denial_watch.quiet (line 4): must be between 1s and 168h0m0s, got -1h0m0s`},
		{"quiet too long", watch("  quiet: 200h\n"), nil,
			`denial_watch.quiet (line 4): must be between 1s and 168h0m0s, got 200h0m0s`},
		{"bad zone id", watch("  zones: [\"a b\"]\n"), nil,
			`denial_watch.zones[0] (line 4): must be 1 to 128 characters`},
		{"no zone anywhere", watch(""), map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
			`denial_watch.zones: lists no zones and caracal.zone_id (CARACAL_ZONE_ID) is unset`},
		{"no channels", "denial_watch:\n  enabled: true\n", nil,
			`denial_watch.slack_channels: lists no channels: set slack_channels or discord_channels`},
		{"discord not configured", "denial_watch:\n  enabled: true\n  discord_channels: [\"123\"]\n", nil,
			`denial_watch.discord_channels (line 3): cannot be posted to: discord.bot_token (DISCORD_BOT_TOKEN) is not set`},
		{"unknown key", watch("  treshold: 5\n"), nil,
			`denial_watch.treshold (line 4): unknown key; did you mean "threshold"?`},
		{"unknown platform", watch("  teams_channels: [C1]\n"), nil,
			`denial_watch.teams_channels (line 4): unknown key`},
		{"not a mapping", "denial_watch: on\n", nil,
			`denial_watch (line 1): must be a mapping of keys to values, got a single value`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = slackEnv()
			}
			_, err := loadYAML(t, tc.doc, env)
			require.Error(t, err)
			assert.Contains(t, strings.Join(problems(t, err), "\n"), tc.want)
		})
	}
}

func TestDenialWatchOffNeedsNoChannels(t *testing.T) {
	_, err := loadYAML(t, "denial_watch:\n  threshold: 3\n", nil)
	require.NoError(t, err, "a disabled watch without channels is not checked for them")
}
