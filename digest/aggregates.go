package digest

import (
	"context"
	"strings"
	"time"
)

// Running aggregates: a zone's denied requests counted as they happen (by
// the denial watch, which tails the audit log), per UTC hour. A digest
// given them (Options.Denials) counts the whole hours of its windows that
// they cover from them and reads from the audit log only the rest: the
// partial hours at a window's ends, and what the aggregates do not cover
// yet (before the watch first started, or since its last complete read).

// DenialSource gives a zone's running aggregates; nil, without an error,
// when it keeps none for the zone.
type DenialSource interface {
	DenialAggregates(ctx context.Context, zoneID string) (*Aggregates, error)
}

// Aggregates are a zone's denied requests counted per UTC hour. Every
// denied request whose first deny row occurred in [From, Until) is counted
// once, in the hour of that row.
type Aggregates struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
	// Hours are the counts by the hour's start (unix ms); an hour without
	// denials has none.
	Hours map[int64]*HourCounts `json:"hours"`
	// Names are the applications' names by id, as the rows gave them.
	Names map[string]string `json:"names,omitempty"`
}

// HourCounts are the denied requests first denied in one hour.
type HourCounts struct {
	Requests int `json:"requests"`
	// DenyRows are the deny rows of those requests read when each was
	// counted.
	DenyRows int            `json:"deny_rows"`
	ByCause  map[string]int `json:"by_cause"`
	// ByTarget counts by TargetKey(application id, resource).
	ByTarget map[string]int `json:"by_target"`
	// Minutes count the requests by the minute of the hour, so that a
	// digest's hourly bars, which start at its window's start, are exact
	// for a window that starts on a minute.
	Minutes [60]int `json:"minutes"`
}

// NewHourCounts returns an hour with no denials.
func NewHourCounts() *HourCounts {
	return &HourCounts{ByCause: map[string]int{}, ByTarget: map[string]int{}}
}

// Add counts one denied request of rows deny rows in the hour.
func (h *HourCounts) Add(d DeniedRequest, rows int) {
	h.Requests++
	h.DenyRows += rows
	h.ByCause[d.Cause]++
	h.ByTarget[TargetKey(d.ApplicationID, d.Resource)]++
	h.Minutes[d.At.UTC().Minute()]++
}

// TargetKey is the key of an application and a resource in ByTarget
// (application ids hold no newline).
func TargetKey(appID, resource string) string { return appID + "\n" + resource }

// HourOf is the start of the UTC hour t falls in, unix ms.
func HourOf(t time.Time) int64 { return t.UTC().Truncate(time.Hour).UnixMilli() }

// covered returns the whole hours [a, b) of [from, until) the aggregates
// cover; a is not before b when none are.
func (ag *Aggregates) covered(from, until time.Time) (a, b time.Time) {
	if ag == nil {
		return until, until
	}
	a = ceilHour(maxTime(from, ag.From))
	b = minTime(until, ag.Until).UTC().Truncate(time.Hour)
	return a, b
}

// ceilHour is the first whole hour at or after t.
func ceilHour(t time.Time) time.Time {
	h := t.UTC().Truncate(time.Hour)
	if h.Before(t) {
		h = h.Add(time.Hour)
	}
	return h
}

// addHours counts the aggregated hours [a, b).
func (t *tally) addHours(ag *Aggregates, a, b time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for start, h := range ag.Hours {
		at := time.UnixMilli(start).UTC()
		if at.Before(a) || !at.Before(b) || h == nil {
			continue
		}
		t.requests += h.Requests
		t.rows += h.DenyRows
		for cause, n := range h.ByCause {
			t.causes[cause] += n
		}
		for key, n := range h.ByTarget {
			app, resource, _ := strings.Cut(key, "\n")
			t.targets[[2]string{app, resource}] += n
		}
		for m, n := range h.Minutes {
			if n > 0 && len(t.hourly) > 0 {
				i := int(at.Add(time.Duration(m)*time.Minute).Sub(t.from) / time.Hour)
				t.hourly[min(max(i, 0), len(t.hourly)-1)] += n
			}
		}
	}
	for id, name := range ag.Names {
		if _, ok := t.names[id]; !ok && name != "" {
			t.names[id] = name
		}
	}
}
