// Package config loads caracal-bot's settings: a YAML file (strict: unknown
// keys are errors), then environment overrides, then defaults, then
// validation that reports every problem with the setting's YAML path and
// environment name. Tokens are Secrets, which never print their value, and
// Summary describes the result, with where each setting came from, for
// `caracal-bot config check`.
//
// Precedence, highest first: environment, file, default. An environment
// variable set to the empty string counts as unset. Each token can also be
// read from a file (X_FILE in the environment, *_file in YAML; a relative
// *_file path in YAML is resolved against the YAML file's directory); the
// file's trailing whitespace and newlines are trimmed. Setting both a token
// and its file at the same level is an error; the environment (either form)
// overrides the YAML file (either form).
package config

import (
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// DefaultFile is the file Load reads from the working directory when it is
// given no path.
const DefaultFile = "caracal-bot.yaml"

// MaxTokenBytes is the longest token accepted (Caracal's admin bearer limit).
const MaxTokenBytes = 4096

// Defaults.
const (
	DefaultAPIURL           = "http://localhost:3000"
	DefaultSTSURL           = "http://localhost:8080"
	DefaultGatewayURL       = "http://localhost:8081"
	DefaultAuditURL         = "http://localhost:9090"
	DefaultCoordinatorURL   = "http://localhost:4000"
	DefaultDocsURL          = "https://docs.caracal.run"
	DefaultCallTimeout      = 5 * time.Second
	DefaultDiagnosisTimeout = 15 * time.Second
	DefaultMaxRetries       = 2
	// DefaultReadBudgetMiB bounds the Caracal bytes one command reads.
	DefaultReadBudgetMiB = 32
	// DefaultUserPerMinute and DefaultChannelPerMinute are the command
	// rate limits: one user, one channel.
	DefaultUserPerMinute    = 30
	DefaultChannelPerMinute = 60
	DefaultLogLevel         = "info"
	DefaultLogFormat        = "text"
	DefaultSlackAPIURL      = "https://slack.com/api/"
	DefaultDiscordAPIURL    = "https://discord.com/api/v10"
	DefaultListenAddr       = ":8787"
)

// DefaultDiscordMemberPermissions is Send Messages (2048): the /caracal
// command shows to every member who may write in a channel.
const DefaultDiscordMemberPermissions = "2048"

// Config is caracal-bot's whole configuration. Build it with Load (or
// Default in tests). Sections for chat platforms, tickets, schedules and
// shared state are added as top-level fields next to Caracal.
type Config struct {
	// Caracal is where the five Caracal services are and how to call them.
	Caracal Caracal `yaml:"caracal" json:"caracal"`
	// DocsURL is the base of the Caracal docs linked from next actions
	// (CARACAL_DOCS_URL), without a trailing slash.
	DocsURL string `yaml:"docs_url" json:"docs_url"`
	// Channels binds chat channels to the zones they may read (see
	// ZonesForChannel).
	Channels []Channel `yaml:"channels,omitempty" json:"channels,omitempty"`
	// Log configures the bot's own logging.
	Log Log `yaml:"log" json:"log"`
	// ListenAddr is where `serve` listens for Slack HTTP requests and the
	// ops endpoints /healthz, /readyz and /metrics (BOT_LISTEN_ADDR).
	ListenAddr string `yaml:"listen_addr" json:"listen_addr"`
	// OpsListenAddr, when set, serves the ops endpoints on their own
	// listener, apart from the public chat endpoints, and ListenAddr no
	// longer serves them (BOT_OPS_LISTEN_ADDR).
	OpsListenAddr string `yaml:"ops_listen_addr,omitempty" json:"ops_listen_addr,omitempty"`
	// Slack connects the bot to a Slack workspace.
	Slack Slack `yaml:"slack" json:"slack"`
	// Discord connects the bot to Discord servers (guilds).
	Discord Discord `yaml:"discord" json:"discord"`
	// RedisURL is the shared state of several replicas (REDIS_URL,
	// redis://[:password@]host:port/db); unset keeps state in memory.
	RedisURL Secret `yaml:"redis_url,omitempty" json:"redis_url,omitempty"`
	// Permissions restrict channels and commands.
	Permissions Permissions `yaml:"permissions,omitempty" json:"permissions,omitempty"`
	// Limits bound how fast users and channels may start commands.
	Limits Limits `yaml:"limits" json:"limits"`
	// Schedules, Watch and StateDir configure the scheduled digests, the
	// readiness watch and the directory of the scheduler's run log and,
	// without Redis, of the memory of handled requests and of the tickets
	// filed (BOT_STATE_DIR; "" keeps them in memory). See schedules.go.
	Schedules []Schedule `yaml:"schedules,omitempty" json:"schedules,omitempty"`
	Watch     Watch      `yaml:"watch,omitempty" json:"watch,omitempty"`
	StateDir  string     `yaml:"state_dir,omitempty" json:"state_dir,omitempty"`
	// DenialWatch configures the denial watch, whose state is kept in
	// Redis, else in StateDir, else in memory. See denialwatch.go.
	DenialWatch DenialWatch `yaml:"denial_watch,omitempty" json:"denial_watch,omitempty"`
	// Tickets configures the ticket systems of `ticket`. See tickets.go.
	Tickets Tickets `yaml:"tickets,omitempty" json:"tickets,omitempty"`
	// RequireHTTPS refuses to start when a credential-carrying URL is plain
	// http to a host other than loopback (BOT_REQUIRE_HTTPS); otherwise
	// such URLs are warnings (see InsecureEndpoints).
	RequireHTTPS bool `yaml:"require_https,omitempty" json:"require_https,omitempty"`

	file    string            // the YAML file loaded, "" when none
	origins map[string]Origin // YAML path → where its value came from
}

// Limits are per-minute command rate limits, shared by all replicas
// through Redis; 0 is unlimited. A command over a limit is answered at once
// and not run.
type Limits struct {
	// UserPerMinute is how many commands one user may start a minute
	// (BOT_USER_COMMANDS_PER_MINUTE, default 30).
	UserPerMinute int `yaml:"user_per_minute" json:"user_per_minute"`
	// ChannelPerMinute is how many commands may start in one channel a
	// minute (BOT_CHANNEL_COMMANDS_PER_MINUTE, default 60): an incident
	// channel keeps readable and within the platform's posting limits.
	ChannelPerMinute int `yaml:"channel_per_minute" json:"channel_per_minute"`
}

// Caracal holds the Caracal endpoints, credentials and call budgets. URLs
// are absolute http(s) URLs without a trailing slash (a path prefix is kept).
type Caracal struct {
	// APIURL is the Admin API (CARACAL_API_URL).
	APIURL string `yaml:"api_url" json:"api_url"`
	// STSURL is the token service (CARACAL_STS_URL).
	STSURL string `yaml:"sts_url" json:"sts_url"`
	// GatewayURL is the Gateway (CARACAL_GATEWAY_URL).
	GatewayURL string `yaml:"gateway_url" json:"gateway_url"`
	// AuditURL is the Audit service (CARACAL_AUDIT_URL).
	AuditURL string `yaml:"audit_url" json:"audit_url"`
	// CoordinatorURL is the Coordinator (CARACAL_COORDINATOR_URL).
	CoordinatorURL string `yaml:"coordinator_url" json:"coordinator_url"`

	// AdminToken is the Admin API bearer (CARACAL_ADMIN_TOKEN).
	AdminToken Secret `yaml:"admin_token,omitempty" json:"admin_token,omitempty"`
	// AdminTokenFile is the file AdminToken was read from, if any
	// (admin_token_file, CARACAL_ADMIN_TOKEN_FILE).
	AdminTokenFile string `yaml:"admin_token_file,omitempty" json:"admin_token_file,omitempty"`
	// MetricsBearer is sent to the services' /metrics.json
	// (CARACAL_METRICS_BEARER).
	MetricsBearer Secret `yaml:"metrics_bearer,omitempty" json:"metrics_bearer,omitempty"`
	// MetricsBearerFile is the file MetricsBearer was read from, if any
	// (metrics_bearer_file, CARACAL_METRICS_BEARER_FILE).
	MetricsBearerFile string `yaml:"metrics_bearer_file,omitempty" json:"metrics_bearer_file,omitempty"`
	// CoordinatorToken is the Coordinator operator token for /stats
	// (CARACAL_COORDINATOR_TOKEN).
	CoordinatorToken Secret `yaml:"coordinator_token,omitempty" json:"coordinator_token,omitempty"`
	// CoordinatorTokenFile is the file CoordinatorToken was read from, if
	// any (coordinator_token_file, CARACAL_COORDINATOR_TOKEN_FILE).
	CoordinatorTokenFile string `yaml:"coordinator_token_file,omitempty" json:"coordinator_token_file,omitempty"`

	// ZoneID is the default zone (CARACAL_ZONE_ID); empty means none.
	ZoneID string `yaml:"zone_id,omitempty" json:"zone_id,omitempty"`
	// CallTimeout bounds one HTTP attempt.
	CallTimeout time.Duration `yaml:"call_timeout" json:"call_timeout"`
	// DiagnosisTimeout bounds a whole diagnosis (`why`).
	DiagnosisTimeout time.Duration `yaml:"diagnosis_timeout" json:"diagnosis_timeout"`
	// MaxRetries is how many times a failed GET is retried (0..10).
	MaxRetries int `yaml:"max_retries" json:"max_retries"`
	// ReadBudgetMiB bounds the response bytes one command reads from
	// Caracal, all calls together (CARACAL_READ_BUDGET_MIB, 1..1024);
	// what is past it is reported as not read.
	ReadBudgetMiB int `yaml:"read_budget_mib" json:"read_budget_mib"`
}

// Permissions say who may run what where (see bot.Policy).
type Permissions struct {
	// Channels is the allowlist of channel IDs; empty allows every channel.
	Channels []string `yaml:"channels,omitempty" json:"channels,omitempty"`
	// Commands restricts commands to users or groups, e.g. bundle and
	// ticket to the on-call user group.
	Commands map[string]CommandRule `yaml:"commands,omitempty" json:"commands,omitempty"`
}

// CommandRule lists the user IDs and group IDs (Slack user groups, Discord
// roles) allowed to run one command.
type CommandRule struct {
	Users  []string `yaml:"users,omitempty" json:"users,omitempty"`
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
}

// Channel binds one chat channel to zones: its questions default to ZoneID,
// and it may read ZoneID and Zones and no other zone.
type Channel struct {
	// Channel is the platform's channel ID (e.g. Slack C0123).
	Channel string `yaml:"channel" json:"channel"`
	// ZoneID is the zone used for that channel.
	ZoneID string `yaml:"zone_id" json:"zone_id"`
	// Zones are the other zones the channel may read (with --zone).
	Zones []string `yaml:"zones,omitempty" json:"zones,omitempty"`
}

// Log configures the bot's own log output.
type Log struct {
	// Level is debug, info, warn or error (BOT_LOG_LEVEL).
	Level string `yaml:"level" json:"level"`
	// Format is text or json (BOT_LOG_FORMAT).
	Format string `yaml:"format" json:"format"`
}

// SlogLevel returns Level as a slog.Level (info when unknown).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// Default returns the configuration used when there is no file and no
// environment: every default, no tokens, no zone, no channels.
func Default() *Config {
	c := newConfig()
	c.applyDefaults()
	return c
}

// File returns the YAML file the configuration was loaded from, or "" when
// none was used.
func (c *Config) File() string { return c.file }

func newConfig() *Config { return &Config{origins: map[string]Origin{}} }

// setting describes one scalar setting: its YAML path, its environment
// variable, its default (as the environment would spell it), the field it
// lives in, and for tokens the sibling *_file field. It is the one table
// that environment overrides, defaults, validation and Summary read.
type setting struct {
	path string
	env  string
	def  string
	ptr  any     // *string, *Secret, *time.Duration, *int or *bool
	file *string // tokens only: the *_file field
	// check returns what is wrong with a set value, or "".
	check func(string) string
	// norm returns a valid value in canonical form.
	norm func(string) string
}

// urlSetting is a setting holding an absolute http(s) URL.
func urlSetting(path, env, def string, ptr *string) setting {
	return setting{path: path, env: env, def: def, ptr: ptr, check: checkURL,
		norm: func(s string) string { return strings.TrimRight(s, "/") }}
}

// fileEnv and filePath name the *_file forms of a token setting.
func (s setting) fileEnv() string  { return s.env + "_FILE" }
func (s setting) filePath() string { return s.path + "_file" }

func (c *Config) settings() []setting {
	k := &c.Caracal
	return append([]setting{
		urlSetting("caracal.api_url", "CARACAL_API_URL", DefaultAPIURL, &k.APIURL),
		urlSetting("caracal.sts_url", "CARACAL_STS_URL", DefaultSTSURL, &k.STSURL),
		urlSetting("caracal.gateway_url", "CARACAL_GATEWAY_URL", DefaultGatewayURL, &k.GatewayURL),
		urlSetting("caracal.audit_url", "CARACAL_AUDIT_URL", DefaultAuditURL, &k.AuditURL),
		urlSetting("caracal.coordinator_url", "CARACAL_COORDINATOR_URL", DefaultCoordinatorURL, &k.CoordinatorURL),
		{path: "caracal.admin_token", env: "CARACAL_ADMIN_TOKEN", ptr: &k.AdminToken, file: &k.AdminTokenFile, check: checkToken},
		{path: "caracal.metrics_bearer", env: "CARACAL_METRICS_BEARER", ptr: &k.MetricsBearer, file: &k.MetricsBearerFile, check: checkToken},
		{path: "caracal.coordinator_token", env: "CARACAL_COORDINATOR_TOKEN", ptr: &k.CoordinatorToken, file: &k.CoordinatorTokenFile, check: checkToken},
		{path: "caracal.zone_id", env: "CARACAL_ZONE_ID", ptr: &k.ZoneID, check: checkOptionalID},
		{path: "caracal.call_timeout", def: DefaultCallTimeout.String(), ptr: &k.CallTimeout},
		{path: "caracal.diagnosis_timeout", def: DefaultDiagnosisTimeout.String(), ptr: &k.DiagnosisTimeout},
		{path: "caracal.max_retries", def: strconv.Itoa(DefaultMaxRetries), ptr: &k.MaxRetries},
		{path: "caracal.read_budget_mib", env: "CARACAL_READ_BUDGET_MIB", def: strconv.Itoa(DefaultReadBudgetMiB), ptr: &k.ReadBudgetMiB},
		urlSetting("docs_url", "CARACAL_DOCS_URL", DefaultDocsURL, &c.DocsURL),
		{path: "log.level", env: "BOT_LOG_LEVEL", def: DefaultLogLevel, ptr: &c.Log.Level, check: oneOf("debug", "info", "warn", "error"), norm: strings.ToLower},
		{path: "log.format", env: "BOT_LOG_FORMAT", def: DefaultLogFormat, ptr: &c.Log.Format, check: oneOf("text", "json"), norm: strings.ToLower},
		{path: "listen_addr", env: "BOT_LISTEN_ADDR", def: DefaultListenAddr, ptr: &c.ListenAddr, check: checkListenAddr},
		{path: "ops_listen_addr", env: "BOT_OPS_LISTEN_ADDR", ptr: &c.OpsListenAddr, check: checkOptionalListenAddr},
		{path: "slack.bot_token", env: "SLACK_BOT_TOKEN", ptr: &c.Slack.BotToken, file: &c.Slack.BotTokenFile, check: checkToken},
		{path: "slack.app_token", env: "SLACK_APP_TOKEN", ptr: &c.Slack.AppToken, file: &c.Slack.AppTokenFile, check: checkToken},
		{path: "slack.signing_secret", env: "SLACK_SIGNING_SECRET", ptr: &c.Slack.SigningSecret, file: &c.Slack.SigningSecretFile, check: checkToken},
		{path: "slack.api_url", env: "SLACK_API_URL", def: DefaultSlackAPIURL, ptr: &c.Slack.APIURL, check: checkURL,
			norm: func(s string) string { return strings.TrimRight(s, "/") + "/" }},
		{path: "discord.bot_token", env: "DISCORD_BOT_TOKEN", ptr: &c.Discord.BotToken, file: &c.Discord.BotTokenFile, check: checkToken},
		{path: "discord.app_id", env: "DISCORD_APP_ID", ptr: &c.Discord.AppID, check: checkOptionalID},
		{path: "discord.public_key", env: "DISCORD_PUBLIC_KEY", ptr: &c.Discord.PublicKey, check: checkPublicKey},
		{path: "discord.guild_ids", env: "DISCORD_GUILD_IDS", ptr: &c.Discord.GuildIDs, check: checkIDList},
		{path: "discord.allow_dms", env: "DISCORD_ALLOW_DMS", def: "false", ptr: &c.Discord.AllowDMs},
		{path: "discord.default_member_permissions", env: "DISCORD_DEFAULT_MEMBER_PERMISSIONS", def: DefaultDiscordMemberPermissions,
			ptr: &c.Discord.DefaultMemberPermissions, check: checkPermissions},
		urlSetting("discord.api_url", "DISCORD_API_URL", DefaultDiscordAPIURL, &c.Discord.APIURL),
		{path: "redis_url", env: "REDIS_URL", ptr: &c.RedisURL, check: checkRedisURL},
		{path: "state_dir", env: "BOT_STATE_DIR", ptr: &c.StateDir, check: checkStateDir},
		{path: "require_https", env: "BOT_REQUIRE_HTTPS", ptr: &c.RequireHTTPS},
		{path: "limits.user_per_minute", env: "BOT_USER_COMMANDS_PER_MINUTE", def: strconv.Itoa(DefaultUserPerMinute), ptr: &c.Limits.UserPerMinute},
		{path: "limits.channel_per_minute", env: "BOT_CHANNEL_COMMANDS_PER_MINUTE", def: strconv.Itoa(DefaultChannelPerMinute), ptr: &c.Limits.ChannelPerMinute},
	}, c.ticketSettings()...)
}

// envFor returns the environment variable of a YAML path, or "".
func (c *Config) envFor(path string) string {
	for _, s := range c.settings() {
		switch path {
		case s.path:
			return s.env
		case s.filePath():
			if s.file != nil {
				return s.fileEnv()
			}
		}
	}
	return ""
}

// applyDefaults fills every setting that neither the file nor the
// environment set.
func (c *Config) applyDefaults() {
	for _, s := range c.settings() {
		if _, set := c.origins[s.path]; set || s.def == "" {
			continue
		}
		// Defaults are constants that always parse.
		_ = setFromString(s.ptr, s.def)
		c.origins[s.path] = Origin{Source: SourceDefault}
	}
}
