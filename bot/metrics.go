package bot

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the bot's Prometheus collectors, shared by the dispatcher and
// the adapters. Build one with NewMetrics and serve its registry on /metrics.
type Metrics struct {
	// Commands counts submitted commands by name and outcome (accepted,
	// duplicate, busy, forbidden, stopping, ok, error).
	Commands *prometheus.CounterVec
	// AckLatency is the time from receiving a platform event to answering it.
	AckLatency *prometheus.HistogramVec
	// RunLatency is the time a command took to run, by command.
	RunLatency *prometheus.HistogramVec
	// PlatformErrors counts failed platform API calls by platform and method.
	PlatformErrors *prometheus.CounterVec
	// RateLimited counts platform 429 answers by platform and method.
	RateLimited *prometheus.CounterVec
	// Undelivered counts replies given up on after retrying, by platform.
	Undelivered *prometheus.CounterVec
	// Connected is 1 while a platform's long-lived connection is up.
	Connected *prometheus.GaugeVec
	// Reconnects counts platform reconnections.
	Reconnects *prometheus.CounterVec
	// CaracalCalls counts calls to Caracal by service and outcome (ok,
	// error: answered with a status other than 2xx, unreachable: no answer).
	CaracalCalls *prometheus.CounterVec
	// Digests counts scheduled digest runs by schedule and outcome
	// (posted, failed, not_posted).
	Digests *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_commands_total",
			Help: "Commands by name and outcome."}, []string{"command", "outcome"}),
		AckLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "caracal_bot_ack_latency_seconds",
			Help: "Time from receiving a platform event to acknowledging it.", Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 3}}, []string{"platform"}),
		RunLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "caracal_bot_command_duration_seconds",
			Help: "Time a command took to run (a diagnosis included).", Buckets: prometheus.ExponentialBuckets(0.01, 2, 12)}, []string{"command"}),
		PlatformErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_platform_api_errors_total",
			Help: "Failed chat platform API calls."}, []string{"platform", "method"}),
		RateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_platform_rate_limited_total",
			Help: "Chat platform API calls answered 429."}, []string{"platform", "method"}),
		Undelivered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_undelivered_replies_total",
			Help: "Replies given up on after retrying."}, []string{"platform"}),
		Connected: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "caracal_bot_platform_connected",
			Help: "1 while the platform connection (Socket Mode, gateway) is up."}, []string{"platform"}),
		Reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_platform_reconnects_total",
			Help: "Platform connection re-establishments."}, []string{"platform"}),
		CaracalCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_caracal_calls_total",
			Help: "Calls to Caracal by service and outcome (ok, error, unreachable), after retries."}, []string{"service", "outcome"}),
		Digests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "caracal_bot_digests_total",
			Help: "Scheduled digest runs by schedule and outcome (posted, failed, not_posted)."}, []string{"schedule", "outcome"}),
	}
	reg.MustRegister(m.Commands, m.AckLatency, m.RunLatency, m.PlatformErrors, m.RateLimited, m.Undelivered, m.Connected, m.Reconnects,
		m.CaracalCalls, m.Digests)
	return m
}

// InitPlatform starts a platform's count of undelivered replies at zero,
// so that the series exists before the first failure: an alert on its
// increase then sees that failure.
func (m *Metrics) InitPlatform(name string) {
	m.Undelivered.WithLabelValues(name)
}
