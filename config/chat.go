package config

// The chat platforms' sections of the configuration.

import (
	"strconv"
	"strings"
)

// Slack holds the Slack app's credentials. With AppToken set the bot uses
// Socket Mode (no public URL needed); otherwise Slack calls the HTTP
// endpoints, verified with SigningSecret.
type Slack struct {
	// BotToken (xoxb-) posts replies (SLACK_BOT_TOKEN).
	BotToken     Secret `yaml:"bot_token,omitempty" json:"bot_token,omitempty"`
	BotTokenFile string `yaml:"bot_token_file,omitempty" json:"bot_token_file,omitempty"`
	// AppToken (xapp-) opens Socket Mode connections (SLACK_APP_TOKEN).
	AppToken     Secret `yaml:"app_token,omitempty" json:"app_token,omitempty"`
	AppTokenFile string `yaml:"app_token_file,omitempty" json:"app_token_file,omitempty"`
	// SigningSecret verifies Slack's HTTP requests (SLACK_SIGNING_SECRET).
	SigningSecret     Secret `yaml:"signing_secret,omitempty" json:"signing_secret,omitempty"`
	SigningSecretFile string `yaml:"signing_secret_file,omitempty" json:"signing_secret_file,omitempty"`
	// APIURL is the Web API base, ending with "/" (SLACK_API_URL).
	APIURL string `yaml:"api_url" json:"api_url"`
}

// Enabled reports whether a Slack bot token is configured.
func (s Slack) Enabled() bool { return s.BotToken.IsSet() }

// Discord holds the Discord application's credentials. The gateway
// connection is the default; HTTP interactions (POST /discord/interactions)
// are verified with PublicKey.
type Discord struct {
	// BotToken authenticates the bot (DISCORD_BOT_TOKEN).
	BotToken     Secret `yaml:"bot_token,omitempty" json:"bot_token,omitempty"`
	BotTokenFile string `yaml:"bot_token_file,omitempty" json:"bot_token_file,omitempty"`
	// AppID is the application ID (DISCORD_APP_ID).
	AppID string `yaml:"app_id,omitempty" json:"app_id,omitempty"`
	// PublicKey is the application's Ed25519 public key, hex (DISCORD_PUBLIC_KEY).
	PublicKey string `yaml:"public_key,omitempty" json:"public_key,omitempty"`
	// GuildIDs are the only guilds the bot answers in, and where it
	// registers its command (instant) instead of globally
	// (DISCORD_GUILD_IDS, comma separated). Unset, every guild the bot is
	// invited to may use it.
	GuildIDs string `yaml:"guild_ids,omitempty" json:"guild_ids,omitempty"`
	// AllowDMs answers in direct messages with the bot too
	// (DISCORD_ALLOW_DMS); off, they are refused.
	AllowDMs bool `yaml:"allow_dms,omitempty" json:"allow_dms,omitempty"`
	// DefaultMemberPermissions is the decimal permission bitfield a member
	// needs to see and use the command until a server admin changes it
	// (DISCORD_DEFAULT_MEMBER_PERMISSIONS; "0": administrators only).
	DefaultMemberPermissions string `yaml:"default_member_permissions" json:"default_member_permissions"`
	// APIURL is the REST base (DISCORD_API_URL).
	APIURL string `yaml:"api_url" json:"api_url"`
	// Gateway turns the gateway connection off when false (HTTP interactions only).
	Gateway *bool `yaml:"gateway,omitempty" json:"gateway,omitempty"`
}

// Enabled reports whether a Discord bot token is configured.
func (d Discord) Enabled() bool { return d.BotToken.IsSet() }

// UseGateway reports whether to open the gateway connection (default yes).
func (d Discord) UseGateway() bool { return d.Gateway == nil || *d.Gateway }

// MemberPermissions returns DefaultMemberPermissions as a number (0 when
// it does not parse, which validation prevents).
func (d Discord) MemberPermissions() int64 {
	n, _ := strconv.ParseInt(d.DefaultMemberPermissions, 10, 64)
	return n
}

// Guilds returns the configured guild IDs.
func (d Discord) Guilds() []string {
	var out []string
	for _, g := range strings.Split(d.GuildIDs, ",") {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}
