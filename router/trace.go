package router

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Small readers over the loosely typed parts of audit rows (metadata and
// diagnostics are producer-defined JSON objects).

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func metaString(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%g", v)
	case bool:
		return fmt.Sprintf("%t", v)
	}
	return ""
}

func metaInt(m map[string]any, key string) (int, bool) {
	if v, ok := m[key].(float64); ok {
		return int(v), true
	}
	return 0, false
}

func metaStrings(m map[string]any, key string) []string {
	raw, ok := m[key].([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// firstReason returns diagnostics[0].reason of a policy deny row.
func firstReason(diags []map[string]any) string {
	if len(diags) == 0 {
		return ""
	}
	return metaString(diags[0], "reason")
}

// engineError returns the engine message of a policy_eval_failed row.
func engineError(diags []map[string]any) string {
	for _, d := range diags {
		if s := metaString(d, "error"); s != "" {
			return s
		}
	}
	return ""
}

func isDeny(r caracal.AuditRow) bool { return str(r.Decision) == "deny" }

// rowsWhere returns the trace rows for which keep is true, oldest first.
func rowsWhere(t *caracal.Explain, keep func(caracal.AuditRow) bool) []caracal.AuditRow {
	if t == nil {
		return nil
	}
	var out []caracal.AuditRow
	for _, r := range t.Events {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// firstRow returns the first trace row for which keep is true.
func firstRow(t *caracal.Explain, keep func(caracal.AuditRow) bool) (caracal.AuditRow, bool) {
	rows := rowsWhere(t, keep)
	if len(rows) == 0 {
		return caracal.AuditRow{}, false
	}
	return rows[0], true
}

// exchangeDeny matches token_exchange deny rows with the given evaluation
// status ("" matches any status except the closing exchange_denied row).
func exchangeDeny(status string) func(caracal.AuditRow) bool {
	return func(r caracal.AuditRow) bool {
		if r.EventType != "token_exchange" || !isDeny(r) {
			return false
		}
		es := str(r.EvaluationStatus)
		if status == "" {
			return es != "exchange_denied"
		}
		return es == status
	}
}

func eventType(t string) func(caracal.AuditRow) bool {
	return func(r caracal.AuditRow) bool { return r.EventType == t }
}

// applicationLabel names the acting application of a row for a verdict.
func applicationLabel(r caracal.AuditRow) string {
	name := metaString(r.MetadataJSON, "application_name")
	if name == "" {
		name = metaString(r.MetadataJSON, "application_id")
	}
	if name == "" {
		name = metaString(r.MetadataJSON, "client_id")
	}
	if name == "" {
		return "the application"
	}
	return "application " + name
}

// resourceLabel names the resource of a row for a verdict.
func resourceLabel(r caracal.AuditRow) string {
	if res := metaString(r.MetadataJSON, "resource"); res != "" {
		return "resource " + res
	}
	if req := metaStrings(r.MetadataJSON, "requested"); len(req) > 0 {
		return "resource " + strings.Join(req, ", ")
	}
	return "the resource"
}

// traceApplicationRow returns the most informative row for naming the
// application and resource: the first row that carries a resource.
func traceApplicationRow(t *caracal.Explain) (caracal.AuditRow, bool) {
	if r, ok := firstRow(t, func(r caracal.AuditRow) bool { return metaString(r.MetadataJSON, "resource") != "" }); ok {
		return r, true
	}
	if t != nil && len(t.Events) > 0 {
		return t.Events[0], true
	}
	return caracal.AuditRow{}, false
}

func quoteList(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, ", ")
}

// missingFrom returns the scopes of want that are not in have.
func missingFrom(want, have []string) []string {
	set := make(map[string]bool, len(have))
	for _, h := range have {
		set[h] = true
	}
	var out []string
	for _, w := range want {
		if !set[w] {
			out = append(out, w)
		}
	}
	return out
}

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
	if d := str(t.Events[len(t.Events)-1].Decision); d != "" {
		t.FinalDecision = d
	}
	for _, r := range t.Events {
		if !isDeny(r) {
			continue
		}
		t.FinalDecision = "deny"
		t.Denied = append(t.Denied, caracal.DeniedEntry{EventID: r.ID, EventType: r.EventType, EvaluationStatus: r.EvaluationStatus,
			DeterminingPolicies: r.DeterminingPoliciesJSON, Diagnostics: r.DiagnosticsJSON, Metadata: r.MetadataJSON})
	}
	return t
}
