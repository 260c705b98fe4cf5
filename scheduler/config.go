package scheduler

import (
	"github.com/caracal-bot/caracal-bot/config"
)

// FromConfig turns the configuration's `schedules:` into digest jobs and
// its `watch:` section into watch options (defaults applied).
func FromConfig(cfg *config.Config) ([]Job, WatchOptions) {
	jobs := make([]Job, 0, len(cfg.Schedules))
	for _, s := range cfg.Schedules {
		if s.JobKind() != config.KindDigest {
			continue
		}
		jobs = append(jobs, Job{Name: s.Name, Spec: s.Spec, Timezone: s.TimezoneName(), Zones: s.Zones,
			Since: s.Window(), Targets: Targets(cfg, s.Channels)})
	}
	w := cfg.Watch
	return jobs, WatchOptions{Enabled: w.Enabled, Interval: w.PollInterval(), Hold: w.HoldPolls(),
		Targets: Targets(cfg, w.Channels)}
}

// Targets lists the channels of ch, platform by platform in the
// configuration's order.
func Targets(cfg *config.Config, ch config.Channels) []Target {
	out := make([]Target, 0, ch.Len())
	for _, p := range cfg.ChatPlatforms() {
		for _, id := range ch[p.Name] {
			out = append(out, Target{Platform: p.Name, ChannelID: id})
		}
	}
	return out
}
