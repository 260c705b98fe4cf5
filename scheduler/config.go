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
			Since: s.Window(), Targets: Targets(s.SlackChannels, s.DiscordChannels)})
	}
	w := cfg.Watch
	return jobs, WatchOptions{Enabled: w.Enabled, Interval: w.PollInterval(), Hold: w.HoldPolls(),
		Targets: Targets(w.SlackChannels, w.DiscordChannels)}
}
