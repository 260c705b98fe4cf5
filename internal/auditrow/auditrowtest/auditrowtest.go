// Package auditrowtest builds hand-made audit rows for the tests of the
// packages that read them (diagnose, digest). Every builder returns fresh
// values, so a test can change what it gets without affecting others.
package auditrowtest

import "github.com/caracal-bot/caracal-bot/integrations/caracal"

// The zone and request of the rows built here.
const (
	Zone      = "019f1ce8-1680-793b-b480-86d4734b60a7"
	RequestID = "01a028ea-d354-7443-96e4-46e5643d943c"
)

// Ptr returns a pointer to s, for the optional fields of a row.
func Ptr(s string) *string { return &s }

// Row builds an audit row of RequestID in Zone; status "" leaves
// evaluation_status null.
func Row(eventType, decision, status string, meta map[string]any, diags ...map[string]any) caracal.AuditRow {
	r := caracal.AuditRow{
		ID:           "row-" + eventType + "-" + status,
		ZoneID:       Zone,
		EventType:    eventType,
		RequestID:    Ptr(RequestID),
		MetadataJSON: meta,
		OccurredAt:   "2026-08-22T14:09:20.210Z",
		IngestedAt:   "2026-08-22T14:09:20.400Z",
	}
	if decision != "" {
		r.Decision = Ptr(decision)
	}
	if status != "" {
		r.EvaluationStatus = Ptr(status)
	}
	if len(diags) > 0 {
		r.DiagnosticsJSON = diags
	}
	return r
}

// MintMeta is the metadata of a token_exchange row of application billing-bot.
func MintMeta(scopes ...string) map[string]any {
	ss := make([]any, len(scopes))
	for i, s := range scopes {
		ss[i] = s
	}
	return map[string]any{
		"resource":           "resource://pipernet",
		"application_id":     "019f230e-d6df-74ba-b084-de0d74d7d04b",
		"application_name":   "billing-bot",
		"subject_kind":       "application",
		"requested_scopes":   ss,
		"agent_labels":       []any{"reader"},
		"agent_session_id":   "01a028ea-d034-75b1-b12f-031a8fb9546e",
		"delegation_edge_id": "01a028ea-d160-718e-a972-e1ff6ab7e86e",
	}
}

// Reason is the diagnostic of a policy deny.
func Reason(r string) map[string]any { return map[string]any{"reason": r} }

// DenyRow is a token_exchange deny with a policy reason (evaluation_status complete).
func DenyRow(r string) caracal.AuditRow {
	return Row("token_exchange", "deny", "complete", MintMeta("pipernet:read"), Reason(r))
}

// GateRow is a token_exchange deny from a non-policy gate.
func GateRow(status string) caracal.AuditRow {
	return Row("token_exchange", "deny", status, MintMeta("pipernet:read"))
}
