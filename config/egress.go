package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Secrets returns the value of every secret the bot is configured with
// (each token, whether set directly or read from a *_FILE), plus the
// secrets inside other values: the password of REDIS_URL and a ticket
// webhook URL whose path may grant posting. The egress scrubber removes
// them all from everything the bot emits.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range c.settings() {
		if p, ok := s.ptr.(*Secret); ok && p.IsSet() {
			out = append(out, p.Reveal())
		}
	}
	if u, err := url.Parse(c.RedisURL.Reveal()); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw, u.User.String())
		}
	}
	if CapabilityURL(c.Tickets.WebhookURL) {
		out = append(out, c.Tickets.WebhookURL)
	}
	return out
}

// CapabilityURL reports whether a URL has a path, which may itself grant
// posting (as a chat platform's incoming webhook does); such a URL is
// treated as a secret.
func CapabilityURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Host != "" && u.Path != "" && u.Path != "/"
}

// InsecureEndpoint is a URL that would carry a credential unencrypted
// to a host other than loopback.
type InsecureEndpoint struct {
	Field      string // YAML path, e.g. caracal.api_url
	Env        string // its environment variable
	Host       string
	Credential string // what it would carry, e.g. "the Caracal admin token"
}

// String says what is at risk and what to do.
func (e InsecureEndpoint) String() string {
	return fmt.Sprintf("%s (%s) sends %s unencrypted to %s; use https (rediss:// for Redis); require_https: true refuses to start like this",
		e.Field, e.Env, e.Credential, e.Host)
}

// InsecureEndpoints lists every credential-carrying URL that is plain
// http:// to a host other than loopback (redis:// with a password for
// Redis). config check and serve warn about each; require_https makes
// them errors.
func (c *Config) InsecureEndpoints() []InsecureEndpoint {
	k, t := c.Caracal, c.Tickets
	candidates := []struct {
		path, raw, credential string
		carries               bool
	}{
		{"caracal.api_url", k.APIURL, "the Caracal admin token", k.AdminToken.IsSet()},
		{"caracal.sts_url", k.STSURL, "the metrics bearer", k.MetricsBearer.IsSet()},
		{"caracal.gateway_url", k.GatewayURL, "the metrics bearer", k.MetricsBearer.IsSet()},
		{"caracal.audit_url", k.AuditURL, "the metrics bearer", k.MetricsBearer.IsSet()},
		{"caracal.coordinator_url", k.CoordinatorURL, "the Coordinator token", k.CoordinatorToken.IsSet()},
		{"slack.api_url", c.Slack.APIURL, "the Slack bot token", c.Slack.BotToken.IsSet()},
		{"discord.api_url", c.Discord.APIURL, "the Discord bot token", c.Discord.BotToken.IsSet()},
		{"tickets.jira_url", t.JiraURL, "the Jira API token", t.JiraAPIToken.IsSet()},
		{"tickets.github_api_url", t.GitHubAPIURL, "the GitHub token", t.GitHubToken.IsSet()},
		{"tickets.webhook_url", t.WebhookURL, "its own path, which may grant posting, and diagnostic bundles", CapabilityURL(t.WebhookURL)},
		{"redis_url", c.RedisURL.Reveal(), "the Redis password", hasPassword(c.RedisURL.Reveal())},
	}
	var out []InsecureEndpoint
	for _, e := range candidates {
		u, err := url.Parse(e.raw)
		if !e.carries || err != nil || (u.Scheme != "http" && u.Scheme != "redis") || loopback(u.Hostname()) {
			continue
		}
		out = append(out, InsecureEndpoint{Field: e.path, Env: c.envFor(e.path), Host: u.Hostname(), Credential: e.credential})
	}
	return out
}

func hasPassword(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return false
	}
	_, ok := u.User.Password()
	return ok
}

// loopback reports whether host is this machine: localhost or a loopback
// address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
