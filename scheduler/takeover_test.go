package scheduler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// pausableLease stops answering while paused, as a replica frozen by a
// long GC pause or SIGSTOP would.
type pausableLease struct {
	scheduler.Lease
	paused atomic.Bool
}

func (l *pausableLease) Acquire(ctx context.Context, name string, ttl time.Duration) (int64, bool, error) {
	if l.paused.Load() {
		<-ctx.Done()
		return 0, false, ctx.Err()
	}
	return l.Lease.Acquire(ctx, name, ttl)
}

// flakyLease fails every call while down, as Redis away would.
type flakyLease struct {
	scheduler.Lease
	down *atomic.Bool
}

var errRedisDown = errors.New("dial tcp 127.0.0.1:6379: connection refused")

func (l flakyLease) Acquire(ctx context.Context, name string, ttl time.Duration) (int64, bool, error) {
	if l.down.Load() {
		return 0, false, errRedisDown
	}
	return l.Lease.Acquire(ctx, name, ttl)
}

func (l flakyLease) Posted(ctx context.Context, job string, fire time.Time) (bool, error) {
	if l.down.Load() {
		return false, errRedisDown
	}
	return l.Lease.Posted(ctx, job, fire)
}

func (l flakyLease) MarkPosted(ctx context.Context, job string, fire time.Time) error {
	if l.down.Load() {
		return errRedisDown
	}
	return l.Lease.MarkPosted(ctx, job, fire)
}

// summaryDigester answers every digest with the same headline.
func summaryDigester(summary string) *fakeDigester {
	return &fakeDigester{fn: func(context.Context, int) (commands.Result, error) {
		r := digestResult(1)
		r.Reply.Summary = summary
		return r, nil
	}}
}

// TestAReplicaTakesOverFromAFrozenLeader: the leader freezes after taking
// the lease at 09:00; its lease expires, the other replica posts the digest,
// and the old leader, waking up, is fenced off and posts nothing.
func TestAReplicaTakesOverFromAFrozenLeader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leases := scheduler.NewMemoryLeases()
		poster := &fakePoster{}
		var logs syncbuf.Buffer
		frozen := &pausableLease{Lease: leases.Holder("replica-a")}
		leaderDigest := &fakeDigester{fn: func(ctx context.Context, n int) (commands.Result, error) {
			frozen.paused.Store(true)
			time.Sleep(3 * time.Minute)
			frozen.paused.Store(false)
			return digestResult(n), nil
		}}
		stops := []func(){
			start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: leaderDigest, Poster: poster, Lease: frozen})),
			start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: summaryDigester("from replica b"),
				Poster: poster, Lease: leases.Holder("replica-b"), Logger: testLogger(&logs)})),
		}
		// Replica A leads: it took the lease a moment before 09:00 Paris.
		time.Sleep(time.Until(day(1, 8).Add(-time.Second)))
		_, ok, err := leases.Holder("replica-a").Acquire(context.Background(), scheduler.DefaultLeaseName, scheduler.DefaultLeaseTTL)
		require.NoError(t, err)
		require.True(t, ok)

		time.Sleep(time.Until(day(1, 9)))
		synctest.Wait()
		for _, stop := range stops {
			stop()
		}
		posts := poster.all()
		require.Len(t, posts, 1, "the digest is posted once")
		assert.Equal(t, "from replica b", posts[0].Reply.Summary)
		took := posts[0].At.Sub(day(1, 8))
		assert.True(t, took >= scheduler.DefaultLeaseTTL && took <= scheduler.DefaultLeaseTTL+3*time.Second,
			"posted once the frozen leader's lease expired, %s after the fire time", took)
		assert.Len(t, leaderDigest.all(), 1, "the old leader built its digest but was fenced off")
		assert.Contains(t, logs.String(), "another replica leads; waiting for it to post the digest")
	})
}

// TestDigestWaitsOutASharedStateOutage: the shared state is down at
// 09:00 for a minute; the digest goes out once, late, when it returns.
func TestDigestWaitsOutASharedStateOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leases := scheduler.NewMemoryLeases()
		poster := &fakePoster{}
		var logs syncbuf.Buffer
		var down atomic.Bool
		var stops []func()
		for _, id := range []string{"replica-a", "replica-b"} {
			stops = append(stops, start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: &fakeDigester{},
				Poster: poster, Lease: flakyLease{Lease: leases.Holder(id), down: &down}, Logger: testLogger(&logs)})))
		}
		time.Sleep(time.Until(day(1, 8).Add(-time.Second)))
		down.Store(true)
		time.Sleep(time.Minute)
		down.Store(false)
		time.Sleep(time.Until(day(1, 12)))
		synctest.Wait()
		for _, stop := range stops {
			stop()
		}
		posts := poster.all()
		require.Len(t, posts, 1, "posted once, by one replica")
		assert.True(t, posts[0].At.After(day(1, 8).Add(59*time.Second)) && posts[0].At.Before(day(1, 8).Add(63*time.Second)),
			"posted when the shared state returned, at %s", posts[0].At.UTC())
		assert.Contains(t, logs.String(), "shared state unavailable; waiting to post the digest")
		assert.Contains(t, logs.String(), "digest posted by another replica")
	})
}

// TestDigestIsDroppedWhenSharedStateStaysDown: no replica may post
// without the lease; when the outage outlasts the job timeout the run is
// given up, loudly, and the next day's digest goes out as usual.
func TestDigestIsDroppedWhenSharedStateStaysDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		poster := &fakePoster{}
		var logs syncbuf.Buffer
		var down atomic.Bool
		down.Store(true)
		metrics := bot.NewMetrics(prometheus.NewRegistry())
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: &fakeDigester{},
			Poster: poster, Lease: flakyLease{Lease: scheduler.NewMemoryLeases().Holder("a"), down: &down}, Logger: testLogger(&logs),
			Metrics: metrics}))
		time.Sleep(time.Until(day(1, 12)))
		down.Store(false)
		time.Sleep(time.Until(day(2, 12)))
		synctest.Wait()
		stop()
		assert.Equal(t, []time.Time{day(2, 8)}, postTimes(poster.all()))
		assert.Contains(t, logs.String(), "digest not posted: no replica could post it within the job timeout")
		assert.Equal(t, map[string]float64{"posted": 1, "failed": 0, "not_posted": 1}, digestCounts(metrics, "morning"))
	})
}
