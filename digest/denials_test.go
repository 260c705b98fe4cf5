package digest

import (
	"context"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
	"github.com/caracal-bot/caracal-bot/internal/auditrow/auditrowtest"
)

// table is an audit list in memory, newest first, paged by since, until
// and an offset cursor; pages counts the pages served.
type table struct {
	rows  []caracal.AuditRow
	delay time.Duration
	pages atomic.Int32
	read  atomic.Int32 // rows served
}

func (tb *table) page(ctx context.Context, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
	tb.pages.Add(1)
	select {
	case <-time.After(tb.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	start, _ := strconv.Atoi(q.Cursor)
	var out []caracal.AuditRow
	n := 0
	for _, r := range tb.rows {
		at := auditrow.Time(r.OccurredAt)
		if at.Before(q.Since) || !at.Before(q.Until) {
			continue
		}
		if n++; n <= start {
			continue
		}
		if len(out) == q.Limit {
			next := strconv.Itoa(start + len(out))
			tb.read.Add(int32(len(out)))
			return &caracal.List[caracal.AuditRow]{Items: out, NextCursor: &next}, nil
		}
		out = append(out, r)
	}
	tb.read.Add(int32(len(out)))
	return &caracal.List[caracal.AuditRow]{Items: out}, nil
}

// denials builds n denied requests, newest first, one every step before
// until, each a policy deny and its exchange_denied 1 ms later.
func denials(n int, until time.Time, step time.Duration) []caracal.AuditRow {
	var rows []caracal.AuditRow
	for i := range n {
		t := until.Add(-time.Duration(i+1) * step)
		id := "req-" + strconv.Itoa(i)
		rows = append(rows,
			at(exchangeDenied("resource://pipernet"), id, t.Add(time.Millisecond).Format(time.RFC3339Nano)),
			at(auditrowtest.DenyRow("resource_not_granted"), id, t.Format(time.RFC3339Nano)))
	}
	return rows
}

func unlimited() *rate.Limiter { return newPageLimiter(1 << 20) }

func sortNewestFirst(rows []caracal.AuditRow) []caracal.AuditRow {
	sort.SliceStable(rows, func(i, j int) bool { return auditrow.Time(rows[i].OccurredAt).After(auditrow.Time(rows[j].OccurredAt)) })
	return rows
}

// Every request counts once, also one whose two rows lie on both sides of
// a slice boundary, and every page is read once.
func TestReadWindows_CountsEveryRequestOnceAcrossSlices(t *testing.T) {
	until := time.Date(2026, 8, 22, 16, 0, 0, 0, time.UTC)
	window := 16 * time.Hour // slices of one hour
	rows := denials(3000, until, 19*time.Second)
	// a request straddling the boundary one hour before until
	boundary := until.Add(-time.Hour)
	rows = append(rows,
		at(exchangeDenied("resource://nucleus"), "straddle", boundary.Add(time.Millisecond).Format(time.RFC3339Nano)),
		at(auditrowtest.DenyRow("no_rule_matched"), "straddle", boundary.Add(-time.Millisecond).Format(time.RFC3339Nano)))
	tb := &table{rows: sortNewestFirst(rows)}
	w := newWindowRead(until.Add(-window), until, tb.page, nil)
	readWindows(context.Background(), unlimited(), w)

	s := w.summary(0)
	assert.Equal(t, 3001, s.Requests)
	assert.Equal(t, 6002, s.DenyRows)
	assert.Equal(t, 1.0, s.Coverage)
	assert.False(t, s.Truncated)
	assert.NoError(t, w.err())
	assert.Equal(t, []Count{{"resource_not_granted", 3000}, {"no_rule_matched", 1}}, s.ByCause, "the straddling request keeps its policy reason")
	assert.EqualValues(t, 16, tb.pages.Load(), "one chain per slice, each under 1,000 rows: one page each, none twice")
}

// When the time runs out, the answer is what was read, with its coverage:
// of the exact total when it is known, else of the window's time.
func TestReadWindows_PartialWhenTimeRunsOut(t *testing.T) {
	until := time.Date(2026, 8, 22, 16, 0, 0, 0, time.UTC)
	rows := denials(40000, until, 2*time.Second) // 80,000 rows over 22 hours
	tb := &table{rows: rows, delay: 30 * time.Millisecond}
	w := newWindowRead(until.Add(-24*time.Hour), until, tb.page, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	readWindows(ctx, unlimited(), w)

	s := w.summary(len(rows))
	require.True(t, s.Truncated)
	assert.Positive(t, s.DenyRows)
	assert.Less(t, s.DenyRows, len(rows))
	assert.Equal(t, len(rows), s.TotalDenyRows)
	assert.InDelta(t, float64(s.DenyRows)/float64(len(rows)), s.Coverage, 1e-9)
	assert.ErrorIs(t, w.err(), errDeadline)

	byTime := w.summary(0)
	assert.Greater(t, byTime.Coverage, 0.0)
	assert.Less(t, byTime.Coverage, 1.0)
}

// Pages are paced: with a limiter of n pages and no time to refill, no
// more than n pages are read.
func TestReadWindows_PacesPages(t *testing.T) {
	until := time.Date(2026, 8, 22, 16, 0, 0, 0, time.UTC)
	tb := &table{rows: denials(20000, until, 4*time.Second)}
	w := newWindowRead(until.Add(-24*time.Hour), until, tb.page, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	readWindows(ctx, newPageLimiter(10), w) // 10 a minute, 10 at once
	assert.LessOrEqual(t, tb.pages.Load(), int32(10))
	assert.True(t, w.summary(0).Truncated)
}

// A list that does not move forward (the same page again and again, or
// rows outside the time asked) stops its slice instead of counting rows
// twice or for ever.
func TestReadWindows_StopsAListThatDoesNotAdvance(t *testing.T) {
	until := time.Date(2026, 8, 22, 16, 0, 0, 0, time.UTC)
	rows := denials(10, until, time.Minute)
	var pages atomic.Int32
	same := func(_ context.Context, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
		pages.Add(1)
		next := "again"
		var in []caracal.AuditRow
		for _, r := range rows {
			if at := auditrow.Time(r.OccurredAt); !at.Before(q.Since) && at.Before(q.Until) {
				in = append(in, r)
			}
		}
		return &caracal.List[caracal.AuditRow]{Items: in, NextCursor: &next}, nil
	}
	w := newWindowRead(until.Add(-time.Hour), until, same, nil)
	readWindows(context.Background(), unlimited(), w)
	s := w.summary(0)
	assert.Equal(t, 10, s.Requests, "each request once")
	assert.ErrorIs(t, w.err(), errNotAdvancing)
	assert.True(t, s.Truncated)
	assert.LessOrEqual(t, pages.Load(), int32(2*slicesPerWindow), "no slice reads on and on")

	outside := func(context.Context, caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
		return &caracal.List[caracal.AuditRow]{Items: denials(3, until.Add(time.Hour), time.Minute)}, nil
	}
	w = newWindowRead(until.Add(-time.Hour), until, outside, nil)
	readWindows(context.Background(), unlimited(), w)
	assert.Zero(t, w.summary(0).Requests, "rows outside the time asked are not counted")
	assert.ErrorIs(t, w.err(), errNotAdvancing)
}

// aggregate counts rows per hour as the denial watch does: each request
// once, in the hour of its first deny row.
func aggregate(rows []caracal.AuditRow, from, until time.Time) *Aggregates {
	byRequest := map[string][]caracal.AuditRow{}
	for _, r := range rows {
		id := auditrow.Str(r.RequestID)
		byRequest[id] = append(byRequest[id], r)
	}
	ag := &Aggregates{From: from, Until: until, Hours: map[int64]*HourCounts{}}
	for _, rs := range byRequest {
		d := DeniedRequestFrom(rs)
		if d.At.Before(from) || !d.At.Before(until) {
			continue
		}
		h := ag.Hours[HourOf(d.At)]
		if h == nil {
			h = NewHourCounts()
			ag.Hours[HourOf(d.At)] = h
		}
		h.Add(d, len(rs))
	}
	return ag
}

// The whole hours the aggregates cover are counted from them, the partial
// hours at both ends read, and the summary is the full read's, hour by hour,
// a request straddling the hour where both meet included.
func TestReadWindows_AggregatesAndTheEdgesGiveTheFullRead(t *testing.T) {
	until := time.Date(2026, 8, 22, 16, 25, 0, 0, time.UTC)
	from := until.Add(-24 * time.Hour)
	rows := denials(5000, until, 17*time.Second)
	edge := time.Date(2026, 8, 22, 15, 0, 0, 0, time.UTC) // where the aggregates end
	rows = sortNewestFirst(append(rows,
		at(exchangeDenied("resource://nucleus"), "straddle", edge.Add(time.Millisecond).Format(time.RFC3339Nano)),
		at(auditrowtest.DenyRow("no_rule_matched"), "straddle", edge.Add(-time.Millisecond).Format(time.RFC3339Nano))))
	full := &table{rows: rows}
	want := newWindowRead(from, until, full.page, nil)
	readWindows(context.Background(), unlimited(), want)

	// The aggregates run from 20 minutes after the window's start to 15:40.
	ag := aggregate(rows, from.Add(20*time.Minute), edge.Add(40*time.Minute))
	part := &table{rows: rows}
	got := newWindowRead(from, until, part.page, ag)
	readWindows(context.Background(), unlimited(), got)

	w, g := want.summary(0), got.summary(0)
	assert.Equal(t, 22, g.AggregatedHours, "17:00 the day before to 15:00")
	g.AggregatedHours = 0
	assert.Equal(t, w, g)
	assert.Equal(t, 5001, g.Requests)
	assert.Less(t, part.read.Load(), full.read.Load()/8, "about an hour and a half of 24 read")
}
