package config

import (
	"fmt"
	"time"
)

// Denial watch defaults and limits.
const (
	// DefaultDenialInterval is how often the denial watch reads the audit log.
	DefaultDenialInterval = 30 * time.Second
	// DefaultDenialThreshold is how many denied requests of one cluster
	// inside the window are announced.
	DefaultDenialThreshold = 5
	// DefaultDenialWindow is the window the threshold is counted in.
	DefaultDenialWindow = 10 * time.Minute
	// DefaultDenialQuiet is how long an announced cluster is not announced
	// again.
	DefaultDenialQuiet = time.Hour

	minDenialInterval  = time.Second
	maxDenialInterval  = time.Hour
	maxDenialThreshold = 1_000_000
	maxDenialWindow    = 24 * time.Hour
	maxDenialQuiet     = 7 * 24 * time.Hour
)

// DenialWatch configures the denial watch (YAML `denial_watch:`): it tails
// the audit log's deny rows and announces a cluster of denied requests
// (zone, application, resource, cause) that reaches Threshold inside
// Window, with the diagnosis of its newest request.
type DenialWatch struct {
	// Enabled turns the watch on. It also keeps the running aggregates
	// serve's scheduled digests count denials from (twice the longest
	// `schedules:` window, at most 14 days): without the watch, scheduled
	// digests read the audit log at post time.
	Enabled bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Interval is how often the audit log is read (default 30s).
	Interval time.Duration `yaml:"interval,omitempty" json:"interval,omitempty"`
	// Threshold is how many denied requests of one cluster inside Window
	// are announced (default 5).
	Threshold int `yaml:"threshold,omitempty" json:"threshold,omitempty"`
	// Window is the time the threshold is counted over (default 10m).
	Window time.Duration `yaml:"window,omitempty" json:"window,omitempty"`
	// Quiet is how long an announced cluster is not announced again
	// (default 1h).
	Quiet time.Duration `yaml:"quiet,omitempty" json:"quiet,omitempty"`
	// Zones are the zones watched; empty means caracal.zone_id.
	Zones []string `yaml:"zones,omitempty" json:"zones,omitempty"`
	// Channels are the channel IDs posted to, by chat platform
	// (slack_channels, discord_channels).
	Channels Channels `yaml:"*_channels" json:"channels,omitempty"`
}

// ReadInterval returns Interval, or DefaultDenialInterval when unset.
func (d DenialWatch) ReadInterval() time.Duration {
	return orDuration(d.Interval, DefaultDenialInterval)
}

// CountWindow returns Window, or DefaultDenialWindow when unset.
func (d DenialWatch) CountWindow() time.Duration { return orDuration(d.Window, DefaultDenialWindow) }

// QuietFor returns Quiet, or DefaultDenialQuiet when unset.
func (d DenialWatch) QuietFor() time.Duration { return orDuration(d.Quiet, DefaultDenialQuiet) }

// MinRequests returns Threshold, or DefaultDenialThreshold when unset.
func (d DenialWatch) MinRequests() int {
	if d.Threshold <= 0 {
		return DefaultDenialThreshold
	}
	return d.Threshold
}

// WatchedZones returns Zones, or caracal.zone_id when none are listed.
func (c *Config) WatchedZones() []string {
	if len(c.DenialWatch.Zones) > 0 || c.Caracal.ZoneID == "" {
		return c.DenialWatch.Zones
	}
	return []string{c.Caracal.ZoneID}
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// checkDenialWatch validates `denial_watch:`. A setting written in the
// file is checked even when zero: "threshold: 0" is an error, not the
// default.
func (c *Config) checkDenialWatch(add func(path, msg string)) {
	d := c.DenialWatch
	set := func(key string) bool { _, ok := c.origins["denial_watch."+key]; return ok }
	valid := true
	for _, f := range []struct {
		key      string
		v        time.Duration
		min, max time.Duration
	}{
		{"interval", d.Interval, minDenialInterval, maxDenialInterval},
		{"window", d.Window, minDenialInterval, maxDenialWindow},
		{"quiet", d.Quiet, minDenialInterval, maxDenialQuiet},
	} {
		if (f.v != 0 || set(f.key)) && (f.v < f.min || f.v > f.max) {
			add("denial_watch."+f.key, fmt.Sprintf("must be between %s and %s, got %s", f.min, f.max, f.v))
			valid = false
		}
	}
	if valid && d.CountWindow() < d.ReadInterval() {
		add("denial_watch.window", fmt.Sprintf("must be at least the interval (%s), got %s", d.ReadInterval(), d.CountWindow()))
	}
	if (d.Threshold != 0 || set("threshold")) && (d.Threshold < 1 || d.Threshold > maxDenialThreshold) {
		add("denial_watch.threshold", fmt.Sprintf("must be between 1 and %d denied requests, got %d", maxDenialThreshold, d.Threshold))
	}
	for i, z := range d.Zones {
		if msg := checkID(z); msg != "" {
			add(fmt.Sprintf("denial_watch.zones[%d]", i), msg)
		}
	}
	if !d.Enabled && d.Channels.Len() == 0 {
		return
	}
	if d.Enabled && len(c.WatchedZones()) == 0 {
		add("denial_watch.zones", "lists no zones and caracal.zone_id (CARACAL_ZONE_ID) is unset")
	}
	c.checkTargets(add, "denial_watch", "", d.Channels)
}
