package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/commands"
)

// MetricsHealth is a commands.BotHealth read from the bot's Prometheus
// collectors: platform reconnections, replies given up on, and commands
// run (outcomes ok and error) by name.
type MetricsHealth struct {
	Metrics *bot.Metrics
	// Started is when the process started.
	Started time.Time
}

// BotHealth implements commands.BotHealth.
func (h MetricsHealth) BotHealth() commands.BotHealthReport {
	r := commands.BotHealthReport{Started: h.Started, Commands: map[string]int{}}
	if h.Metrics == nil {
		return r
	}
	r.Reconnects = int(sumCounters(h.Metrics.Reconnects, nil))
	r.FailedDeliveries = int(sumCounters(h.Metrics.Undelivered, nil))
	sumCounters(h.Metrics.Commands, func(labels map[string]string, v float64) {
		if o := labels["outcome"]; o == "ok" || o == "error" {
			r.Commands[labels["command"]] += int(v)
		}
	})
	return r
}

// sumCounters adds up a collector's counters, handing each to each (when
// set) with its labels.
func sumCounters(c prometheus.Collector, each func(labels map[string]string, v float64)) float64 {
	ch := make(chan prometheus.Metric, 16)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	total := 0.0
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil || pb.GetCounter() == nil {
			continue
		}
		v := pb.GetCounter().GetValue()
		total += v
		if each != nil {
			labels := map[string]string{}
			for _, l := range pb.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			each(labels, v)
		}
	}
	return total
}
