package router

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// finding is what a matching rule concludes.
type finding struct {
	Surface string
	Cause   string
	Verdict string
}

// rule is one row of ROUTER.md's table: it matches or it does not.
type rule struct {
	row   int
	match func(ev *Evidence) (finding, bool)
}

// rules returns ROUTER.md's table in order; the first rule that matches wins.
func rules() []rule {
	return []rule{
		{1, ruleAPIUnreachable},
		{2, rulePolicyEvalFailed},
		{3, ruleServiceNotReady},
		{4, rulePolicyDeny},
		{5, ruleGate("scope_mismatch", SurfaceResourceDefinition, "scope_not_declared")},
		{6, ruleGate("operation_not_permitted", SurfaceResourceDefinition, "operation_not_permitted")},
		{7, ruleGate("resource_not_found", SurfaceConfig, "resource_not_found")},
		{8, ruleGate("rate_limited", SurfaceSTSPolicy, "rate_limited")},
		{9, ruleReplay},
		{10, ruleOtherGate},
		{11, ruleApproval},
		{12, ruleAuditPipeline},
		{13, ruleRevocation},
		{14, ruleUpstreamInsufficientScope},
		{15, ruleUpstreamFailed},
		{16, ruleVerifierCode},
		{17, ruleAuthentication},
		{18, ruleForbiddenBeforePolicy},
		{19, ruleMalformedRequest},
		{20, ruleConfigMissing},
		{21, ruleAllowed},
	}
}

// decide runs the table and falls back to row 22.
func decide(ev *Evidence) (finding, int) {
	for _, r := range rules() {
		if f, ok := r.match(ev); ok {
			return f, r.row
		}
	}
	return finding{Surface: SurfaceUnknown, Cause: "unknown", Verdict: unknownVerdict(ev)}, 22
}

// Row 1: the Admin API cannot be reached at all.
func ruleAPIUnreachable(ev *Evidence) (finding, bool) {
	p, ok := ev.Health[caracal.ServiceAPI]
	if !ok || p.Reachable {
		return finding{}, false
	}
	what := "refused the connection or could not be resolved"
	if p.Timeout {
		what = "did not answer in time"
	}
	return finding{SurfaceInfrastructure, "api_unreachable",
		fmt.Sprintf("The Caracal Admin API at %s %s, so nothing else could be checked.", p.URL, what)}, true
}

// Row 2: the policy engine failed to evaluate.
func rulePolicyEvalFailed(ev *Evidence) (finding, bool) {
	h := ev.Query.Hints
	row, inTrace := firstRow(ev.Trace, func(r caracal.AuditRow) bool { return str(r.EvaluationStatus) == "policy_eval_failed" })
	compileErrors := ev.STSMetrics != nil && ev.STSMetrics.OPA.CompileErrors > 0
	sawIt := h.Status == 503 && h.ErrorCode == "policy_eval_failed"
	if !inTrace && !sawIt && !(compileErrors && h.Status == 503) {
		return finding{}, false
	}
	v := "STS could not evaluate the zone's policy bundle (503 policy_eval_failed)"
	if inTrace {
		if msg := engineError(row.DiagnosticsJSON); msg != "" {
			v += ": " + msg
		}
		if ver := str(row.PolicySetVersionID); ver != "" {
			v += fmt.Sprintf(" (policy-set version %s)", ver)
		}
	}
	if compileErrors {
		v += fmt.Sprintf("; STS reports %d policy compile error(s)", ev.STSMetrics.OPA.CompileErrors)
	}
	return finding{SurfaceSTSPolicy, "policy_eval_failed", v + "."}, true
}

// callWorked reports whether the caller says the call succeeded (no-audit,
// revoked, or a 2xx status).
func callWorked(h Hints) bool {
	return h.Symptom == "no-audit" || h.Symptom == "revoked" || (h.Status >= 200 && h.Status < 300)
}

// Row 3: no trace and a service is not ready.
func ruleServiceNotReady(ev *Evidence) (finding, bool) {
	if ev.HasTrace() || callWorked(ev.Query.Hints) {
		return finding{}, false
	}
	var parts []string
	for _, p := range ev.NotReady() {
		parts = append(parts, fmt.Sprintf("%s (%s)", p.Service, probeDetail(p)))
	}
	if e := ev.AdminAPIError; e != nil && e.Status >= 500 {
		parts = append(parts, fmt.Sprintf("api (/v1 reads answer %d %s)", e.Status, e.Code))
	}
	if len(parts) == 0 {
		return finding{}, false
	}
	v := "Caracal is not ready: " + strings.Join(parts, ", ") + "."
	if h := ev.Query.Hints; h.ErrorCode != "" || h.Status >= 400 {
		v += fmt.Sprintf(" The caller's %s is most likely a consequence of the outage, not a separate fault.", hintLabel(h))
	}
	return finding{SurfaceInfrastructure, "service_not_ready", v}, true
}

// Row 4: the policy engine denied with a diagnostic reason.
func rulePolicyDeny(ev *Evidence) (finding, bool) {
	row, ok := firstRow(ev.Trace, exchangeDeny("complete"))
	if !ok {
		return finding{}, false
	}
	reason := firstReason(row.DiagnosticsJSON)
	if reason == "" {
		reason = "unknown"
	}
	surface := SurfaceSTSPolicy
	if reason == "mandate_target_mismatch" {
		surface = SurfaceGatewayVerifier
	}
	return finding{surface, reason, policyDenyVerdict(ev, row, reason)}, true
}

// ruleGate builds rows 5–8: a token_exchange deny from one non-policy gate.
func ruleGate(status, surface, cause string) func(ev *Evidence) (finding, bool) {
	return func(ev *Evidence) (finding, bool) {
		row, ok := firstRow(ev.Trace, exchangeDeny(status))
		if !ok {
			return finding{}, false
		}
		return finding{surface, cause, gateVerdict(ev, row, status)}, true
	}
}

// Row 9: the Gateway saw a one-shot mandate a second time.
func ruleReplay(ev *Evidence) (finding, bool) {
	row, ok := firstRow(ev.Trace, eventType("replay_detected"))
	if !ok {
		return finding{}, false
	}
	return finding{SurfaceGatewayVerifier, "token_replayed", fmt.Sprintf(
		"The Gateway refused a replayed mandate (jti %s) from %s for %s: Gateway mandates are one-shot, so the caller must mint a fresh one for every call.",
		orDash(metaString(row.MetadataJSON, "jti")), applicationLabel(row), resourceLabel(row))}, true
}

// Row 10: any other STS gate.
func ruleOtherGate(ev *Evidence) (finding, bool) {
	row, ok := firstRow(ev.Trace, exchangeDeny(""))
	if !ok {
		return finding{}, false
	}
	status := str(row.EvaluationStatus)
	if status == "" {
		status = "unknown"
	}
	return finding{SurfaceSTSPolicy, status, gateVerdict(ev, row, status)}, true
}

// Row 11: the mint is held for human approval.
func ruleApproval(ev *Evidence) (finding, bool) {
	_, issued := firstRow(ev.Trace, eventType("step_up_issued"))
	pending := ev.Trace != nil && ev.Trace.FinalDecision == "pending"
	if !issued && !pending && ev.Query.Hints.ErrorCode != "interaction_required" {
		return finding{}, false
	}
	cause := "approval_pending"
	state := "pending"
	if ev.Approval != nil {
		state = ev.Approval.State
		switch state {
		case "rejected":
			cause = "approval_rejected"
		case "expired":
			cause = "approval_expired"
		}
	}
	return finding{SurfaceApproval, cause, approvalVerdict(ev, state)}, true
}

// Row 12: the call worked but left no audit trace.
func ruleAuditPipeline(ev *Evidence) (finding, bool) {
	h := ev.Query.Hints
	if ev.HasTrace() || !(h.Symptom == "no-audit" || (h.Status >= 200 && h.Status < 300)) {
		return finding{}, false
	}
	cause, v := auditPipelineCause(ev)
	return finding{SurfaceAuditPipeline, cause, v}, true
}

// Row 14: allowed, but the upstream answered 403.
func ruleUpstreamInsufficientScope(ev *Evidence) (finding, bool) {
	row, ok := gatewayAfterAllow(ev)
	if !ok {
		return finding{}, false
	}
	if st, _ := metaInt(row.MetadataJSON, "upstream_status"); st != 403 {
		return finding{}, false
	}
	return finding{SurfaceResourceDefinition, "upstream_insufficient_scope", fmt.Sprintf(
		"Caracal allowed the call, but the upstream behind %s answered 403: its route requires a scope the mandate does not carry. Declare that scope on the resource and grant it to the Session's role.",
		resourceLabel(row))}, true
}

// Row 15: allowed, but the Gateway's forward failed.
func ruleUpstreamFailed(ev *Evidence) (finding, bool) {
	row, ok := gatewayAfterAllow(ev)
	if !ok {
		return finding{}, false
	}
	es := str(row.EvaluationStatus)
	up, hasUp := metaInt(row.MetadataJSON, "upstream_status")
	failed := es == "upstream_error" || es == "upstream_rejected" || es == "build_failed" || (hasUp && up >= 400)
	if !failed {
		return finding{}, false
	}
	gw, _ := metaInt(row.MetadataJSON, "gateway_status")
	kind := metaString(row.MetadataJSON, "error_kind")
	v := fmt.Sprintf("Caracal allowed the call, but the Gateway's forward to %s failed: Gateway status %d", orDash(metaString(row.MetadataJSON, "upstream_host")), gw)
	if kind != "" {
		v += ", error_kind " + kind
	}
	if hasUp {
		v += fmt.Sprintf(", upstream status %d", up)
	}
	return finding{SurfaceGatewayVerifier, "upstream_failed", v + "."}, true
}

// gatewayAfterAllow returns the gateway_resource_request row of an allowed trace.
func gatewayAfterAllow(ev *Evidence) (caracal.AuditRow, bool) {
	if !ev.HasTrace() || ev.Trace.FinalDecision != "allow" {
		return caracal.AuditRow{}, false
	}
	return firstRow(ev.Trace, eventType("gateway_resource_request"))
}

// isVerifierCode reports whether code is one of the in-process verifier's own
// error codes that ROUTER.md row 16 routes to the verifier (API.md §10).
func isVerifierCode(code string) bool {
	switch code {
	case "insufficient_scope", "session_required", "delegation_required", "chain_mismatch",
		"hop_count_exceeded", "invalid_zone", "missing_token", "delegation_stale":
		return true
	}
	return false
}

// Row 16: no trace, and the caller saw a verifier code.
func ruleVerifierCode(ev *Evidence) (finding, bool) {
	code := ev.Query.Hints.ErrorCode
	if ev.HasTrace() || !isVerifierCode(code) {
		return finding{}, false
	}
	return finding{SurfaceGatewayVerifier, code, verifierVerdict(ev.Query.Hints)}, true
}

// Row 21: allowed and nothing else wrong.
func ruleAllowed(ev *Evidence) (finding, bool) {
	if !ev.HasTrace() || len(rowsWhere(ev.Trace, isDeny)) > 0 {
		return finding{}, false
	}
	switch ev.Trace.FinalDecision {
	case "allow", "consumed", "approved":
	default:
		return finding{}, false
	}
	row, _ := traceApplicationRow(ev.Trace)
	return finding{SurfaceNone, "allowed", fmt.Sprintf(
		"Caracal allowed this request (%s, %s): the trace shows no denial. If the caller still failed, the failure happened outside Caracal.",
		applicationLabel(row), resourceLabel(row))}, true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
