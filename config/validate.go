package config

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Limits checked by validation.
const (
	minTimeout          = 10 * time.Millisecond
	maxCallTimeout      = 2 * time.Minute
	maxDiagnosisTimeout = 10 * time.Minute
	maxRetries          = 10
	maxReadBudgetMiB    = 1024
	maxPerMinute        = 1_000_000
	maxIDLen            = 128
	maxShownProblems    = 50
	maxQuotedRunes      = 120
)

// Problem is one thing wrong with the configuration.
type Problem struct {
	// Field is the setting's YAML path, e.g. "caracal.sts_url" or
	// "channels[2].zone_id"; "" means the file as a whole.
	Field string `json:"field"`
	// Env is the environment variable that sets the field, "" when none.
	// For a token read from a file it is the X_FILE variable.
	Env string `json:"env,omitempty"`
	// Line is the line in the YAML file the value came from, 0 when it did
	// not come from the file.
	Line int `json:"line,omitempty"`
	// Message says what is wrong. It never contains a token.
	Message string `json:"message"`
}

// String renders the problem as `field (ENV, line N): message`.
func (p Problem) String() string {
	field := p.Field
	if field == "" {
		field = "file"
	}
	var tags []string
	if p.Env != "" {
		tags = append(tags, p.Env)
	}
	if p.Line > 0 {
		tags = append(tags, "line "+strconv.Itoa(p.Line))
	}
	if len(tags) > 0 {
		field += " (" + strings.Join(tags, ", ") + ")"
	}
	return field + ": " + p.Message
}

// ValidationError lists every problem found while loading the
// configuration. Load returns it (as error) for everything except an
// unreadable or unparseable file; use errors.As to inspect it.
type ValidationError struct {
	// File is the YAML file loaded, "" when none.
	File string
	// Problems are in the order found: file structure, tokens, values.
	Problems []Problem
}

// Error lists the problems, one per line when there are several.
func (e *ValidationError) Error() string {
	head := "invalid configuration"
	if e.File != "" {
		head += " in " + e.File
	}
	if len(e.Problems) == 1 {
		return head + ": " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problems:", head, len(e.Problems))
	for i, p := range e.Problems {
		if i == maxShownProblems {
			fmt.Fprintf(&b, "\n  - ... and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  - " + p.String())
	}
	return b.String()
}

// problem builds a Problem for a YAML path, naming its environment variable
// and, when the value came from the file, its line.
func (c *Config) problem(path, msg string) Problem {
	p := Problem{Field: path, Env: c.envFor(path), Message: msg}
	for q := path; q != ""; q = parent(q) {
		o, ok := c.origins[q]
		if !ok {
			continue
		}
		if o.Source == SourceEnv && o.Env != "" && q == path {
			p.Env = o.Env
		}
		if o.Source == SourceFile {
			p.Line = o.Line
		}
		break
	}
	return p
}

// parent strips the last key or index of a YAML path.
func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// validate checks every value and returns what is wrong.
func (c *Config) validate() []Problem {
	var problems []Problem
	add := func(path, msg string) { problems = append(problems, c.problem(path, msg)) }
	for _, s := range c.settings() {
		if v, ok := stringValue(s.ptr); ok && s.check != nil {
			if msg := s.check(v); msg != "" {
				add(s.path, msg)
			}
		}
	}

	k := c.Caracal
	callOK := checkTimeout(add, "caracal.call_timeout", k.CallTimeout, maxCallTimeout)
	diagOK := checkTimeout(add, "caracal.diagnosis_timeout", k.DiagnosisTimeout, maxDiagnosisTimeout)
	if callOK && diagOK && k.CallTimeout > k.DiagnosisTimeout {
		add("caracal.call_timeout", fmt.Sprintf("must not exceed caracal.diagnosis_timeout (%s), got %s",
			k.DiagnosisTimeout, k.CallTimeout))
	}
	if k.MaxRetries < 0 || k.MaxRetries > maxRetries {
		add("caracal.max_retries", fmt.Sprintf("must be between 0 and %d, got %d", maxRetries, k.MaxRetries))
	}
	if k.ReadBudgetMiB < 1 || k.ReadBudgetMiB > maxReadBudgetMiB {
		add("caracal.read_budget_mib", fmt.Sprintf("must be between 1 and %d, got %d", maxReadBudgetMiB, k.ReadBudgetMiB))
	}
	for _, l := range []struct {
		path string
		n    int
	}{{"limits.user_per_minute", c.Limits.UserPerMinute}, {"limits.channel_per_minute", c.Limits.ChannelPerMinute}} {
		if l.n < 0 || l.n > maxPerMinute {
			add(l.path, fmt.Sprintf("must be between 0 (unlimited) and %d, got %d", maxPerMinute, l.n))
		}
	}

	first := map[string]int{}
	for i, ch := range c.Channels {
		base := fmt.Sprintf("channels[%d]", i)
		switch {
		case ch.Channel == "":
			add(base+".channel", "is required")
		case checkID(ch.Channel) != "":
			add(base+".channel", checkID(ch.Channel))
		default:
			if j, dup := first[ch.Channel]; dup {
				add(base+".channel", fmt.Sprintf("duplicate mapping for channel %q (first at channels[%d])", ch.Channel, j))
			} else {
				first[ch.Channel] = i
			}
		}
		if ch.ZoneID == "" {
			add(base+".zone_id", "is required")
		} else if msg := checkID(ch.ZoneID); msg != "" {
			add(base+".zone_id", msg)
		}
		checkChannelZones(add, base, ch)
	}
	for i, ch := range c.Permissions.Channels {
		if msg := checkID(ch); msg != "" {
			add(fmt.Sprintf("permissions.channels[%d]", i), msg)
		}
	}
	for name, rule := range c.Permissions.Commands {
		base := "permissions.commands." + name
		if checkID(name) != "" {
			add(base, "is not a command name")
		}
		if len(rule.Users) == 0 && len(rule.Groups) == 0 {
			add(base, "lists no users or groups, so nobody could run it; remove the rule to open the command")
		}
		for i, id := range append(append([]string{}, rule.Users...), rule.Groups...) {
			if msg := checkID(id); msg != "" {
				add(fmt.Sprintf("%s[%d]", base, i), msg)
			}
		}
	}
	c.checkSchedules(add)
	c.checkDenialWatch(add)
	c.checkTickets(add)
	if c.RequireHTTPS {
		for _, e := range c.InsecureEndpoints() {
			add(e.Field, fmt.Sprintf("sends %s unencrypted to %s, and require_https is on; use https (rediss:// for Redis)", e.Credential, e.Host))
		}
	}
	if c.Discord.BotToken.IsSet() && c.Discord.AppID == "" {
		add("discord.app_id", "is required with discord.bot_token (DISCORD_BOT_TOKEN)")
	}
	if c.Discord.BotToken.IsSet() && !c.Discord.UseGateway() && c.Discord.PublicKey == "" {
		add("discord.public_key", "is required for HTTP interactions when the gateway is off")
	}
	if c.OpsListenAddr != "" && c.OpsListenAddr == c.ListenAddr {
		add("ops_listen_addr", "must differ from listen_addr, which serves the chat endpoints")
	}
	if c.Slack.BotToken.IsSet() && !c.Slack.AppToken.IsSet() && !c.Slack.SigningSecret.IsSet() {
		add("slack.signing_secret", "is required for the HTTP endpoints when slack.app_token (Socket Mode) is not set")
	}
	return problems
}

// checkRedisURL reports a REDIS_URL that is not redis:// or rediss://; the
// value may hold a password, so it is never echoed.
func checkRedisURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return "must be redis://[:password@]host:port[/db] or rediss://..."
	}
	return ""
}

// checkPublicKey reports a value that is not a hex Ed25519 public key.
func checkPublicKey(s string) string {
	if s == "" {
		return ""
	}
	if b, err := hex.DecodeString(s); err != nil || len(b) != ed25519.PublicKeySize {
		return "must be the application's public key: 64 hex characters"
	}
	return ""
}

// checkPermissions reports a value that is not a Discord permission
// bitfield: decimal digits that fit in an int64.
func checkPermissions(s string) string {
	_, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strings.TrimLeft(s, "0123456789") != "" {
		return "must be a decimal permission bitfield such as 2048 (Send Messages) or 0 (administrators only), got " + quote(s)
	}
	return ""
}

// checkIDList reports a comma-separated list with a malformed id.
func checkIDList(s string) string {
	if s == "" {
		return ""
	}
	for _, id := range strings.Split(s, ",") {
		if msg := checkID(strings.TrimSpace(id)); msg != "" {
			return "every comma-separated entry " + msg
		}
	}
	return ""
}

// checkListenAddr reports an address net.Listen would refuse in form.
func checkListenAddr(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil || port == "" || strings.ContainsAny(host, " /") {
		return fmt.Sprintf("must be host:port or :port, got %q", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("port must be 0-65535, got %q", port)
	}
	return ""
}

// checkOptionalListenAddr is checkListenAddr that also accepts "" (unset).
func checkOptionalListenAddr(s string) string {
	if s == "" {
		return ""
	}
	return checkListenAddr(s)
}

// checkTimeout reports a duration outside [minTimeout, upper].
func checkTimeout(add func(path, msg string), path string, d, upper time.Duration) bool {
	switch {
	case d <= 0:
		add(path, fmt.Sprintf("must be positive, got %s", d))
	case d < minTimeout:
		add(path, fmt.Sprintf("must be at least %s, got %s", minTimeout, d))
	case d > upper:
		add(path, fmt.Sprintf("must be at most %s, got %s", upper, d))
	default:
		return true
	}
	return false
}

// checkURL accepts an absolute http(s) URL with a host, optionally a path
// prefix, and no credentials, query or fragment.
func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Hostname() == "":
		return "must be an absolute http(s) URL, got " + safeURL(s)
	case u.User != nil:
		return "must not contain credentials (user@ or user:password@); configure tokens separately, got " + safeURL(s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "must not have a query or fragment, got " + safeURL(s)
	}
	return ""
}

// safeURL quotes a URL for a message with any user information masked.
func safeURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		masked := *u
		masked.User = url.User("xxxxx")
		return quote(masked.String())
	}
	if strings.Contains(s, "@") {
		return `a value containing "@" (not shown: it may hold credentials)`
	}
	return quote(s)
}

// checkToken accepts "" (unset) or a single word of printable ASCII of at
// most MaxTokenBytes. Its messages never include the token.
func checkToken(s string) string {
	if s == "" {
		return ""
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "must not contain whitespace (look for a stray space or line break); value not shown"
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return "must contain only printable ASCII characters; value not shown"
	}
	if len(s) > MaxTokenBytes {
		return fmt.Sprintf("must be at most %d bytes (Caracal's bearer limit); value not shown", MaxTokenBytes)
	}
	return ""
}

// checkID accepts a Caracal path id: 1 to 128 of A-Z a-z 0-9 _ . - :.
func checkID(s string) string {
	ok := len(s) >= 1 && len(s) <= maxIDLen
	for i := 0; ok && i < len(s); i++ {
		b := s[i]
		ok = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("_.-:", b) >= 0
	}
	if ok {
		return ""
	}
	return "must be 1 to 128 characters of A-Z a-z 0-9 _ . - :, got " + quote(s)
}

// checkOptionalID is checkID that also accepts "".
func checkOptionalID(s string) string {
	if s == "" {
		return ""
	}
	return checkID(s)
}

// oneOf accepts one of values, in any letter case.
func oneOf(values ...string) func(string) string {
	return func(s string) string {
		if slices.Contains(values, strings.ToLower(s)) {
			return ""
		}
		return fmt.Sprintf("must be one of %s, got %s", strings.Join(values, ", "), quote(s))
	}
}

// quote quotes a value for a message, shortening long ones.
func quote(s string) string {
	if r := []rune(s); len(r) > maxQuotedRunes {
		return strconv.Quote(string(r[:maxQuotedRunes])) + "..."
	}
	return strconv.Quote(s)
}
