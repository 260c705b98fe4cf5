package diagnose

import (
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Evidence is everything gathered for one query (collect.Collector.Collect).
// Every field may be empty: a call that failed is named in Missing instead,
// and the rules reason with what is there. Diagnose reads Evidence and
// nothing else.
type Evidence struct {
	Query       Query     `json:"query"`
	AskedZone   string    `json:"asked_zone"`
	CollectedAt time.Time `json:"collected_at"`

	// Ready and Health hold the /ready and /health probes by service.
	Ready  map[caracal.Service]caracal.Probe `json:"ready,omitempty"`
	Health map[caracal.Service]caracal.Probe `json:"health,omitempty"`

	// Trace is the request trace in TraceZone, nil when explain answered 404
	// in every zone searched or could not be read.
	Trace         *caracal.Explain `json:"trace,omitempty"`
	TraceZone     string           `json:"trace_zone,omitempty"`
	SearchedZones []string         `json:"searched_zones,omitempty"`
	// CrossZoneSearch is false when the bot's token could not list zones
	// (a zone-scoped token), so only the asked zone was searched.
	CrossZoneSearch bool `json:"cross_zone_search"`
	// ZoneScopedToken is set when Caracal refused the zone list to the
	// bot's token because it is zone-scoped (403 admin_token_zone_mismatch).
	ZoneScopedToken bool `json:"zone_scoped_token,omitempty"`
	// AdminAPIError is set when the Admin API answered the trace lookup with
	// something other than 200 or 404 (5xx, 401, 429).
	AdminAPIError *caracal.Error `json:"admin_api_error,omitempty"`
	// AdminTokenMissing is set when the bot has no admin token to read with.
	AdminTokenMissing bool `json:"admin_token_missing,omitempty"`

	STSMetrics       *caracal.STSMetrics       `json:"sts_metrics,omitempty"`
	GatewayMetrics   *caracal.GatewayMetrics   `json:"gateway_metrics,omitempty"`
	AuditMetrics     *caracal.AuditMetrics     `json:"audit_metrics,omitempty"`
	CoordinatorStats *caracal.CoordinatorStats `json:"coordinator_stats,omitempty"`

	Zone             *caracal.Zone             `json:"zone,omitempty"`
	Applications     []caracal.Application     `json:"applications,omitempty"`
	Resources        []caracal.Resource        `json:"resources,omitempty"`
	PolicySets       []caracal.PolicySet       `json:"policy_sets,omitempty"`
	Activation       *caracal.ActivationStatus `json:"activation,omitempty"`
	ActiveVersion    *caracal.PolicySetVersion `json:"active_version,omitempty"`
	PolicyDocuments  []caracal.PolicyVersion   `json:"policy_documents,omitempty"`
	AdminAudit       []caracal.AdminAuditRow   `json:"admin_audit,omitempty"`
	Sessions         []caracal.Session         `json:"sessions,omitempty"`
	AuthorityRecords []caracal.AuthorityRecord `json:"authority_records,omitempty"`
	AfterRevocation  []caracal.AuditRow        `json:"after_revocation,omitempty"`
	Approval         *caracal.ApprovalStatus   `json:"approval,omitempty"`
	Missing          []Missing                 `json:"missing,omitempty"`
	// UnknownZone is set when the zone asked does not exist (404 zone_not_found).
	UnknownZone bool `json:"unknown_zone,omitempty"`
}

// HasTrace reports whether a request trace with at least one row was found.
func (ev *Evidence) HasTrace() bool {
	return ev.Trace != nil && len(ev.Trace.Events) > 0
}

// SearchedOnlyItsZone reports a request not found in the zone asked, when
// the bot's zone-scoped token cannot search the others: "no audit row"
// then means no row in that zone, not none at all.
func (ev *Evidence) SearchedOnlyItsZone() bool {
	return ev.ZoneScopedToken && ev.Query.RequestID != "" && ev.Trace == nil && !hasMissing(ev, "request trace")
}

// DiagnosisZone returns the zone the diagnosis is about: where the trace was found,
// else the zone asked.
func (ev *Evidence) DiagnosisZone() string {
	if ev.TraceZone != "" {
		return ev.TraceZone
	}
	return ev.AskedZone
}

// ActivePolicySet returns the zone's policy set with an active version, if any.
func (ev *Evidence) ActivePolicySet() *caracal.PolicySet { return ActivePolicySet(ev.PolicySets) }

// ActivePolicySet returns the policy set with an active version, if any.
func ActivePolicySet(sets []caracal.PolicySet) *caracal.PolicySet {
	for i := range sets {
		if sets[i].ActiveVersionID != nil && *sets[i].ActiveVersionID != "" {
			return &sets[i]
		}
	}
	return nil
}

// ResourceByIdentifier finds a resource of the zone by its identifier URI.
func (ev *Evidence) ResourceByIdentifier(identifier string) *caracal.Resource {
	for i := range ev.Resources {
		if ev.Resources[i].Identifier == identifier {
			return &ev.Resources[i]
		}
	}
	return nil
}

// NotReady returns the probes of services whose /ready did not answer 2xx, in
// `caracal status` order.
func (ev *Evidence) NotReady() []caracal.Probe {
	var out []caracal.Probe
	for _, svc := range caracal.AllServices() {
		if p, ok := ev.Ready[svc]; ok && !p.OK {
			out = append(out, p)
		}
	}
	return out
}

// AddMissing records evidence that could not be fetched.
func (ev *Evidence) AddMissing(what, source, reason string) {
	ev.Missing = append(ev.Missing, Missing{What: what, Source: source, Reason: reason})
}

// LastRevocation returns the newest successful revocation call in admin-audit:
// a grant revoke, a subject kill switch, or an application archive.
func (ev *Evidence) LastRevocation() *caracal.AdminAuditRow {
	var last *caracal.AdminAuditRow
	for i := range ev.AdminAudit {
		r := &ev.AdminAudit[i]
		if r.StatusCode >= 400 || !isRevocation(r) {
			continue
		}
		if last == nil || laterThan(r.OccurredAt, last.OccurredAt) {
			last = r
		}
	}
	return last
}

func isRevocation(r *caracal.AdminAuditRow) bool {
	et := auditrow.Str(r.EntityType)
	switch {
	case r.Method == "DELETE" && (et == "grants" || et == "applications"):
		return true
	case r.Method == "POST" && strings.HasSuffix(r.Path, "/subjects/revoke"):
		return true
	}
	return false
}

// traceAfter reports whether the trace's first row happened after ts.
func traceAfter(t *caracal.Explain, ts string) bool {
	return len(t.Events) > 0 && laterThan(t.Events[0].OccurredAt, ts)
}

// laterThan compares two Caracal timestamps; unparseable ones are never later.
func laterThan(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.After(tb)
}
