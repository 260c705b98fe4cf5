package denialwatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/collect/collecttest"
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/scheduler"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// The digest counted from the running aggregates is the digest of a full
// read of the same rows, window and previous window, hour by hour: with
// rows added while the tail runs, some late, and the tail handed over half
// way, to the same process after a restart (state_dir) or to another
// replica (Redis), whose lease holder alone reads and saves.
func TestAggregatesGiveTheDigestOfAFullRead(t *testing.T) {
	redis := redistest.Start(t)
	r, err := state.NewRedis(redis.URL(), "test:"+t.Name()+":")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	memory := scheduler.NewMemoryLeases()
	for _, tc := range []struct {
		name     string
		store    denialwatch.Store
		lease    func(holder string) scheduler.Lease
		replicas bool
	}{
		{"restart with the same state_dir", state.NewFileDenialWatch(t.TempDir()), func(h string) scheduler.Lease { return memory.Holder(h) }, false},
		{"two replicas on redis", r.DenialWatch(), func(h string) scheduler.Lease { return r.Holder(h) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := collecttest.Start(t)
			client := collecttest.Client(srv)
			start := caracaltest.ReferenceTime().Add(time.Hour).Truncate(time.Minute).Add(23 * time.Minute)
			clock := bottest.NewClock(start)
			watch := func(holder string) *denialwatch.Watch {
				w, err := denialwatch.New(denialwatch.Options{Zones: []string{caracaltest.ZoneResearch}, Interval: time.Minute,
					Threshold: 1_000_000, Window: time.Hour, Quiet: time.Hour, Aggregate: 24 * time.Hour, Targets: targets,
					Source: client, Runner: &runner{}, Poster: &poster{}, Lease: tc.lease(holder), Store: tc.store,
					PagesPerMinute: 60_000, Now: clock.Now})
				require.NoError(t, err)
				return w
			}
			a, b := watch("replica-a"), watch("replica-b")
			require.True(t, a.Tick(ctx).Leader)
			scenarios := []string{"deny-no-grant", "deny-role-scope-mismatch", "deny-no-grant"}
			for i := range 13 * 6 { // every 10 minutes for 13 hours
				if i == 6*6 {
					stop(a) // a restart, or a replica going away
					a = nil
				}
				if i%3 == 0 { // a burst every 30 minutes; a world is costly to install
					w := srv.World()
					_, err := w.AddDenials(scenarios[i/3%3], 1+i%4, clock.Now().Add(-90*time.Second), 7*time.Second) // late by up to 90 s
					require.NoError(t, err)
					srv.SetWorld(w)
				}
				clock.Add(10 * time.Minute)
				if a != nil {
					require.True(t, a.Tick(ctx).Leader)
				}
				if a == nil || tc.replicas {
					assert.Equal(t, a == nil, b.Tick(ctx).Leader, "the lease holder alone reads")
				}
			}

			until := clock.Now().Truncate(time.Minute)
			d := &doctor.Doctor{Source: client, Settings: collecttest.Settings()}
			gather := func(opts digest.Options) digest.Zone {
				opts.Window, opts.Until = 6*time.Hour, until
				rep := digest.Gather(ctx, d, opts)
				require.Len(t, rep.Zones, 1)
				require.NotNil(t, rep.Zones[0].Denials)
				require.NotNil(t, rep.Zones[0].Previous)
				return rep.Zones[0]
			}
			full := gather(digest.Options{})
			from := gather(digest.Options{Denials: denialwatch.StoredAggregates{Store: tc.store}})
			// Of the 6 hours, the whole ones the watch had settled come from
			// the aggregates; the partial hours at both ends, and the last
			// minutes the watch could still see rows arrive for, are read.
			assert.GreaterOrEqual(t, from.Denials.AggregatedHours, 4)
			assert.Equal(t, 5, from.Previous.AggregatedHours)
			assert.Positive(t, full.Denials.Requests)
			for _, s := range []*digest.DenialSummary{from.Denials, from.Previous} {
				s.AggregatedHours = 0
			}
			assert.Equal(t, *full.Denials, *from.Denials)
			assert.Equal(t, *full.Previous, *from.Previous)
		})
	}
}
