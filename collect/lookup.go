package collect

import (
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// explainable reports whether the explain route accepts the request ID
// (^[A-Za-z0-9_.\-:]{1,128}$, API.md §2.1).
func explainable(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' || r == ':'
		if !ok {
			return false
		}
	}
	return true
}

// traceFromRows rebuilds a request trace from audit-list rows (newest first)
// the way the explain route does: events oldest first, final_decision "deny"
// when any row denies, else the newest row's decision. Denied entries carry
// no reconstructed policy input.
func traceFromRows(zone, id string, newestFirst []caracal.AuditRow) *caracal.Explain {
	t := &caracal.Explain{RequestID: id, ZoneID: zone, FinalDecision: "unknown", Denied: []caracal.DeniedEntry{}}
	for i := len(newestFirst) - 1; i >= 0; i-- {
		t.Events = append(t.Events, newestFirst[i])
	}
	if len(t.Events) == 0 {
		return t
	}
	if d := auditrow.Str(t.Events[len(t.Events)-1].Decision); d != "" {
		t.FinalDecision = d
	}
	for _, r := range t.Events {
		if !auditrow.IsDeny(r) {
			continue
		}
		t.FinalDecision = "deny"
		t.Denied = append(t.Denied, caracal.DeniedEntry{EventID: r.ID, EventType: r.EventType, EvaluationStatus: r.EvaluationStatus,
			DeterminingPolicies: r.DeterminingPoliciesJSON, Diagnostics: r.DiagnosticsJSON, Metadata: r.MetadataJSON})
	}
	return t
}
