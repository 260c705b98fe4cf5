package digest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Reading the deny rows of a window at production volume: the window is cut
// into time slices, each read as its own cursor chain of pages of 1,000
// rows, several slices at a time, and every page is counted as it arrives
// (tally) and dropped. Pages are paced under Caracal's per-token rate limit.
// When the deadline comes, what was read is the answer, with the share of
// the window it covers.

// Stream settings.
const (
	// slicesPerWindow is how many time slices a window is cut into at
	// most; a slice is at least minSlice long, so a short span (the edge
	// hours beside running aggregates) is not read as 16 near-empty pages.
	slicesPerWindow = 16
	minSlice        = 15 * time.Minute
	// streamConcurrency is how many slices are read at once (a page of
	// 1,000 rows is about 1.5 MB to read and decode).
	streamConcurrency = 4
	// DefaultPagesPerMinute is the pace of the digest's audit pages: half of
	// Caracal's default per-token limit of 600 calls a minute
	// (API_V1_RATE_LIMIT_PER_MIN, API.md §2.3), the rest left to the bot's
	// other reads. The first minute's pages may come at once.
	DefaultPagesPerMinute = 300
)

// windowRead is one window to read: its denied requests are counted in
// tally, from the audit log's deny rows (spans) and, for the whole hours
// running aggregates cover, from them.
type windowRead struct {
	from, until time.Time
	page        pager // reads a page of the zone's audit list
	tally       *tally
	spans       []*span
	// aggregated is the time of the window counted from aggregates.
	aggregated time.Duration
}

// span is a part of a window read from the audit log: its deny rows in
// [from, until) are read, and the requests first denied in [keepFrom,
// keepUntil) are counted. Where a span meets aggregated hours it reads a
// settleTime further than it keeps, to complete the requests at that edge
// (those first denied beyond it are the aggregates').
type span struct {
	w                   *windowRead
	from, until         time.Time
	keepFrom, keepUntil time.Time
	slices              []*slice
	// edges are the requests whose rows may lie in two neighbouring
	// slices, joined once every slice is read.
	mu    sync.Mutex
	edges map[string][]caracal.AuditRow
}

// slice is a part of a span read as one cursor chain.
type slice struct {
	sp          *span
	from, until time.Time
	// reached is the oldest time read so far (until before the first page);
	// complete is set once the chain ended.
	reached  time.Time
	complete bool
	err      error
}

// newWindowRead plans the read of [from, until): the whole hours ag covers
// (nil: none) are counted from it at once, the rest is left to spans.
func newWindowRead(from, until time.Time, page pager, ag *Aggregates) *windowRead {
	w := &windowRead{from: from, until: until, page: page, tally: newTally(from, until.Sub(from))}
	a, b := ag.covered(from, until)
	if !a.Before(b) {
		w.addSpan(from, until, from, until)
		return w
	}
	w.tally.addHours(ag, a, b)
	w.aggregated = b.Sub(a)
	if from.Before(a) {
		w.addSpan(from, a.Add(settleTime), from, a)
	}
	if b.Before(until) {
		w.addSpan(maxTime(from, b.Add(-settleTime)), until, b, until)
	}
	return w
}

// addSpan adds a span cut into slices (at most slicesPerWindow, each at
// least minSlice long), newest first.
func (w *windowRead) addSpan(from, until, keepFrom, keepUntil time.Time) {
	sp := &span{w: w, from: from, until: until, keepFrom: keepFrom, keepUntil: keepUntil, edges: map[string][]caracal.AuditRow{}}
	n := min(slicesPerWindow, max(1, int(until.Sub(from)/minSlice)))
	step := until.Sub(from) / time.Duration(n)
	for i := range n {
		s := &slice{sp: sp, until: until.Add(-time.Duration(i) * step), from: until.Add(-time.Duration(i+1) * step)}
		if i == n-1 {
			s.from = from
		}
		s.reached = s.until
		sp.slices = append(sp.slices, s)
	}
	w.spans = append(w.spans, sp)
}

// slices lists the slices of every span.
func (w *windowRead) slices() []*slice {
	var out []*slice
	for _, sp := range w.spans {
		out = append(out, sp.slices...)
	}
	return out
}

// pager fetches one page of a zone's audit list.
type pager func(ctx context.Context, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error)

// readWindows reads the slices of every window, the first window's before
// the next one's, streamConcurrency at a time, pacing pages with limit,
// until all are read or ctx ends.
func readWindows(ctx context.Context, limit *rate.Limiter, windows ...*windowRead) {
	jobs := make(chan *slice)
	var wg sync.WaitGroup
	for range streamConcurrency {
		wg.Go(func() {
			for s := range jobs {
				s.read(ctx, limit)
			}
		})
	}
	func() {
		defer close(jobs)
		for _, w := range windows {
			for _, s := range w.slices() {
				select {
				case jobs <- s:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	wg.Wait()
	for _, w := range windows {
		for _, sp := range w.spans {
			sp.joinEdges()
		}
	}
}

// read reads the slice's pages, newest first, counting each row as it
// comes, until the chain ends, a page fails or ctx ends.
func (s *slice) read(ctx context.Context, limit *rate.Limiter) {
	j := newJoiner(s.done)
	defer j.flush()
	q := caracal.AuditQuery{Since: s.from, Until: s.until, Decision: "deny", Limit: pageSize}
	for {
		if err := limit.Wait(ctx); err != nil {
			s.err = ctx.Err()
			return
		}
		l, err := s.sp.w.page(ctx, q)
		if err != nil {
			s.err = err
			return
		}
		for _, r := range l.Items {
			at := auditrow.Time(r.OccurredAt)
			if at.After(s.reached) || at.Before(s.from) {
				// Newest first, within the slice: a row newer than one
				// already read, or outside the slice, means the list is not
				// moving forward (a broken or hostile answer).
				s.err = errNotAdvancing
				return
			}
			j.add(r)
			s.reached = at
		}
		if l.NextCursor == nil || len(l.Items) == 0 {
			s.reached, s.complete = s.from, true
			return
		}
		q.Cursor = *l.NextCursor
	}
}

// done takes a request the slice's joiner completed: one that may have
// rows in a neighbouring slice waits for the join of the edges.
func (s *slice) done(rows []caracal.AuditRow, oldest, newest time.Time) {
	nearNewer := s.until.Before(s.sp.until) && s.until.Sub(newest) <= settleTime
	nearOlder := s.from.After(s.sp.from) && oldest.Sub(s.from) <= settleTime
	id := auditrow.Str(rows[0].RequestID)
	if id == "" || !nearNewer && !nearOlder {
		s.sp.count(rows, oldest)
		return
	}
	s.sp.mu.Lock()
	s.sp.edges[id] = append(s.sp.edges[id], rows...)
	s.sp.mu.Unlock()
}

// count counts a complete request first denied at oldest, when the span
// keeps it.
func (sp *span) count(rows []caracal.AuditRow, oldest time.Time) {
	if !oldest.Before(sp.keepFrom) && oldest.Before(sp.keepUntil) {
		sp.w.tally.add(rows)
	}
}

// joinEdges counts the requests held at the slices' edges, each once.
func (sp *span) joinEdges() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for id, rows := range sp.edges {
		oldest := auditrow.Time(rows[0].OccurredAt)
		for _, r := range rows[1:] {
			oldest = minTime(oldest, auditrow.Time(r.OccurredAt))
		}
		sp.count(rows, oldest)
		delete(sp.edges, id)
	}
}

// summary is the window's summary: the counts, and how much of the window
// they cover. total is the window's deny rows when known exactly (from the
// zone overview), else 0.
func (w *windowRead) summary(total int) DenialSummary {
	s := w.tally.summary()
	s.AggregatedHours = int(w.aggregated / time.Hour)
	read := w.aggregated
	complete := true
	for _, sl := range w.slices() {
		read += sl.until.Sub(sl.reached)
		complete = complete && sl.complete
	}
	switch {
	case complete:
		s.Coverage = 1
	case total > 0:
		s.Coverage = min(float64(s.DenyRows)/float64(total), 1)
	case w.until.After(w.from):
		s.Coverage = min(float64(read)/float64(w.until.Sub(w.from)), 1)
	}
	if total > 0 {
		s.TotalDenyRows = total
	}
	s.Truncated = !complete
	return s
}

// err is the first error that stopped a slice, nil when every slice was read.
func (w *windowRead) err() error {
	for _, s := range w.slices() {
		if !s.complete {
			if s.err == nil || errors.Is(s.err, context.DeadlineExceeded) || errors.Is(s.err, context.Canceled) {
				return errDeadline
			}
			return s.err
		}
	}
	return nil
}

// errNotAdvancing says that the audit list answered rows out of order or
// outside the time asked: counting on would count rows twice.
var errNotAdvancing = errors.New("the audit list answered rows out of order or outside the time asked")

// errDeadline says that the digest's time ran out before every page was read.
var errDeadline = fmt.Errorf("the digest's time ran out before every page was read")

// newPageLimiter paces audit pages at perMinute (DefaultPagesPerMinute
// when 0), allowing one minute's pages at once.
func newPageLimiter(perMinute int) *rate.Limiter {
	if perMinute <= 0 {
		perMinute = DefaultPagesPerMinute
	}
	return rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)
}
