package denialwatch

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Tailing one zone's audit log. A read ("sweep") asks for the deny rows
// that occurred since the cursor minus the overlap, newest first, one page
// at a time, a few pages a tick under the page limiter; a sweep longer than
// that goes on at the next tick from its page cursor. When a sweep ends,
// the cursor moves to the newest row it met. Rows read again (the overlap)
// are recognised: by their request, once it was counted; by their row ID
// while their request waits for its reason-bearing row.

// Memory bounds of one zone.
const (
	// maxCounted bounds the requests remembered as counted; past it the
	// oldest are forgotten, and their rows, if read again, counted again.
	maxCounted = 100_000
	// maxPending bounds the requests waiting for their reason-bearing row;
	// past it the oldest are counted as they are.
	maxPending = 10_000
	// requestSpread is how far apart one request's deny rows may occur (a
	// policy deny and its exchange_denied are milliseconds apart).
	requestSpread = time.Minute
)

// zoneTail is what the watch knows of a zone's tail besides its saved
// zoneState: the sweep under way and the requests waiting for their
// reason-bearing row. It is not saved: after a restart the overlap reads
// them again.
type zoneTail struct {
	sweep   *sweep
	pending map[string]*pending
}

// sweep is one read of a zone's deny rows down to since.
type sweep struct {
	since   time.Time // the oldest occurred_at asked for
	gap     bool      // rows between the last read and since are not read
	page    string    // the next page's cursor, "" before the first page
	started time.Time // the bot's clock when it began: the cursor never passes it
	top     time.Time // the newest occurred_at met
}

// pending is a denied request whose rows read so far name no cause (only
// the closing exchange_denied): its reason-bearing row may come later.
type pending struct {
	rows      []caracal.AuditRow
	firstSeen time.Time
}

// read continues zone's sweep for at most PagesPerTick pages, counting the
// denied requests it meets, and reports the pages read.
func (w *Watch) read(ctx context.Context, zone string, now time.Time) int {
	z := w.zoneState(zone, now)
	w.aggregates(z, now)
	t := w.tail(zone)
	if t.sweep == nil {
		// Rows older than the window cannot count: after a long stop the
		// read starts at the window.
		since := z.Cursor.Add(-w.opts.Overlap)
		gap := false
		if start := now.Add(-w.opts.Window); start.After(since) {
			since, gap = start, true
		}
		t.sweep = &sweep{since: since, gap: gap, started: now, top: z.Cursor}
	}
	s := t.sweep
	pages := 0
	for pages < w.opts.PagesPerTick && w.pages.AllowN(now, 1) {
		l, err := w.opts.Source.Audit(ctx, zone, caracal.AuditQuery{Since: s.since, Decision: "deny", Limit: w.opts.PageSize, Cursor: s.page})
		if err != nil {
			w.warn("denial watch: audit log not read; trying again at the next tick", "zone", zone, "err", err)
			return pages
		}
		pages++
		for _, r := range l.Items {
			if at := auditrow.Time(r.OccurredAt); at.After(s.top) {
				s.top = at
			}
		}
		w.take(zone, z, t, l.Items, now)
		if l.NextCursor == nil || len(l.Items) == 0 {
			w.advance(z, s)
			w.settleAggregates(z, t, s, now)
			t.sweep = nil
			return pages
		}
		s.page = *l.NextCursor
	}
	return pages
}

// advance moves the cursor of a zone whose sweep s ended to the newest row
// it met, but never past the bot's clock at its start: a producer's clock
// running ahead must not make the next reads skip rows.
func (w *Watch) advance(z *zoneState, s *sweep) {
	top := s.top
	if top.After(s.started) {
		top = s.started
	}
	if top.After(z.Cursor) {
		z.Cursor = top
	}
	forgetBefore(z.Counted, z.Cursor.Add(-w.opts.Overlap-requestSpread))
	w.dirty = true
}

// take joins a page's deny rows to their requests and counts every request
// that now names its cause.
func (w *Watch) take(zone string, z *zoneState, t *zoneTail, rows []caracal.AuditRow, now time.Time) {
	touched := map[string]bool{}
	for _, r := range rows {
		if !auditrow.IsDeny(r) {
			continue
		}
		key := requestKey(r)
		if _, counted := z.Counted[key]; counted {
			continue
		}
		p := t.pending[key]
		if p == nil {
			p = &pending{firstSeen: now}
			t.pending[key] = p
		}
		if !slices.ContainsFunc(p.rows, func(o caracal.AuditRow) bool { return o.ID == r.ID }) {
			p.rows = append(p.rows, r)
			touched[key] = true
		}
	}
	for key := range touched {
		if d := digest.DeniedRequestFrom(slices.Clone(t.pending[key].rows)); d.Cause != digest.CauseUnknown {
			w.count(zone, z, t, key, d)
		}
	}
	if over := len(t.pending) - maxPending; over > 0 {
		w.warn("denial watch: too many requests wait for their reason-bearing row; the oldest are counted as they are", "zone", zone)
		for _, key := range oldestPending(t.pending, over) {
			w.settle(zone, z, t, key)
		}
	}
}

// settleAll counts, as they are, the requests that waited an overlap for
// their reason-bearing row: it was not written, or came later than any
// late row is looked for.
func (w *Watch) settleAll(zone string, now time.Time) {
	z, t := w.st.Zones[zone], w.tail(zone)
	for key, p := range t.pending {
		if !p.firstSeen.Add(w.opts.Overlap).After(now) {
			w.settle(zone, z, t, key)
		}
	}
}

func (w *Watch) settle(zone string, z *zoneState, t *zoneTail, key string) {
	w.count(zone, z, t, key, digest.DeniedRequestFrom(t.pending[key].rows))
}

// count counts one denied request in its cluster and the zone's
// aggregates, once: it is remembered as counted, and a request older than
// the zone's start only remembered.
func (w *Watch) count(zone string, z *zoneState, t *zoneTail, key string, d digest.DeniedRequest) {
	rows := len(t.pending[key].rows)
	delete(t.pending, key)
	z.Counted[key] = d.At.UnixMilli()
	w.dirty = true
	if over := len(z.Counted) - maxCounted; over > 0 {
		w.warn("denial watch: too many counted requests to remember; the oldest are forgotten", "zone", zone)
		forgetOldest(z.Counted, over+maxCounted/10)
	}
	if d.At.Before(z.Started) {
		return
	}
	w.aggregate(z, d, rows)
	c := w.cluster(clusterKey{zone, d.ApplicationID, d.Resource, d.Cause})
	if c == nil {
		return
	}
	w.buckets.add(c, d)
	w.counted++
}

// requestKey is a deny row's request: its request ID, or the row itself
// when it has none.
func requestKey(r caracal.AuditRow) string {
	if id := auditrow.Str(r.RequestID); id != "" {
		return id
	}
	return "row:" + r.ID
}

// forgetBefore drops the requests that occurred before t.
func forgetBefore(counted map[string]int64, t time.Time) {
	ms := t.UnixMilli()
	maps.DeleteFunc(counted, func(_ string, at int64) bool { return at < ms })
}

// forgetOldest drops the n requests that occurred first.
func forgetOldest(counted map[string]int64, n int) {
	keys := slices.SortedFunc(maps.Keys(counted), func(a, b string) int { return cmp.Compare(counted[a], counted[b]) })
	for _, k := range keys[:min(n, len(keys))] {
		delete(counted, k)
	}
}

// oldestPending lists the n requests that have waited longest.
func oldestPending(p map[string]*pending, n int) []string {
	keys := slices.SortedFunc(maps.Keys(p), func(a, b string) int { return p[a].firstSeen.Compare(p[b].firstSeen) })
	return keys[:min(n, len(keys))]
}
