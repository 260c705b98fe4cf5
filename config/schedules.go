package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule and watch defaults and limits.
const (
	// DefaultScheduleWindow is how far back a scheduled digest looks.
	DefaultScheduleWindow = 24 * time.Hour
	// DefaultWatchInterval is how often the readiness watch polls.
	DefaultWatchInterval = 60 * time.Second
	// DefaultWatchHold is how many polls in a row a readiness state must
	// hold before the watch announces it.
	DefaultWatchHold = 2

	minScheduleWindow = time.Hour
	maxScheduleWindow = 7 * 24 * time.Hour
	minWatchInterval  = 5 * time.Second
	maxWatchInterval  = time.Hour
	maxWatchHold      = 20
	maxJobNameLen     = 64
)

// Kinds of scheduled job.
const (
	// KindDigest posts the health digest (the only kind today).
	KindDigest = "digest"
)

// Schedule is one scheduled job (YAML `schedules:`): when it runs, in which
// time zone, what it covers and where it posts.
type Schedule struct {
	// Name identifies the job in logs, the run log and error messages.
	Name string `yaml:"name" json:"name"`
	// Spec is a standard 5-field cron spec ("0 9 * * 1-5") or a named
	// descriptor (@daily, @hourly...). CRON_TZ=/TZ= prefixes are refused:
	// set Timezone instead.
	Spec string `yaml:"spec" json:"spec"`
	// Timezone is the IANA zone the spec is read in (default UTC).
	Timezone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	// Kind is what the job does: digest (the default).
	Kind string `yaml:"kind,omitempty" json:"kind,omitempty"`
	// Channels are the channel IDs posted to, by chat platform
	// (slack_channels, discord_channels).
	Channels Channels `yaml:"*_channels" json:"channels,omitempty"`
	// Zones are the Caracal zones covered; empty means caracal.zone_id.
	Zones []string `yaml:"zones,omitempty" json:"zones,omitempty"`
	// Since is the digest's window (default 24h).
	Since time.Duration `yaml:"since,omitempty" json:"since,omitempty"`
}

// Window returns Since, or DefaultScheduleWindow when unset.
func (s Schedule) Window() time.Duration {
	if s.Since <= 0 {
		return DefaultScheduleWindow
	}
	return s.Since
}

// JobKind returns Kind, or KindDigest when unset.
func (s Schedule) JobKind() string {
	if s.Kind == "" {
		return KindDigest
	}
	return strings.ToLower(s.Kind)
}

// TimezoneName returns Timezone, or "UTC" when unset.
func (s Schedule) TimezoneName() string {
	if s.Timezone == "" {
		return "UTC"
	}
	return s.Timezone
}

// Watch configures the readiness watch (YAML `watch:`): it polls the five
// services' /ready and posts when Caracal stops or starts being ready.
type Watch struct {
	// Enabled turns the watch on.
	Enabled bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Interval is the time between polls (default 60s).
	Interval time.Duration `yaml:"interval,omitempty" json:"interval,omitempty"`
	// Hold is how many polls in a row a state must hold before it is
	// announced (default 2), so a one-poll flap stays quiet.
	Hold int `yaml:"hold,omitempty" json:"hold,omitempty"`
	// Channels are the channel IDs posted to, by chat platform
	// (slack_channels, discord_channels).
	Channels Channels `yaml:"*_channels" json:"channels,omitempty"`
}

// PollInterval returns Interval, or DefaultWatchInterval when unset.
func (w Watch) PollInterval() time.Duration {
	if w.Interval <= 0 {
		return DefaultWatchInterval
	}
	return w.Interval
}

// HoldPolls returns Hold, or DefaultWatchHold when unset.
func (w Watch) HoldPolls() int {
	if w.Hold <= 0 {
		return DefaultWatchHold
	}
	return w.Hold
}

// checkStateDir accepts "" (no run log on disk) or a directory path.
func checkStateDir(s string) string {
	if strings.ContainsRune(s, 0) || strings.TrimSpace(s) != s {
		return "must be a directory path without leading or trailing blanks, got " + quote(s)
	}
	return ""
}

// checkSchedules validates `schedules:` and `watch:`.
func (c *Config) checkSchedules(add func(path, msg string)) {
	seen := map[string]int{}
	for i, s := range c.Schedules {
		base := fmt.Sprintf("schedules[%d]", i)
		switch {
		case s.Name == "":
			add(base+".name", "is required")
		case checkJobName(s.Name) != "":
			add(base+".name", checkJobName(s.Name))
		default:
			if j, dup := seen[s.Name]; dup {
				add(base+".name", fmt.Sprintf("duplicate job name %q (first at schedules[%d])", s.Name, j))
			}
			seen[s.Name] = i
		}
		label := "job " + quote(s.Name) + ": "
		if msg := CheckCronSpec(s.Spec); msg != "" {
			add(base+".spec", label+msg)
		}
		if msg := checkTimezone(s.Timezone); msg != "" {
			add(base+".timezone", label+msg)
		}
		switch s.JobKind() {
		case KindDigest:
		case "watch":
			add(base+".kind", label+"the readiness watch is configured under watch:, not as a schedule")
		default:
			add(base+".kind", label+"must be digest, got "+quote(s.Kind))
		}
		if s.Since != 0 && (s.Since < minScheduleWindow || s.Since > maxScheduleWindow) {
			add(base+".since", fmt.Sprintf("%smust be between %s and %s, got %s", label, minScheduleWindow, maxScheduleWindow, s.Since))
		}
		for j, z := range s.Zones {
			if msg := checkID(z); msg != "" {
				add(fmt.Sprintf("%s.zones[%d]", base, j), msg)
			}
		}
		if len(s.Zones) == 0 && c.Caracal.ZoneID == "" {
			add(base+".zones", label+"lists no zones and caracal.zone_id (CARACAL_ZONE_ID) is unset")
		}
		c.checkTargets(add, base, label, s.Channels)
	}
	w := c.Watch
	if w.Interval != 0 && (w.Interval < minWatchInterval || w.Interval > maxWatchInterval) {
		add("watch.interval", fmt.Sprintf("must be between %s and %s, got %s", minWatchInterval, maxWatchInterval, w.Interval))
	}
	if w.Hold < 0 || w.Hold > maxWatchHold {
		add("watch.hold", fmt.Sprintf("must be between 1 and %d polls, got %d", maxWatchHold, w.Hold))
	}
	if w.Enabled || w.Channels.Len() > 0 {
		c.checkTargets(add, "watch", "", w.Channels)
	}
}

// checkTargets checks a job's channel lists: at least one channel, valid
// IDs, and a configured platform for each list.
func (c *Config) checkTargets(add func(path, msg string), base, label string, ch Channels) {
	platforms := c.ChatPlatforms()
	if ch.Len() == 0 {
		add(base+"."+ChannelsKey(platforms[0].Name), label+"lists no channels: set "+c.ChannelKeys())
		return
	}
	for _, p := range platforms {
		key, ids := ChannelsKey(p.Name), ch[p.Name]
		if len(ids) > 0 && !p.Enabled {
			add(base+"."+key, label+"cannot be posted to: "+p.Token+" ("+p.TokenEnv+") is not set")
		}
		for j, id := range ids {
			if msg := checkID(id); msg != "" {
				add(fmt.Sprintf("%s.%s[%d]", base, key, j), msg)
			}
		}
	}
}

// checkJobName accepts 1 to 64 of A-Z a-z 0-9 _ . -.
func checkJobName(s string) string {
	ok := len(s) >= 1 && len(s) <= maxJobNameLen
	for i := 0; ok && i < len(s); i++ {
		b := s[i]
		ok = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("_.-", b) >= 0
	}
	if ok {
		return ""
	}
	return "must be 1 to 64 characters of A-Z a-z 0-9 _ . -, got " + quote(s)
}

// namedSpecs are the cron descriptors accepted besides 5-field specs.
func namedSpecs() []string {
	return []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
}

// CheckCronSpec returns what is wrong with a job's cron spec, or "". It
// accepts a standard 5-field spec or a named descriptor (@daily...), refuses
// TZ=/CRON_TZ= prefixes (the job's timezone is set separately) and @every,
// and parses under recover: robfig/cron panics on some malformed input
// (ParseStandard("CRON_TZ=UTC")).
func CheckCronSpec(spec string) (msg string) {
	s := strings.TrimSpace(spec)
	upper := strings.ToUpper(s)
	switch {
	case s == "":
		return "is required (a 5-field cron spec such as \"0 9 * * 1-5\")"
	case strings.HasPrefix(upper, "TZ=") || strings.HasPrefix(upper, "CRON_TZ="):
		return "must not start with TZ= or CRON_TZ=; set the job's timezone instead, got " + quote(spec)
	case strings.HasPrefix(s, "@"):
		for _, n := range namedSpecs() {
			if strings.EqualFold(s, n) {
				return ""
			}
		}
		return "must be a 5-field cron spec or one of " + strings.Join(namedSpecs(), ", ") + ", got " + quote(spec)
	case len(strings.Fields(s)) != 5:
		return fmt.Sprintf("must have 5 fields (minute hour day-of-month month day-of-week), got %d in %s", len(strings.Fields(s)), quote(spec))
	}
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("is not a valid cron spec (%v), got %s", r, quote(spec))
		}
	}()
	sched, err := cron.ParseStandard(s)
	if err != nil {
		return "is not a valid cron spec: " + err.Error()
	}
	if sched.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return "never fires (no date matches), got " + quote(spec)
	}
	return ""
}

// checkTimezone accepts "" (UTC) or an IANA zone name.
func checkTimezone(tz string) string {
	if tz == "" {
		return ""
	}
	if tz == "Local" {
		return `must be an IANA zone name such as "Europe/Paris" or "UTC", not "Local" (it depends on the host)`
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return `must be an IANA zone name such as "Europe/Paris" or "UTC", got ` + quote(tz)
	}
	return ""
}
