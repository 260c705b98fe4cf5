package denialwatch

import (
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// FromConfig returns the options of the configuration's `denial_watch:`
// (defaults applied); the caller adds what the watch reads, runs and posts
// through, its lease and its store. ok is false when the watch is off.
func FromConfig(cfg *config.Config) (opts Options, ok bool) {
	d := cfg.DenialWatch
	return Options{Zones: cfg.WatchedZones(), Interval: d.ReadInterval(), Threshold: d.MinRequests(),
		Window: d.CountWindow(), Quiet: d.QuietFor(), Targets: scheduler.Targets(cfg, d.Channels)}, d.Enabled
}
