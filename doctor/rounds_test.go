package doctor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// rounds wraps the Doctor's zone reads: each read takes a while, and the
// longest chain of reads each started after the previous one ended is the
// number of dependent round trips the Doctor made.
type rounds struct {
	doctor.Source
	mu    sync.Mutex
	calls []span
}

type span struct{ start, end time.Time }

func (r *rounds) track() func() {
	start := time.Now()
	time.Sleep(40 * time.Millisecond)
	return func() {
		r.mu.Lock()
		r.calls = append(r.calls, span{start, time.Now()})
		r.mu.Unlock()
	}
}

// depth is the longest chain of calls, each starting after the one before
// it ended.
func (r *rounds) depth() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	best := make([]int, len(r.calls))
	most := 0
	for changed := true; changed; {
		changed = false
		for i, c := range r.calls {
			d := 1
			for j, p := range r.calls {
				if !p.end.After(c.start) {
					d = max(d, best[j]+1)
				}
			}
			if d != best[i] {
				best[i], changed = d, true
			}
			most = max(most, d)
		}
	}
	return most
}

func (r *rounds) Zones(ctx context.Context) ([]caracal.Zone, error) {
	defer r.track()()
	return r.Source.Zones(ctx)
}

func (r *rounds) Zone(ctx context.Context, id string) (*caracal.Zone, error) {
	defer r.track()()
	return r.Source.Zone(ctx, id)
}

func (r *rounds) Resources(ctx context.Context, id string) ([]caracal.Resource, error) {
	defer r.track()()
	return r.Source.Resources(ctx, id)
}

func (r *rounds) PolicySets(ctx context.Context, id string) ([]caracal.PolicySet, error) {
	defer r.track()()
	return r.Source.PolicySets(ctx, id)
}

func (r *rounds) Audit(ctx context.Context, id string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
	defer r.track()()
	return r.Source.Audit(ctx, id, q)
}

func (r *rounds) ActivationStatus(ctx context.Context, zone, set, version string) (*caracal.ActivationStatus, error) {
	defer r.track()()
	return r.Source.ActivationStatus(ctx, zone, set, version)
}

// The Doctor reads a zone in two dependent round trips (the zone, its
// resources, policy sets and audit at once, then the active set's
// propagation), without waiting for the zone list when the zone is known;
// --all-zones adds the zone list in front.
func TestDoctor_DependentRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts doctor.Options
		want int
	}{
		{"one zone", doctor.Options{}, 2},
		{"all zones", doctor.Options{AllZones: true}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &rounds{Source: newClient(sim(t))}
			r := runDoctor(t, newDoctor(src), tc.opts)
			assert.Empty(t, failing(r, "fail"))
			assert.LessOrEqual(t, src.depth(), tc.want, "dependent round trips")
		})
	}
}
