package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

// slackEnv enables Slack (Socket Mode) so schedules may post there.
func slackEnv() map[string]string {
	return map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "CARACAL_ZONE_ID": "zone-prod"}
}

func TestSchedulesFromYAML(t *testing.T) {
	cfg, err := loadYAML(t, `
state_dir: /var/lib/caracal-bot
schedules:
  - name: morning
    spec: "0 9 * * 1-5"
    timezone: Europe/Paris
    slack_channels: [C0ONCALL]
    zones: [zone-prod, zone-staging]
    since: 24h
  - name: weekly
    spec: "@weekly"
    kind: digest
    slack_channels: [C0ONCALL]
watch:
  enabled: true
  slack_channels: [C0ONCALL]
`, slackEnv())
	require.NoError(t, err)
	require.Len(t, cfg.Schedules, 2)
	m := cfg.Schedules[0]
	assert.Equal(t, "morning", m.Name)
	assert.Equal(t, "0 9 * * 1-5", m.Spec)
	assert.Equal(t, "Europe/Paris", m.TimezoneName())
	assert.Equal(t, []string{"zone-prod", "zone-staging"}, m.Zones)
	assert.Equal(t, 24*time.Hour, m.Window())
	w := cfg.Schedules[1]
	assert.Equal(t, "UTC", w.TimezoneName(), "the time zone defaults to UTC")
	assert.Equal(t, config.KindDigest, w.JobKind())
	assert.Equal(t, config.DefaultScheduleWindow, w.Window())
	assert.True(t, cfg.Watch.Enabled)
	assert.Equal(t, 60*time.Second, cfg.Watch.PollInterval(), "the watch polls every minute by default")
	assert.Equal(t, 2, cfg.Watch.HoldPolls(), "a state must hold two polls by default")
	assert.Equal(t, "/var/lib/caracal-bot", cfg.StateDir)
}

func TestNoSchedulesIsValid(t *testing.T) {
	cfg, err := loadYAML(t, "", nil)
	require.NoError(t, err)
	assert.Empty(t, cfg.Schedules)
	assert.False(t, cfg.Watch.Enabled)
}

func TestScheduleValidation(t *testing.T) {
	job := func(fields string) string {
		return "schedules:\n  - name: morning\n    slack_channels: [C1]\n" + fields
	}
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want string
	}{
		{"CRON_TZ prefix is refused", job("    spec: \"CRON_TZ=Europe/Paris 0 9 * * *\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": must not start with TZ= or CRON_TZ=; set the job's timezone instead, got "CRON_TZ=Europe/Paris 0 9 * * *"`},
		{"TZ prefix is refused", job("    spec: \"TZ=UTC 0 9 * * *\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": must not start with TZ= or CRON_TZ=`},
		{"the panicking CRON_TZ=UTC is an error, not a crash", job("    spec: \"CRON_TZ=UTC\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": must not start with TZ= or CRON_TZ=`},
		{"garbage", job("    spec: every morning\n"),
			nil, `schedules[0].spec (line 4): job "morning": must have 5 fields (minute hour day-of-month month day-of-week), got 2 in "every morning"`},
		{"six fields", job("    spec: \"0 0 9 * * *\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": must have 5 fields`},
		{"out of range", job("    spec: \"61 9 * * *\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": is not a valid cron spec: end of range (61) above maximum (59): 61`},
		{"never fires", job("    spec: \"0 9 30 2 *\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": never fires (no date matches)`},
		{"@every is refused", job("    spec: \"@every 5m\"\n"),
			nil, `schedules[0].spec (line 4): job "morning": must be a 5-field cron spec or one of @yearly`},
		{"spec required", job(""), nil, `schedules[0].spec (line 2): job "morning": is required`},
		{"unknown time zone", job("    spec: \"0 9 * * *\"\n    timezone: Europe/Pariss\n"),
			nil, `schedules[0].timezone (line 5): job "morning": must be an IANA zone name such as "Europe/Paris" or "UTC", got "Europe/Pariss"`},
		{"Local is refused", job("    spec: \"0 9 * * *\"\n    timezone: Local\n"),
			nil, `schedules[0].timezone (line 5): job "morning": must be an IANA zone name`},
		{"watch is not a schedule kind", job("    spec: \"0 9 * * *\"\n    kind: watch\n"),
			nil, `schedules[0].kind (line 5): job "morning": the readiness watch is configured under watch:, not as a schedule`},
		{"unknown kind", job("    spec: \"0 9 * * *\"\n    kind: report\n"),
			nil, `schedules[0].kind (line 5): job "morning": must be digest, got "report"`},
		{"window too long", job("    spec: \"0 9 * * *\"\n    since: 200h\n"),
			nil, `schedules[0].since (line 5): job "morning": must be between 1h0m0s and 168h0m0s, got 200h0m0s`},
		{"window not a duration", job("    spec: \"0 9 * * *\"\n    since: 1d\n"),
			nil, `schedules[0].since (line 5): must be a duration such as "5s" or "1m30s", got "1d"`},
		{"bad zone id", job("    spec: \"0 9 * * *\"\n    zones: [\"a b\"]\n"),
			nil, `schedules[0].zones[0] (line 5): must be 1 to 128 characters`},
		{"no channels", "schedules:\n  - name: x\n    spec: \"@daily\"\n",
			nil, `schedules[0].slack_channels (line 2): job "x": lists no channels: set slack_channels or discord_channels`},
		{"discord not configured", "schedules:\n  - name: x\n    spec: \"@daily\"\n    discord_channels: [\"123\"]\n",
			nil, `schedules[0].discord_channels (line 4): job "x": cannot be posted to: discord.bot_token (DISCORD_BOT_TOKEN) is not set`},
		{"no zone anywhere", job("    spec: \"0 9 * * *\"\n"),
			map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
			`schedules[0].zones (line 2): job "morning": lists no zones and caracal.zone_id (CARACAL_ZONE_ID) is unset`},
		{"name required", "schedules:\n  - spec: \"@daily\"\n    slack_channels: [C1]\n",
			nil, `schedules[0].name (line 2): is required`},
		{"duplicate names", job("    spec: \"@daily\"\n") + "  - name: morning\n    spec: \"@daily\"\n    slack_channels: [C1]\n",
			nil, `schedules[1].name (line 5): duplicate job name "morning" (first at schedules[0])`},
		{"unknown key", job("    spec: \"@daily\"\n    channel: C1\n"),
			nil, `schedules[0].channel (line 5): unknown key`},
		{"watch interval", "watch:\n  enabled: true\n  interval: 1s\n  slack_channels: [C1]\n",
			nil, `watch.interval (line 3): must be between 5s and 1h0m0s, got 1s`},
		{"watch hold", "watch:\n  enabled: true\n  hold: -1\n  slack_channels: [C1]\n",
			nil, `watch.hold (line 3): must be between 1 and 20 polls, got -1`},
		{"enabled watch needs channels", "watch:\n  enabled: true\n",
			nil, `watch.slack_channels: lists no channels: set slack_channels or discord_channels`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = slackEnv()
			}
			_, err := loadYAML(t, tc.doc, env)
			require.Error(t, err)
			got := strings.Join(problems(t, err), "\n")
			assert.Contains(t, got, tc.want)
		})
	}
}

func TestScheduleSpecsThatPass(t *testing.T) {
	for _, spec := range []string{"0 9 * * *", "*/15 * * * *", "30 2 * * *", "0 9 * * MON-FRI", "@daily", "@HOURLY", "0 0 29 2 *"} {
		assert.Empty(t, config.CheckCronSpec(spec), spec)
	}
}

func TestCheckCronSpecNeverPanics(t *testing.T) {
	for _, spec := range []string{"CRON_TZ=UTC", "TZ=", "cron_tz=utc", "@", "@daily extra", "* * * * 8", "1-0 * * * *", "*/0 * * * *", "\x00 * * * *"} {
		assert.NotPanics(t, func() { assert.NotEmpty(t, config.CheckCronSpec(spec), spec) }, spec)
	}
}

func TestStateDir(t *testing.T) {
	cfg, err := loadYAML(t, "state_dir: /var/lib/caracal-bot\n", map[string]string{"BOT_STATE_DIR": "/data/state"})
	require.NoError(t, err)
	assert.Equal(t, "/data/state", cfg.StateDir, "the environment overrides the file")
	assert.Contains(t, cfg.Summary(), "env BOT_STATE_DIR")

	_, err = loadYAML(t, "state_dir: \" /tmp\"\n", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `state_dir (BOT_STATE_DIR, line 1): must be a directory path without leading or trailing blanks`)
}

func TestChannelListsAreReadByPlatform(t *testing.T) {
	env := slackEnv()
	env["DISCORD_BOT_TOKEN"], env["DISCORD_APP_ID"] = "discord-token", "1234567890"
	cfg, err := loadYAML(t, `
schedules:
  - name: morning
    spec: "@daily"
    discord_channels: ["123"]
    slack_channels: [C1, C2]
watch:
  enabled: true
  discord_channels: ["456"]
`, env)
	require.NoError(t, err)
	assert.Equal(t, config.Channels{"slack": {"C1", "C2"}, "discord": {"123"}}, cfg.Schedules[0].Channels)
	assert.Equal(t, 3, cfg.Schedules[0].Channels.Len())
	assert.Equal(t, config.Channels{"discord": {"456"}}, cfg.Watch.Channels)
	assert.Equal(t, []config.ChatPlatform{
		{Name: "slack", Enabled: true, Token: "slack.bot_token", TokenEnv: "SLACK_BOT_TOKEN"},
		{Name: "discord", Enabled: true, Token: "discord.bot_token", TokenEnv: "DISCORD_BOT_TOKEN"},
	}, cfg.ChatPlatforms())
	assert.Equal(t, "slack_channels or discord_channels", cfg.ChannelKeys())
}

func TestChannelListsOfUnknownPlatformsAreUnknownKeys(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"mattermost_channels", `schedules[0].mattermost_channels (line 4): unknown key; expected one of: name, spec, timezone, kind, slack_channels, discord_channels, zones, since`},
		{"slak_channels", `schedules[0].slak_channels (line 4): unknown key; did you mean "slack_channels"?`},
		{"slack_channel", `schedules[0].slack_channel (line 4): unknown key; did you mean "slack_channels"?`},
		{"_channels", `schedules[0]._channels (line 4): unknown key`},
		{`"*_channels"`, `schedules[0].*_channels (line 4): unknown key`},
	} {
		t.Run(tc.key, func(t *testing.T) {
			doc := "schedules:\n  - name: x\n    spec: \"@daily\"\n    " + tc.key + ": [C1]\n    slack_channels: [C1]\n"
			_, err := loadYAML(t, doc, slackEnv())
			require.Error(t, err)
			assert.Contains(t, strings.Join(problems(t, err), "\n"), tc.want)
		})
	}
}
