package state_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/scheduler"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// backend is one implementation of the shared state under test.
type backend struct {
	name    string
	dedup   bot.Deduper
	holder  func(id string) scheduler.Lease
	rate    bot.RateLimiter
	tickets tickets.Store
}

// backends returns the in-memory backends and the Redis one: the same
// contract tests run against both.
func backends(t *testing.T) []backend {
	mem := scheduler.NewMemoryLeases()
	out := []backend{{name: "memory", dedup: bot.NewMemoryDeduper(nil), holder: mem.Holder, rate: bot.NewMemoryRateLimiter(nil), tickets: tickets.NewMemoryStore(nil)}}
	srv := redistest.Start(t)
	r, err := state.NewRedis(srv.URL(), "test:"+t.Name()+":")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return append(out, backend{name: "redis", dedup: r, holder: r.Holder, rate: r, tickets: r.Tickets()})
}

func TestDeduperContract(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			first, err := b.dedup.FirstSeen(ctx, "slack:cmd:T1", time.Minute)
			require.NoError(t, err)
			again, err := b.dedup.FirstSeen(ctx, "slack:cmd:T1", time.Minute)
			require.NoError(t, err)
			assert.True(t, first)
			assert.False(t, again, "a repeated delivery is seen")

			require.NoError(t, b.dedup.Forget(ctx, "slack:cmd:T1"))
			afterForget, _ := b.dedup.FirstSeen(ctx, "slack:cmd:T1", time.Minute)
			assert.True(t, afterForget, "a forgotten key may come again")

			short, _ := b.dedup.FirstSeen(ctx, "button", 50*time.Millisecond)
			assert.True(t, short)
			assert.Eventually(t, func() bool {
				again, _ := b.dedup.FirstSeen(ctx, "button", 50*time.Millisecond)
				return again
			}, 2*time.Second, 20*time.Millisecond, "keys expire")
		})
	}
}

func TestDeduperConcurrentDeliveriesRunOnce(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			var winners atomic.Int32
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if ok, err := b.dedup.FirstSeen(context.Background(), "event:E1", time.Minute); err == nil && ok {
						winners.Add(1)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, int32(1), winners.Load())
		})
	}
}

func TestLeaseContract(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			a, c := b.holder("replica-a"), b.holder("replica-b")
			tokA, ok, err := a.Acquire(ctx, "digest", 300*time.Millisecond)
			require.NoError(t, err)
			require.True(t, ok)
			_, ok, err = c.Acquire(ctx, "digest", 300*time.Millisecond)
			require.NoError(t, err)
			assert.False(t, ok, "one holder at a time")

			renewed, ok, _ := a.Acquire(ctx, "digest", 300*time.Millisecond)
			assert.True(t, ok)
			assert.Equal(t, tokA, renewed, "renewal keeps the fencing token")

			require.NoError(t, c.Release(ctx, "digest", tokA), "a non-holder's release is a no-op")
			_, ok, _ = c.Acquire(ctx, "digest", 300*time.Millisecond)
			assert.False(t, ok)

			// The holder pauses past its ttl: the other replica takes over
			// with a larger token, so the old holder's writes can be fenced.
			var tokC int64
			require.Eventually(t, func() bool {
				tokC, ok, _ = c.Acquire(ctx, "digest", time.Minute)
				return ok
			}, 3*time.Second, 20*time.Millisecond)
			assert.Greater(t, tokC, tokA)
			_, ok, _ = a.Acquire(ctx, "digest", time.Minute)
			assert.False(t, ok, "the paused old leader cannot take it back")

			require.NoError(t, c.Release(ctx, "digest", tokC))
			tokA2, ok, _ := a.Acquire(ctx, "digest", time.Minute)
			assert.True(t, ok, "released leases are free at once")
			assert.Greater(t, tokA2, tokC)
		})
	}
}

func TestPostRecordContract(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			a, c := b.holder("replica-a"), b.holder("replica-b")
			nine := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
			posted, err := c.Posted(ctx, "morning", nine)
			require.NoError(t, err)
			assert.False(t, posted, "nothing posted yet")

			require.NoError(t, a.MarkPosted(ctx, "morning", nine))
			posted, err = c.Posted(ctx, "morning", nine)
			require.NoError(t, err)
			assert.True(t, posted, "another replica sees the post")
			posted, _ = c.Posted(ctx, "morning", nine.Add(24*time.Hour))
			assert.False(t, posted, "the next day's run is not posted")
			posted, _ = c.Posted(ctx, "evening", nine)
			assert.False(t, posted, "jobs are apart")

			require.NoError(t, a.MarkPosted(ctx, "morning", nine.Add(24*time.Hour)))
			require.NoError(t, c.MarkPosted(ctx, "morning", nine), "a late mark of an older run")
			posted, _ = a.Posted(ctx, "morning", nine.Add(24*time.Hour))
			assert.True(t, posted, "an older mark does not undo a newer one")
		})
	}
}

func TestRateLimiterContract(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			for i := range 3 {
				ok, err := b.rate.Allow(ctx, "slack:U1", 3, 200*time.Millisecond)
				require.NoError(t, err)
				assert.True(t, ok, "request %d is within the limit", i+1)
			}
			ok, _ := b.rate.Allow(ctx, "slack:U1", 3, 200*time.Millisecond)
			assert.False(t, ok, "the fourth in the window is refused")
			other, _ := b.rate.Allow(ctx, "slack:U2", 3, 200*time.Millisecond)
			assert.True(t, other, "limits are per key")
			assert.Eventually(t, func() bool {
				ok, _ := b.rate.Allow(ctx, "slack:U1", 3, 200*time.Millisecond)
				return ok
			}, 3*time.Second, 50*time.Millisecond, "a new window starts")
		})
	}
}

func TestTicketStoreContract(t *testing.T) {
	all := append(backends(t), backend{name: "file", tickets: state.NewFileTicketStore(t.TempDir(), state.FileOptions{})})
	for _, b := range all {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			_, ok, err := b.tickets.Get(ctx, "zone|req|rules")
			require.NoError(t, err)
			assert.False(t, ok)

			unlock, ok, err := b.tickets.Lock(ctx, "zone|req|rules", time.Minute)
			require.NoError(t, err)
			require.True(t, ok)
			_, other, _ := b.tickets.Lock(ctx, "zone|req|rules", time.Minute)
			assert.False(t, other, "one click at a time per key")
			rec := tickets.Record{Ref: tickets.Ref{System: "jira", ID: "OPS-1", URL: "https://jira.example/OPS-1"}, DiagnosisHash: "h1", UpdatedAt: time.Unix(1, 0).UTC()}
			require.NoError(t, b.tickets.Put(ctx, "zone|req|rules", rec))
			unlock()
			got, ok, err := b.tickets.Get(ctx, "zone|req|rules")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, rec, got)
			again, ok, _ := b.tickets.Lock(ctx, "zone|req|rules", time.Minute)
			assert.True(t, ok, "released locks are free")
			again()
		})
	}
}
