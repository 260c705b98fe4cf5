package denialwatch

import (
	"cmp"
	"time"

	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// FromConfig returns the options of the configuration's `denial_watch:`
// (defaults applied), keeping aggregates for the digest schedules (twice
// the longest window; none without schedules); the caller adds what the
// watch reads, runs and posts through, its lease and its store. ok is
// false when the watch is off.
func FromConfig(cfg *config.Config) (opts Options, ok bool) {
	d := cfg.DenialWatch
	jobs, _ := scheduler.FromConfig(cfg)
	var longest time.Duration
	for _, j := range jobs {
		longest = max(longest, cmp.Or(j.Since, digest.DefaultWindow))
	}
	return Options{Zones: cfg.WatchedZones(), Interval: d.ReadInterval(), Threshold: d.MinRequests(),
		Window: d.CountWindow(), Quiet: d.QuietFor(), Aggregate: AggregateFor(longest), Targets: scheduler.Targets(cfg, d.Channels)}, d.Enabled
}
