package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

func traceCommand() *Command {
	return &Command{
		Name:    "trace",
		Summary: "The request trace (audit explain) of a request ID as a readable table.",
		Usage:   "trace <request-id> [--zone Z]",
		flags:   withHelp(zoneFlag()),
		run:     runTrace,
	}
}

func runTrace(ctx context.Context, env *Env, _ chat.Invocation, a args) (Result, error) {
	if len(a.rest) != 1 {
		return Result{}, usageErrorf("trace needs exactly one request ID (usage: trace <request-id> [--zone Z])")
	}
	id := a.rest[0]
	if err := diagnose.ValidateRequestID(id); err != nil {
		return Result{}, &UsageError{Msg: err.Error()}
	}
	zone, err := env.zoneFor(a)
	if err != nil {
		return Result{}, err
	}
	if zone == "" {
		return Result{}, usageErrorf("trace needs a zone: pass --zone or set CARACAL_ZONE_ID")
	}
	ctx, cancel := context.WithTimeout(ctx, env.timeout())
	defer cancel()
	t, err := env.Caracal.Explain(ctx, zone, id)
	switch {
	case caracal.IsNotFound(err):
		if err := env.zoneMustExist(ctx, zone); err != nil {
			return Result{}, err
		}
		reply := chat.Reply{Severity: chat.SeverityInfo,
			Summary: fmt.Sprintf("No audit rows for %s in zone %s. Run `why %s` to explain the absence (it also searches the other zones the bot's token can read).", id, zone, id)}
		return Result{Reply: reply, Data: map[string]any{"request_id": id, "zone_id": zone, "events": []any{}}, OK: true}, nil
	case err != nil:
		if e, ok := caracal.AsError(err); ok && e.Status == 401 {
			return Result{}, &UnavailableError{Msg: "Caracal rejected the bot's admin token (401 invalid_admin_token): set CARACAL_ADMIN_TOKEN to a valid read-only token"}
		}
		return Result{}, &UnavailableError{Msg: "could not read the request trace: " + err.Error()}
	}
	return Result{Reply: traceReply(t), Data: t, OK: true}, nil
}

func traceReply(t *caracal.Explain) chat.Reply {
	table := auditTable(t.Events, false)
	summary := fmt.Sprintf("Request %s: %d audit row(s), final decision %s", t.RequestID, len(t.Events), t.FinalDecision)
	sev := chat.SeverityOK
	switch failed, ok := failedForward(t); {
	case t.FinalDecision == "deny":
		sev = chat.SeverityError
	case ok:
		// decision stays allow on the Gateway's row whatever the outcome (API.md §7.5)
		sev, summary = chat.SeverityError, summary+", but the Gateway's forward failed ("+failed+")"
	case t.FinalDecision == "pending":
		sev = chat.SeverityWarning
	}
	return chat.Reply{
		Summary:  summary + ".",
		Severity: sev,
		Fields:   []chat.Field{{Label: "Request ID", Value: t.RequestID}, {Label: "Zone", Value: t.ZoneID}, {Label: "Decision", Value: t.FinalDecision}},
		Sections: []chat.Section{{Title: "Trace", Table: table}},
	}
}

// failedForward describes a gateway_resource_request row whose forward
// failed: an evaluation_status other than executed, or a Gateway status of
// 400 or more.
func failedForward(t *caracal.Explain) (string, bool) {
	for _, r := range t.Events {
		if r.EventType != "gateway_resource_request" {
			continue
		}
		status, _ := auditrow.MetaInt(r.MetadataJSON, "gateway_status")
		if es := deref(r.EvaluationStatus); es != "executed" || status >= 400 {
			detail := fmt.Sprintf("%s, Gateway status %d", es, status)
			if kind := auditrow.Meta(r.MetadataJSON, "error_kind"); kind != "" {
				detail += ", " + kind
			}
			return detail, true
		}
	}
	return "", false
}

// auditTable renders audit rows, one line each; requestIDs adds each
// row's request ID after its time.
func auditTable(rows []caracal.AuditRow, requestIDs bool) *chat.Table {
	t := &chat.Table{Header: []string{"occurred_at", "event_type", "decision", "evaluation_status", "detail"}}
	if requestIDs {
		t.Header = slices.Insert(t.Header, 1, "request_id")
	}
	for _, r := range rows {
		row := []string{r.OccurredAt, r.EventType, deref(r.Decision), deref(r.EvaluationStatus), rowDetail(r)}
		if requestIDs {
			row = slices.Insert(row, 1, deref(r.RequestID))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func rowDetail(r caracal.AuditRow) string {
	m := r.MetadataJSON
	var parts []string
	for _, k := range []string{"application_name", "resource", "method", "path", "gateway_status", "upstream_status", "error_kind", "reason"} {
		if v, ok := m[k]; ok && fmt.Sprint(v) != "" {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	for _, d := range r.DiagnosticsJSON {
		if reason, ok := d["reason"].(string); ok {
			parts = append(parts, "reason="+reason)
		}
	}
	for _, p := range r.DeterminingPoliciesJSON {
		if name, ok := p["policy"].(string); ok {
			parts = append(parts, "policy="+name)
		}
	}
	if scopes, ok := m["requested_scopes"].([]any); ok && len(scopes) > 0 {
		parts = append(parts, fmt.Sprintf("scopes=%v", scopes))
	}
	return strings.Join(parts, " ")
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
