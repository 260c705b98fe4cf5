package scheduler_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

func watchOptions() scheduler.WatchOptions {
	return scheduler.WatchOptions{Enabled: true, Interval: time.Minute, Hold: 2, Targets: slack("C0OPS")}
}

// timeline runs steps at offsets from the bubble's start, each after every
// poll due by then has finished.
func timeline(t0 time.Time, steps map[time.Duration]func(), order ...time.Duration) {
	for _, d := range order {
		time.Sleep(time.Until(t0.Add(d)))
		synctest.Wait()
		steps[d]()
	}
}

// The watch polls at 0s, 60s, 120s... and a state must hold two polls.
func TestWatchAnnouncesRealTransitionsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := caracaltest.New()
		poster := &fakePoster{}
		t0 := time.Now()
		stop := start(t, newScheduler(t, scheduler.Options{Watch: watchOptions(), Prober: simClient(sim), Poster: poster}))
		down := func() { require.NoError(t, sim.UseScenario("sts-redis-down")) }
		timeline(t0, map[time.Duration]func(){
			90 * time.Second:  down,      // polls at 120s and 180s see it: announced at 180s
			270 * time.Second: sim.Reset, // polls at 300s and 360s see it: recovery at 360s
			390 * time.Second: down,      // only the poll at 420s sees it: a flap
			450 * time.Second: sim.Reset,
			600 * time.Second: stop,
		}, 90*time.Second, 270*time.Second, 390*time.Second, 450*time.Second, 600*time.Second)

		posts := poster.all()
		require.Len(t, posts, 2, "one post per real transition; none at start (ready) and none for the one-poll flap")
		assert.Equal(t, []time.Time{t0.Add(180 * time.Second), t0.Add(360 * time.Second)}, []time.Time{posts[0].At, posts[1].At})
		assert.Equal(t, "Caracal is not ready: STS 503 redis_unreachable", posts[0].Reply.Summary)
		assert.Equal(t, chat.SeverityOutage, posts[0].Reply.Severity)
		assert.Equal(t, "C0OPS", posts[0].Target.ChannelID)
		assert.Equal(t, "Caracal is ready again after 3m (not ready: STS 503 redis_unreachable)", posts[1].Reply.Summary,
			"the outage ran from the first not-ready poll (120s) to the first ready one (300s)")
		assert.Equal(t, chat.SeverityOK, posts[1].Reply.Severity)
	})
}

func TestWatchAnnouncesAnOutageFoundAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := caracaltest.New(caracaltest.WithScenario("redis-outage"))
		poster := &fakePoster{}
		t0 := time.Now()
		stop := start(t, newScheduler(t, scheduler.Options{Watch: watchOptions(), Prober: simClient(sim), Poster: poster}))
		timeline(t0, map[time.Duration]func(){90 * time.Second: sim.Reset, 240 * time.Second: stop}, 90*time.Second, 240*time.Second)

		posts := poster.all()
		require.Len(t, posts, 2)
		assert.Equal(t, t0.Add(60*time.Second), posts[0].At, "announced once it held two polls")
		assert.Contains(t, posts[0].Reply.Summary, "Caracal is not ready (already when the watch started): Admin API 500")
		assert.Contains(t, posts[0].Reply.Summary, "STS 503 redis_unreachable")
		assert.Contains(t, posts[1].Reply.Summary, "Caracal is ready again after at least 2m")
	})
}

func TestWatchReplicasSharingALeaseAnnounceOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := caracaltest.New()
		leases := scheduler.NewMemoryLeases()
		poster := &fakePoster{}
		t0 := time.Now()
		var stops []func()
		for _, id := range []string{"replica-a", "replica-b"} {
			stops = append(stops, start(t, newScheduler(t, scheduler.Options{Watch: watchOptions(), Prober: simClient(sim),
				Poster: poster, Lease: leases.Holder(id)})))
		}
		timeline(t0, map[time.Duration]func(){
			90 * time.Second:  func() { require.NoError(t, sim.UseScenario("sts-redis-down")) },
			270 * time.Second: sim.Reset,
			400 * time.Second: func() {
				for _, stop := range stops {
					stop()
				}
			},
		}, 90*time.Second, 270*time.Second, 400*time.Second)
		assert.Len(t, poster.all(), 2, "both replicas see both transitions; only the leader posts them")
	})
}
