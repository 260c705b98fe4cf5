package denialwatch

import (
	"context"
	"time"

	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Running aggregates: besides its clusters, the tail counts every denied
// request it counts into its zone's digest.Aggregates (per UTC hour, by
// cause and by application and resource), kept for Options.Aggregate and
// saved with the rest of the state. Serve's scheduled digests read them
// (StoredAggregates) instead of the audit log for the whole hours they
// cover: from when the zone was first watched (or the end of a gap in the
// reads) to the last complete read, minus the overlap.

// Aggregation bounds.
const (
	// MaxAggregate is the longest time aggregates are kept: twice the
	// longest digest window (7 days).
	MaxAggregate = 14 * 24 * time.Hour
	// maxNames bounds the application names kept per zone; the digest
	// also names applications from the zone's list.
	maxNames = 10_000
)

// aggregates returns the zone's aggregates, started at now when new; nil
// (and none kept) when the watch keeps none.
func (w *Watch) aggregates(z *zoneState, now time.Time) *digest.Aggregates {
	if w.opts.Aggregate <= 0 {
		if z.Aggregates != nil {
			z.Aggregates, w.dirty = nil, true
		}
		return nil
	}
	if z.Aggregates == nil {
		z.Aggregates = &digest.Aggregates{From: now, Until: now, Hours: map[int64]*digest.HourCounts{}, Names: map[string]string{}}
		w.dirty = true
	}
	return z.Aggregates
}

// aggregate counts a denied request of rows deny rows, when the zone's
// aggregates cover when it occurred.
func (w *Watch) aggregate(z *zoneState, d digest.DeniedRequest, rows int) {
	ag := z.Aggregates
	if ag == nil || d.At.Before(ag.From) {
		return
	}
	h := ag.Hours[digest.HourOf(d.At)]
	if h == nil {
		h = digest.NewHourCounts()
		ag.Hours[digest.HourOf(d.At)] = h
	}
	h.Add(d, rows)
	if _, ok := ag.Names[d.ApplicationID]; !ok && d.Application != "" && len(ag.Names) < maxNames {
		ag.Names[d.ApplicationID] = d.Application
	}
}

// settleAggregates follows the sweep s that ended: the aggregates are
// complete up to the cursor minus the overlap, or the first row of a
// request still waiting for its reason-bearing row; after a gap (a sweep
// that started at the count window after a long stop) they start again
// where it started; hours older than Options.Aggregate are dropped.
func (w *Watch) settleAggregates(z *zoneState, t *zoneTail, s *sweep, now time.Time) {
	ag := w.aggregates(z, now)
	if ag == nil {
		return
	}
	if s.gap {
		ag.From = s.since
	}
	keep := time.UnixMilli(digest.HourOf(now.Add(-w.opts.Aggregate))).Add(time.Hour)
	for start := range ag.Hours {
		if time.UnixMilli(start).Before(keep) {
			delete(ag.Hours, start)
		}
	}
	if keep.After(ag.From) {
		ag.From = keep
	}
	ag.Until = z.Cursor.Add(-w.opts.Overlap)
	for _, p := range t.pending {
		for _, r := range p.rows {
			if at := auditrow.Time(r.OccurredAt); at.Before(ag.Until) {
				ag.Until = at
			}
		}
	}
	if ag.Until.Before(ag.From) {
		ag.Until = ag.From
	}
}

// StoredAggregates reads the running aggregates the watch saved in Store:
// the digest.DenialSource of serve's scheduled digests, on any replica.
type StoredAggregates struct{ Store Store }

// DenialAggregates implements digest.DenialSource: nil when the watch keeps
// none for the zone.
func (s StoredAggregates) DenialAggregates(ctx context.Context, zoneID string) (*digest.Aggregates, error) {
	data, err := s.Store.Load(ctx)
	if err != nil {
		return nil, err
	}
	st, ok, err := decodeSnapshot(data)
	if !ok || st.Zones[zoneID] == nil {
		return nil, err
	}
	return st.Zones[zoneID].Aggregates, nil
}

// AggregateFor is how long aggregates are kept for digests of windows up to
// longest: twice it (a window and the previous one), at most MaxAggregate;
// 0 (none) without digests.
func AggregateFor(longest time.Duration) time.Duration {
	return min(2*longest, MaxAggregate)
}
