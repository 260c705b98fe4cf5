package config

import (
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Source says where a setting's value came from.
type Source string

// Sources, lowest precedence first.
const (
	SourceDefault Source = "default"
	SourceFile    Source = "file"
	SourceEnv     Source = "env"
)

// Origin is where one setting's value came from.
type Origin struct {
	Source Source `json:"source"`
	// Env is the variable that set the value (SourceEnv).
	Env string `json:"env,omitempty"`
	// Line is the line in the YAML file (SourceFile).
	Line int `json:"line,omitempty"`
	// Path is the token file the value was read from, if any.
	Path string `json:"path,omitempty"`
}

// String renders the origin for people: "default", "file, line 4",
// "env CARACAL_STS_URL", "env CARACAL_ADMIN_TOKEN_FILE, read from /run/x".
func (o Origin) String() string {
	var s string
	switch o.Source {
	case SourceFile:
		s = "file"
		if o.Line > 0 {
			s += ", line " + strconv.Itoa(o.Line)
		}
	case SourceEnv:
		s = "env " + o.Env
	default:
		s = string(SourceDefault)
	}
	if o.Path != "" {
		s += ", read from " + o.Path
	}
	return s
}

// SummaryEntry is one line of the configuration summary. It never holds a
// token: Value is "set" or "unset" for secrets.
type SummaryEntry struct {
	// Setting is the YAML path, e.g. "caracal.sts_url" or "channels[0]".
	Setting string `json:"setting"`
	// Env is the environment variable that can set it, "" when none.
	Env string `json:"env,omitempty"`
	// Value is the effective value; "set"/"unset" for secrets.
	Value string `json:"value"`
	// Secret marks token settings.
	Secret bool `json:"secret,omitempty"`
	// Origin is where the value came from.
	Origin Origin `json:"origin"`
}

// SummaryEntries describes every setting, in file order, for
// `config check --format json`. Tokens are shown only as set or unset.
func (c *Config) SummaryEntries() []SummaryEntry {
	var entries []SummaryEntry
	for _, s := range c.settings() {
		e := SummaryEntry{Setting: s.path, Env: s.env, Origin: c.origin(s.path)}
		switch p := s.ptr.(type) {
		case *Secret:
			e.Secret, e.Value = true, "unset"
			if p.IsSet() {
				e.Value = "set"
			}
		case *string:
			e.Value = *p
		case *time.Duration:
			e.Value = p.String()
		case *int:
			e.Value = strconv.Itoa(*p)
		case *bool:
			e.Value = strconv.FormatBool(*p)
		}
		entries = append(entries, e)
	}
	mapped := "none"
	if len(c.Channels) > 0 {
		mapped = fmt.Sprintf("%d mapped", len(c.Channels))
	}
	entries = append(entries, SummaryEntry{Setting: "channels", Value: mapped, Origin: c.origin("channels")})
	for i, ch := range c.Channels {
		p := fmt.Sprintf("channels[%d]", i)
		entries = append(entries, SummaryEntry{Setting: p,
			Value: ch.Channel + " -> " + strings.Join(ch.readable(), ", "), Origin: c.origin(p)})
	}
	allowed := "every channel"
	if n := len(c.Permissions.Channels); n > 0 {
		allowed = strings.Join(c.Permissions.Channels, " ")
	}
	entries = append(entries, SummaryEntry{Setting: "permissions.channels", Value: allowed, Origin: c.origin("permissions.channels")})
	names := make([]string, 0, len(c.Permissions.Commands))
	for name := range c.Permissions.Commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rule := c.Permissions.Commands[name]
		p := "permissions.commands." + name
		var who []string
		if len(rule.Users) > 0 {
			who = append(who, "users "+strings.Join(rule.Users, ","))
		}
		if len(rule.Groups) > 0 {
			who = append(who, "groups "+strings.Join(rule.Groups, ","))
		}
		entries = append(entries, SummaryEntry{Setting: p, Origin: c.origin(p), Value: strings.Join(who, "; ")})
	}
	return entries
}

// LogValue logs the configuration as the redacted summary: the file, then
// one attribute per setting, tokens as set/unset.
func (c *Config) LogValue() slog.Value {
	entries := c.SummaryEntries()
	attrs := make([]slog.Attr, 0, len(entries)+1)
	if c.file != "" {
		attrs = append(attrs, slog.String("file", c.file))
	}
	for _, e := range entries {
		attrs = append(attrs, slog.String(e.Setting, e.Value))
	}
	return slog.GroupValue(attrs...)
}

// origin returns where a setting came from (default when not recorded).
func (c *Config) origin(path string) Origin {
	if o, ok := c.origins[path]; ok {
		return o
	}
	return Origin{Source: SourceDefault}
}

// Summary is a human-readable, redacted description of the configuration
// for `caracal-bot config check`: the file used, then each setting, its
// value, where it came from and its environment variable. Tokens are shown
// as set or unset, never with their value or length.
func (c *Config) Summary() string {
	var b strings.Builder
	if c.file != "" {
		fmt.Fprintf(&b, "config file: %s\n\n", c.file)
	} else {
		b.WriteString("config file: none (environment and defaults only)\n\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "SETTING\tVALUE\tFROM\tENV")
	for _, e := range c.SummaryEntries() {
		value := e.Value
		if value == "" {
			value = "(none)"
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Setting, value, e.Origin, e.Env)
	}
	_ = tw.Flush()
	// tabwriter pads the empty ENV cells; drop the trailing blanks.
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
