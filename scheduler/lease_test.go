package scheduler_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

func TestMemoryLeases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		leases := scheduler.NewMemoryLeases()
		a, b := leases.Holder("a"), leases.Holder("b")
		acquire := func(l scheduler.Lease) (int64, bool) {
			tok, ok, err := l.Acquire(ctx, "digest", time.Minute)
			require.NoError(t, err)
			return tok, ok
		}
		tok, ok := acquire(a)
		assert.True(t, ok)
		_, ok = acquire(b)
		assert.False(t, ok, "held by a")
		time.Sleep(50 * time.Second)
		renewed, ok := acquire(a)
		assert.True(t, ok)
		assert.Equal(t, tok, renewed, "renewal keeps the fencing token")
		time.Sleep(50 * time.Second)
		_, ok = acquire(b)
		assert.False(t, ok, "the renewal extended a's holding")
		time.Sleep(11 * time.Second)
		taken, ok := acquire(b)
		assert.True(t, ok, "expired: b takes over")
		assert.Greater(t, taken, tok, "a new holding gets a larger token")
		require.NoError(t, a.Release(ctx, "digest", tok))
		_, ok = acquire(a)
		assert.False(t, ok, "a stale token releases nothing")
		require.NoError(t, b.Release(ctx, "digest", taken))
		_, ok = acquire(a)
		assert.True(t, ok, "released")

		_, _, err := a.Acquire(ctx, "digest", 0)
		assert.Error(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, _, err = a.Acquire(cancelled, "digest", time.Minute)
		assert.Error(t, err)
	})
}

func TestRunLogs(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	mem, err := scheduler.OpenRunLog("")
	require.NoError(t, err)
	assert.IsType(t, &scheduler.MemoryRunLog{}, mem)

	dir := filepath.Join(t.TempDir(), "state")
	file, err := scheduler.OpenRunLog(dir)
	require.NoError(t, err)
	for _, l := range []scheduler.RunLog{mem, file} {
		last, err := l.LastRun(ctx, "morning")
		require.NoError(t, err)
		assert.True(t, last.IsZero(), "never ran")
		require.NoError(t, l.RecordRun(ctx, "morning", at))
		require.NoError(t, l.RecordRun(ctx, "weekly", at.Add(time.Hour)))
		last, err = l.LastRun(ctx, "morning")
		require.NoError(t, err)
		assert.True(t, at.Equal(last))
	}
	data, err := os.ReadFile(filepath.Join(dir, scheduler.RunLogFile))
	require.NoError(t, err)
	assert.JSONEq(t, `{"morning":"2026-11-24T08:00:00Z","weekly":"2026-11-24T09:00:00Z"}`, string(data))

	require.NoError(t, os.WriteFile(filepath.Join(dir, scheduler.RunLogFile), []byte("{not json"), 0o600))
	_, err = scheduler.NewFileRunLog(dir)
	assert.ErrorContains(t, err, "run log")
	_, err = scheduler.NewFileRunLog("")
	assert.Error(t, err)
}

func TestMetricsHealth(t *testing.T) {
	m := bot.NewMetrics(prometheus.NewRegistry())
	m.Reconnects.WithLabelValues("slack").Add(2)
	m.Reconnects.WithLabelValues("discord").Inc()
	m.Undelivered.WithLabelValues("slack").Inc()
	m.Commands.WithLabelValues("why", "accepted").Add(5)
	m.Commands.WithLabelValues("why", "ok").Add(4)
	m.Commands.WithLabelValues("why", "error").Inc()
	m.Commands.WithLabelValues("status", "ok").Add(2)
	m.Commands.WithLabelValues("status", "busy").Inc()
	started := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	var h commands.BotHealth = scheduler.MetricsHealth{Metrics: m, Started: started}
	assert.Equal(t, commands.BotHealthReport{Started: started, Reconnects: 3, FailedDeliveries: 1,
		Commands: map[string]int{"why": 5, "status": 2}}, h.BotHealth())
}

func TestFromConfig(t *testing.T) {
	cfg := config.Default()
	cfg.Schedules = []config.Schedule{{Name: "morning", Spec: "0 9 * * 1-5", Timezone: "Europe/Paris",
		Channels: config.Channels{"discord": {"123"}, "slack": {"C1"}}, Zones: []string{"zone-a"}},
		{Name: "weekly", Spec: "@weekly", Channels: config.Channels{"slack": {"C1"}}, Since: 7 * 24 * time.Hour}}
	cfg.Watch = config.Watch{Enabled: true, Channels: config.Channels{"slack": {"C2"}}}
	jobs, watch := scheduler.FromConfig(cfg)
	assert.Equal(t, []scheduler.Job{
		{Name: "morning", Spec: "0 9 * * 1-5", Timezone: "Europe/Paris", Zones: []string{"zone-a"}, Since: 24 * time.Hour,
			Targets: []scheduler.Target{{Platform: "slack", ChannelID: "C1"}, {Platform: "discord", ChannelID: "123"}}},
		{Name: "weekly", Spec: "@weekly", Timezone: "UTC", Since: 7 * 24 * time.Hour, Targets: []scheduler.Target{{Platform: "slack", ChannelID: "C1"}}},
	}, jobs)
	assert.Equal(t, scheduler.WatchOptions{Enabled: true, Interval: time.Minute, Hold: 2, Targets: []scheduler.Target{{Platform: "slack", ChannelID: "C2"}}}, watch)
	targets := scheduler.DigestTargets(jobs)
	assert.Equal(t, []scheduler.Target{{Platform: "slack", ChannelID: "C1"}, {Platform: "discord", ChannelID: "123"}}, targets, "each channel once")

	poster := &fakePoster{fail: map[string]bool{"123": true}}
	err := scheduler.PostAll(context.Background(), poster, targets, chat.Reply{Summary: "All ready"})
	assert.ErrorContains(t, err, "post to discord:123: channel 123 is archived")
	assert.Len(t, poster.all(), 1)
}
