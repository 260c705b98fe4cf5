package digest

import (
	"cmp"
	"sort"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// tally counts one window's denied requests as they are joined, by cause,
// by application and resource, and per hour. Its memory grows with the
// number of those groups and of applications, never with the rows read.
// It is safe for concurrent use.
type tally struct {
	mu       sync.Mutex
	from     time.Time
	window   time.Duration
	requests int
	rows     int
	causes   map[string]int
	targets  map[[2]string]int
	hourly   []int
	// names are the applications' names by id: those the rows carry, then
	// the zone's applications (nameApplications).
	names map[string]string
}

func newTally(from time.Time, window time.Duration) *tally {
	t := &tally{from: from, window: window, causes: map[string]int{}, targets: map[[2]string]int{}, names: map[string]string{}}
	if window > 0 {
		t.hourly = make([]int, int((window+time.Hour-1)/time.Hour))
	}
	return t
}

// add counts one denied request from its deny rows.
func (t *tally) add(rows []caracal.AuditRow) {
	d := DeniedRequestFrom(rows)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
	t.rows += len(rows)
	t.causes[d.Cause]++
	t.targets[[2]string{d.ApplicationID, d.Resource}]++
	for _, r := range rows {
		if id, name := applicationID(r.MetadataJSON), auditrow.Meta(r.MetadataJSON, "application_name"); id != "" && name != "" {
			t.names[id] = name
		}
	}
	if len(t.hourly) > 0 {
		i := int(d.At.Sub(t.from) / time.Hour)
		t.hourly[min(max(i, 0), len(t.hourly)-1)]++
	}
}

// nameApplications names, from the zone's applications, the ids no row named.
func (t *tally) nameApplications(apps []caracal.Application) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range apps {
		if _, ok := t.names[a.ID]; !ok && a.Name != "" {
			t.names[a.ID] = a.Name
		}
	}
}

// summary is what was counted: one entry per cause and per application id
// and resource (named by the application's name), sorted by count.
func (t *tally) summary() DenialSummary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := DenialSummary{Requests: t.requests, DenyRows: t.rows, ByCause: []Count{}, ByTarget: []TargetCount{},
		Hourly: append([]int(nil), t.hourly...)}
	for k, n := range t.causes {
		s.ByCause = append(s.ByCause, Count{Key: k, Count: n})
	}
	sort.Slice(s.ByCause, func(i, j int) bool {
		a, b := s.ByCause[i], s.ByCause[j]
		return a.Count > b.Count || a.Count == b.Count && a.Key < b.Key
	})
	for k, n := range t.targets {
		s.ByTarget = append(s.ByTarget, TargetCount{Application: cmp.Or(t.names[k[0]], k[0], CauseUnknown), ApplicationID: k[0], Resource: k[1], Count: n})
	}
	sort.Slice(s.ByTarget, func(i, j int) bool {
		a, b := s.ByTarget[i], s.ByTarget[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Application != b.Application {
			return a.Application < b.Application
		}
		if a.ApplicationID != b.ApplicationID {
			return a.ApplicationID < b.ApplicationID
		}
		return a.Resource < b.Resource
	})
	return s
}

// joiner joins the deny rows of each request as a stream delivers them,
// newest first: a request is complete once the stream has moved more than
// settle past its oldest row. Only the requests still open are kept.
type joiner struct {
	settle time.Duration
	open   map[string]*openRequest
	order  []string // open request IDs, by first row seen
	done   func(rows []caracal.AuditRow, oldest, newest time.Time)
}

// openRequest is a request whose rows may still arrive.
type openRequest struct {
	rows           []caracal.AuditRow
	oldest, newest time.Time
}

// settleTime is how far apart in time one request's deny rows may be: a
// policy deny and its exchange_denied are milliseconds apart, an SDK's
// retries under one request ID seconds.
const settleTime = time.Minute

func newJoiner(done func(rows []caracal.AuditRow, oldest, newest time.Time)) *joiner {
	return &joiner{settle: settleTime, open: map[string]*openRequest{}, done: done}
}

// add takes the next row of the stream; rows that are not denials are left out.
func (j *joiner) add(r caracal.AuditRow) {
	if auditrow.Str(r.Decision) != "deny" {
		return
	}
	at := auditrow.Time(r.OccurredAt)
	id := auditrow.Str(r.RequestID)
	if id == "" {
		j.done([]caracal.AuditRow{r}, at, at)
		return
	}
	if o, ok := j.open[id]; ok {
		o.rows = append(o.rows, r)
		o.oldest, o.newest = minTime(o.oldest, at), maxTime(o.newest, at)
	} else {
		j.open[id] = &openRequest{rows: []caracal.AuditRow{r}, oldest: at, newest: at}
		j.order = append(j.order, id)
	}
	for len(j.order) > 0 {
		head := j.open[j.order[0]]
		if head.oldest.Sub(at) <= j.settle {
			break
		}
		j.finish(j.order[0])
		j.order = j.order[1:]
	}
}

// flush completes every open request: the stream has ended.
func (j *joiner) flush() {
	for _, id := range j.order {
		j.finish(id)
	}
	j.order = nil
}

func (j *joiner) finish(id string) {
	o := j.open[id]
	delete(j.open, id)
	j.done(o.rows, o.oldest, o.newest)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
