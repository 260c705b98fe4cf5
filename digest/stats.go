package digest

import (
	"cmp"
	"sort"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Audit vocabulary the digest reads (API.md §7.5–7.6).
const (
	eventTokenExchange  = "token_exchange"
	eventStepUpIssued   = "step_up_issued"
	eventStepUpDecided  = "step_up_decided"
	eventStepUpConsumed = "step_up_consumed"
	statusComplete      = "complete"
	statusExchangeDeny  = "exchange_denied"
	statusAnomaly       = "anomaly"
	// CauseUnknown is the cause of a denied request whose only deny row is
	// the closing exchange_denied (its per-resource row fell outside the
	// window or was not written).
	CauseUnknown = "unknown"
)

// DeniedRequest is one denied request of a digest window: why, who asked
// and for what, and when it was first denied. Application is the acting
// application's name, "" when no row names it (its id is then in
// ApplicationID).
type DeniedRequest struct {
	RequestID     string    `json:"request_id"`
	Cause         string    `json:"cause"`
	Application   string    `json:"application"`
	ApplicationID string    `json:"application_id,omitempty"`
	Resource      string    `json:"resource"`
	At            time.Time `json:"at"`
}

// Count is how many denied requests share one key.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// TargetCount is how many denied requests one application made for one
// resource. Application is its name, or its id when no name is known.
type TargetCount struct {
	Application   string `json:"application"`
	ApplicationID string `json:"application_id,omitempty"`
	Resource      string `json:"resource"`
	Count         int    `json:"count"`
}

// DenialSummary counts the denied requests of a window by cause and by
// application and resource, and per hour from the window's start.
type DenialSummary struct {
	Requests int           `json:"requests"`
	ByCause  []Count       `json:"by_cause"`
	ByTarget []TargetCount `json:"by_target"`
	Hourly   []int         `json:"hourly,omitempty"`
	// DenyRows is how many deny rows were read and counted; TotalDenyRows
	// how many the window holds, exactly, from the zone overview (a 24-hour
	// window; omitted when unknown).
	DenyRows      int `json:"deny_rows"`
	TotalDenyRows int `json:"total_deny_rows,omitempty"`
	// Coverage is the share of the window's deny rows the counts cover, 0
	// to 1: rows read against TotalDenyRows, or without it the share of the
	// window's time read.
	Coverage float64 `json:"coverage"`
	// AggregatedHours is how many whole hours of the window were counted
	// from running aggregates (Options.Denials) instead of read from the
	// audit log when the digest was made; 0 when all was read.
	AggregatedHours int `json:"aggregated_hours,omitempty"`
	// Truncated is set when not every page of the window was read (the
	// digest's time ran out, or a page failed): counts are a lower bound.
	Truncated bool `json:"truncated,omitempty"`
}

// ApprovalSummary counts approval holds (step_up_issued rows) of a window
// by what became of them, linked to their decisions by challenge_id.
type ApprovalSummary struct {
	Issued int `json:"issued"`
	// Pending holds have no later decided or consumed row and have not expired.
	Pending int `json:"pending"`
	// Expired holds have no decision and their expires_at has passed.
	Expired int `json:"expired_undecided"`
	Decided int `json:"decided"`
}

// DenialCause names why a request was denied, from its deny rows (oldest
// first): the diagnostics[0].reason of a token_exchange deny evaluated by
// the policy engine (evaluation_status complete); else the evaluation_status
// of a token_exchange deny from another gate, never exchange_denied, which
// only closes a denial; else, for other event types, their evaluation_status,
// or the event type itself when that status says nothing (anomaly, complete).
// A request with nothing but exchange_denied rows has CauseUnknown.
func DenialCause(rows []caracal.AuditRow) string {
	var gate, other string
	for _, r := range rows {
		if auditrow.Str(r.Decision) != "deny" {
			continue
		}
		status := auditrow.Str(r.EvaluationStatus)
		switch {
		case r.EventType == eventTokenExchange && status == statusComplete:
			if reason := auditrow.Reason(r.DiagnosticsJSON); reason != "" {
				return reason
			}
			if gate == "" {
				gate = "policy_denied"
			}
		case r.EventType == eventTokenExchange && status != statusExchangeDeny && status != "":
			if gate == "" {
				gate = status
			}
		case r.EventType != eventTokenExchange && other == "":
			other = status
			if status == "" || status == statusAnomaly || status == statusComplete {
				other = r.EventType
			}
		}
	}
	switch {
	case gate != "":
		return gate
	case other != "":
		return other
	}
	return CauseUnknown
}

// DeniedRequestFrom names one denied request from its deny rows (at least
// one; they are sorted oldest first in place): its cause (DenialCause), the
// acting application and the resource, and when it was first denied.
func DeniedRequestFrom(rows []caracal.AuditRow) DeniedRequest {
	sort.SliceStable(rows, func(i, j int) bool {
		return auditrow.Time(rows[i].OccurredAt).Before(auditrow.Time(rows[j].OccurredAt))
	})
	d := DeniedRequest{RequestID: auditrow.Str(rows[0].RequestID), Cause: DenialCause(rows), At: auditrow.Time(rows[0].OccurredAt)}
	d.ApplicationID, d.Resource = denialTarget(rows)
	for _, r := range rows {
		if d.Application == "" && applicationID(r.MetadataJSON) == d.ApplicationID {
			d.Application = auditrow.Meta(r.MetadataJSON, "application_name")
		}
	}
	return d
}

// denialTarget returns the acting application's id and the resource of a
// denied request, from its rows' metadata.
func denialTarget(rows []caracal.AuditRow) (appID, resource string) {
	for _, r := range rows {
		md := r.MetadataJSON
		if appID == "" {
			appID = applicationID(md)
		}
		if resource == "" {
			resource = auditrow.Meta(md, "resource")
		}
		if req := auditrow.MetaStrings(md, "requested"); resource == "" && len(req) > 0 {
			resource = req[0]
		}
	}
	return appID, cmp.Or(resource, "-")
}

// applicationID is a row's acting application: application_id, or the
// client_id of a replay_detected row (API.md §7.8).
func applicationID(md map[string]any) string {
	return cmp.Or(auditrow.Meta(md, "application_id"), auditrow.Meta(md, "client_id"))
}

// SummarizeApprovals counts the approval holds among rows (step_up_issued,
// step_up_decided and step_up_consumed rows of a window): a hold is decided
// when a decided or consumed row with its challenge_id follows it, expired
// when not and its expires_at is before now, pending otherwise. The Admin
// API's approvals list is not described in API.md, so holds are counted
// from the audit list.
func SummarizeApprovals(rows []caracal.AuditRow, now time.Time) ApprovalSummary {
	decided := map[string]time.Time{}
	for _, r := range rows {
		if r.EventType != eventStepUpDecided && r.EventType != eventStepUpConsumed {
			continue
		}
		id := auditrow.Meta(r.MetadataJSON, "challenge_id")
		if t := auditrow.Time(r.OccurredAt); id != "" && (decided[id].IsZero() || t.After(decided[id])) {
			decided[id] = t
		}
	}
	var s ApprovalSummary
	for _, r := range rows {
		if r.EventType != eventStepUpIssued {
			continue
		}
		s.Issued++
		id := auditrow.Meta(r.MetadataJSON, "challenge_id")
		if t, ok := decided[id]; ok && id != "" && !t.Before(auditrow.Time(r.OccurredAt)) {
			s.Decided++
			continue
		}
		if exp, err := time.Parse(time.RFC3339, auditrow.Meta(r.MetadataJSON, "expires_at")); err == nil && exp.Before(now) {
			s.Expired++
			continue
		}
		s.Pending++
	}
	return s
}
