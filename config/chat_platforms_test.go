package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

func TestSlackAndPermissionsFromYAML(t *testing.T) {
	cfg, err := loadYAML(t, `
listen_addr: 127.0.0.1:9000
slack:
  api_url: http://127.0.0.1:4444/api
permissions:
  channels: [C1, C2]
  commands:
    bundle: {groups: [S1]}
`, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9000", cfg.ListenAddr)
	assert.Equal(t, "http://127.0.0.1:4444/api/", cfg.Slack.APIURL, "the Web API base always ends with a slash")
	assert.True(t, cfg.Slack.Enabled())
	assert.Equal(t, "xapp-1", cfg.Slack.AppToken.Reveal())
	assert.Equal(t, []string{"C1", "C2"}, cfg.Permissions.Channels)
	assert.Equal(t, config.CommandRule{Groups: []string{"S1"}}, cfg.Permissions.Commands["bundle"])
	assert.NotContains(t, cfg.Summary(), "xoxb-1")
	assert.NotContains(t, cfg.Summary(), "xapp-1")
}

func TestSlackAndPermissionsValidation(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		env       map[string]string
		want      string
	}{
		{"http mode needs the signing secret", "", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"},
			"slack.signing_secret (SLACK_SIGNING_SECRET): is required for the HTTP endpoints"},
		{"a rule must name someone", "permissions:\n  commands:\n    bundle: {}\n", nil,
			"permissions.commands.bundle (line 3): lists no users or groups"},
		{"ids are checked", "permissions:\n  channels: [\"bad id\"]\n", nil, "permissions.channels[0]"},
		{"listen address", "listen_addr: nowhere\n", nil, "listen_addr (BOT_LISTEN_ADDR, line 1): must be host:port or :port"},
		{"channels must be a list", "permissions:\n  channels: C1\n", nil, "permissions.channels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.doc, tc.env)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDiscordSettings(t *testing.T) {
	key := "9d1c2b1f0a6e4c8b7f3e2d1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e"
	cfg, err := loadYAML(t, "discord:\n  gateway: false\n", map[string]string{
		"DISCORD_BOT_TOKEN": "discord-bot-token", "DISCORD_APP_ID": "1234567890", "DISCORD_PUBLIC_KEY": key,
		"DISCORD_GUILD_IDS": "111, 222", "DISCORD_API_URL": "http://127.0.0.1:5555/api/v10/"})
	require.NoError(t, err)
	assert.True(t, cfg.Discord.Enabled())
	assert.False(t, cfg.Discord.UseGateway())
	assert.Equal(t, []string{"111", "222"}, cfg.Discord.Guilds())
	assert.Equal(t, "http://127.0.0.1:5555/api/v10", cfg.Discord.APIURL)
	assert.NotContains(t, cfg.Summary(), "discord-bot-token")

	_, err = loadYAML(t, "", map[string]string{"DISCORD_PUBLIC_KEY": "nothex"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "discord.public_key (DISCORD_PUBLIC_KEY): must be the application's public key")
	_, err = loadYAML(t, "", map[string]string{"DISCORD_BOT_TOKEN": "t"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "discord.app_id (DISCORD_APP_ID): is required")
}

func TestDiscordAccessSettings(t *testing.T) {
	cfg, err := loadYAML(t, "", nil)
	require.NoError(t, err)
	assert.False(t, cfg.Discord.AllowDMs, "DMs are refused by default")
	assert.Equal(t, "2048", cfg.Discord.DefaultMemberPermissions)
	assert.Equal(t, int64(2048), cfg.Discord.MemberPermissions())

	doc := "discord:\n  allow_dms: true\n  default_member_permissions: 0\n"
	cfg, err = loadYAML(t, doc, nil)
	require.NoError(t, err)
	assert.True(t, cfg.Discord.AllowDMs)
	assert.Equal(t, int64(0), cfg.Discord.MemberPermissions(), "a YAML number is read as the bitfield")
	assert.Regexp(t, `discord\.allow_dms +true +file, line 2 +DISCORD_ALLOW_DMS`, cfg.Summary())
	assert.Regexp(t, `discord\.default_member_permissions +0 +file, line 3 +DISCORD_DEFAULT_MEMBER_PERMISSIONS`, cfg.Summary())

	cfg, err = loadYAML(t, doc, map[string]string{"DISCORD_ALLOW_DMS": "false", "DISCORD_DEFAULT_MEMBER_PERMISSIONS": "8"})
	require.NoError(t, err)
	assert.False(t, cfg.Discord.AllowDMs, "the environment overrides the file")
	assert.Equal(t, int64(8), cfg.Discord.MemberPermissions())
	assert.Regexp(t, `discord\.allow_dms +false +env DISCORD_ALLOW_DMS`, cfg.Summary())
}

func TestDiscordAccessValidation(t *testing.T) {
	const perms = "must be a decimal permission bitfield such as 2048 (Send Messages) or 0 (administrators only), got "
	for _, tc := range []struct {
		name, doc string
		env       map[string]string
		want      string
	}{
		{"allow_dms from the environment", "", map[string]string{"DISCORD_ALLOW_DMS": "sometimes"},
			`discord.allow_dms (DISCORD_ALLOW_DMS): must be true or false, got "sometimes"`},
		{"allow_dms in the file", "discord:\n  allow_dms: [true]\n", nil,
			`discord.allow_dms (line 2): must be true or false, got a list`},
		{"negative permissions", "", map[string]string{"DISCORD_DEFAULT_MEMBER_PERMISSIONS": "-1"},
			`discord.default_member_permissions (DISCORD_DEFAULT_MEMBER_PERMISSIONS): ` + perms + `"-1"`},
		{"signed permissions", "", map[string]string{"DISCORD_DEFAULT_MEMBER_PERMISSIONS": "+2048"},
			`discord.default_member_permissions (DISCORD_DEFAULT_MEMBER_PERMISSIONS): ` + perms + `"+2048"`},
		{"hex permissions", "discord:\n  default_member_permissions: \"0x800\"\n", nil,
			`discord.default_member_permissions (DISCORD_DEFAULT_MEMBER_PERMISSIONS, line 2): ` + perms + `"0x800"`},
		{"permissions beyond int64", "", map[string]string{"DISCORD_DEFAULT_MEMBER_PERMISSIONS": "9223372036854775808"},
			`discord.default_member_permissions (DISCORD_DEFAULT_MEMBER_PERMISSIONS): ` + perms + `"9223372036854775808"`},
		{"empty permissions in the file", "discord:\n  default_member_permissions: \"\"\n", nil,
			`discord.default_member_permissions (DISCORD_DEFAULT_MEMBER_PERMISSIONS, line 2): ` + perms + `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.doc, tc.env)
			assert.Equal(t, []string{tc.want}, problems(t, err))
		})
	}
	cfg, err := loadYAML(t, "", map[string]string{"DISCORD_DEFAULT_MEMBER_PERMISSIONS": "9223372036854775807"})
	require.NoError(t, err, "the largest int64 fits")
	assert.Equal(t, int64(9223372036854775807), cfg.Discord.MemberPermissions())
}

func TestRedisURL(t *testing.T) {
	cfg, err := loadYAML(t, "", map[string]string{"REDIS_URL": "redis://:s3cret-pass@127.0.0.1:6379/0"})
	require.NoError(t, err)
	assert.Equal(t, "redis://:s3cret-pass@127.0.0.1:6379/0", cfg.RedisURL.Reveal())
	assert.NotContains(t, cfg.Summary(), "s3cret-pass", "the URL may carry a password")
	_, err = loadYAML(t, "", map[string]string{"REDIS_URL": "http://s3cret@host"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}
