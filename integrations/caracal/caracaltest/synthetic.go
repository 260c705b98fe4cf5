package caracaltest

import (
	"fmt"
	"sort"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// SyntheticDenials is deny traffic at production volume, generated on
// demand and never stored, so that a zone can hold millions of deny rows:
// Requests denied mints spread evenly over [From, Until), newest first, each
// leaving the two rows a policy deny leaves (API.md §7.5–7.7): the policy
// engine's token_exchange deny, then 1 ms later the closing exchange_denied.
// Request k is made by application k mod Apps for resource k mod Resources
// and denied for syntheticCauses[k mod 4]. The audit list (when its filters
// can match these rows: no request, application, session, authority or
// label filter) and the zone overview's 24-hour counts see them; request
// lookups (by-request, explain) do not.
type SyntheticDenials struct {
	Requests        int    `json:"requests"`
	From            string `json:"from"`  // ISO timestamp, inclusive
	Until           string `json:"until"` // ISO timestamp, exclusive
	Apps, Resources int
}

// syntheticCauses are the reasons and gates synthetic denials cycle through:
// three policy reasons (diagnostics) and one gate (evaluation_status).
var syntheticCauses = []string{"resource_not_granted", "no_rule_matched", "role_scope_mismatch", "rate_limited"}

// WithSyntheticDenials gives the Research zone n synthetic denied requests
// (2n deny rows) spread over the window before the reference time, made by
// apps applications for resources resources.
func WithSyntheticDenials(n int, window time.Duration, apps, resources int) Option {
	return func(s *Simulator) {
		s.synthetic = &SyntheticDenials{Requests: n, From: ts(ReferenceTime().Add(-window)), Until: ts(ReferenceTime()), Apps: max(apps, 1), Resources: max(resources, 1)}
	}
}

// withSynthetic returns a copy of w whose Research zone carries the
// traffic, moved by d like the rest of the world; w itself is not changed.
func withSynthetic(w *World, traffic SyntheticDenials, d time.Duration) *World {
	out := *w
	out.Zones = append([]ZoneData(nil), w.Zones...)
	traffic.From, traffic.Until = shiftStamp(traffic.From, d), shiftStamp(traffic.Until, d)
	if z := out.ZoneByID(ZoneResearch); z != nil {
		z.Synthetic = &traffic
	}
	return &out
}

// rows is how many deny rows the traffic holds.
func (s *SyntheticDenials) rows() int { return 2 * s.Requests }

// step is the time between two requests, at least 2 ms so that every row
// has its own millisecond.
func (s *SyntheticDenials) step() time.Duration {
	span := parseStamp(s.Until).Sub(parseStamp(s.From))
	return max((span / time.Duration(max(s.Requests, 1))).Truncate(time.Millisecond), 2*time.Millisecond)
}

// at is when row i (0 is the newest) occurred: the closing row of request
// i/2 when i is even, its policy deny 1 ms earlier when i is odd.
func (s *SyntheticDenials) at(i int) time.Time {
	t := parseStamp(s.Until).Add(-time.Duration(i/2+1) * s.step())
	if i%2 == 0 {
		t = t.Add(time.Millisecond)
	}
	return t
}

// before is the index of the first row that occurred before t.
func (s *SyntheticDenials) before(t time.Time) int {
	return sort.Search(s.rows(), func(i int) bool { return s.at(i).Before(t) })
}

// page returns at most limit rows matching f, newest first, from the
// first one after the cursor position (ct, cid) when hasCursor.
func (s *SyntheticDenials) page(f auditFilter, limit int, ct time.Time, cid string, hasCursor bool) []caracal.AuditRow {
	if !f.synthetic() {
		return nil
	}
	start := 0
	if f.hasUntil {
		start = s.before(f.until)
	}
	if hasCursor {
		start = max(start, sort.Search(s.rows(), func(i int) bool {
			t := s.at(i)
			return t.Before(ct) || t.Equal(ct) && s.id(i) < cid
		}))
	}
	end := s.rows()
	if f.hasSince {
		end = s.before(f.since)
	}
	out := make([]caracal.AuditRow, 0, max(0, min(limit, end-start)))
	for i := start; i < end && len(out) < limit; i++ {
		out = append(out, s.row(i))
	}
	return out
}

// deniedSince counts the rows that occurred at or after t.
func (s *SyntheticDenials) deniedSince(t time.Time) int { return s.before(t) }

func (s *SyntheticDenials) id(i int) string {
	return uuid7At(s.at(i), fmt.Sprintf("synthetic/%d", i))
}

// row builds row i.
func (s *SyntheticDenials) row(i int) caracal.AuditRow {
	k := i / 2
	requestAt := s.at(i | 1)
	a := actor{
		appID:     uuid7At(parseStamp(s.From), fmt.Sprintf("synthetic-app/%d", k%s.Apps)),
		appName:   fmt.Sprintf("synthetic-agent-%03d", k%s.Apps),
		authority: uuid7At(requestAt.Add(-time.Second), fmt.Sprintf("synthetic-authority/%d", k)),
	}
	resource := fmt.Sprintf("resource://synthetic-%03d", k%s.Resources)
	t := newTrace(ZoneResearch, uuid7At(requestAt, fmt.Sprintf("synthetic-request/%d", k)), requestAt)
	cause := syntheticCauses[k%len(syntheticCauses)]
	if cause == "rate_limited" {
		t.gate(cause, a.gateMD(map[string]any{"resource": resource}))
	} else {
		t.policyDeny(policyVersion{setVersionV3, manifestV3}, a.mintMD(resource, []string{"synthetic:read"}), cause)
	}
	t.exchangeDenied(a, resource)
	r := t.rows[1-i%2]
	r.ID = s.id(i)
	return r
}

// synthetic reports whether synthetic deny rows can match the filter.
func (f auditFilter) synthetic() bool {
	switch {
	case f.hasRequestID, f.app != "", f.session != "", f.authority != "", f.label != "":
		return false
	case f.decision != "" && f.decision != "deny":
		return false
	case f.eventTypes != nil && !contains(f.eventTypes, "token_exchange"):
		return false
	}
	return true
}
