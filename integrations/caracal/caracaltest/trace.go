package caracaltest

import (
	"fmt"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// actor is who makes a governed call: an application, optionally inside a
// Session reached through one Delegation (the SDK's usual shape).
type actor struct {
	appID, appName string
	// authority is the authority record id the call rides (metadata
	// session_id, redacted on read).
	authority string
	// agentSession is the governed Session; "" for a plain client-secret exchange.
	agentSession, parentSession, edge string
	labels                            []string
	epoch                             int
	subjectKind                       string
	lifecycle                         string // "" = task
}

// policyVersion is what STS had loaded when it evaluated.
type policyVersion struct{ id, manifest string }

// appMD is the metadata every STS row carries.
func (a actor) appMD() map[string]any {
	return map[string]any{
		"application_id":                  a.appID,
		"application_name":                a.appName,
		"application_registration_method": "managed",
	}
}

// mintMD is the metadata of a token_exchange row written after a policy
// evaluation (API.md §7.8).
func (a actor) mintMD(resource string, scopes []string) map[string]any {
	md := a.appMD()
	md["resource"] = resource
	md["session_id"] = a.authority
	md["requested_scopes"] = strs(scopes)
	kind := a.subjectKind
	if kind == "" {
		kind = "application"
	}
	md["subject_kind"] = kind
	if a.agentSession == "" {
		md["agent_session_id"] = ""
		md["delegation_edge_id"] = ""
		return md
	}
	md["agent_session_id"] = a.agentSession
	md["agent_parent_id"] = a.parentSession
	md["agent_depth"] = 1
	md["agent_lifecycle"] = "task"
	if a.lifecycle != "" {
		md["agent_lifecycle"] = a.lifecycle
	}
	md["agent_labels"] = strs(a.labels)
	md["delegation_edge_id"] = a.edge
	md["delegation_hop_count"] = 1
	md["delegation_graph_epoch"] = a.epoch
	md["delegation_chain"] = []any{
		map[string]any{"application_id": a.appID, "agent_session_id": a.parentSession, "delegation_edge_id": a.edge},
		map[string]any{"application_id": a.appID, "agent_session_id": a.agentSession, "delegation_edge_id": ""},
	}
	return md
}

// gateMD is the metadata of a non-policy token_exchange row.
func (a actor) gateMD(extra map[string]any) map[string]any {
	md := a.appMD()
	for k, v := range extra {
		md[k] = v
	}
	return md
}

// trace accumulates the rows of one request, each a few milliseconds after
// the previous one.
type trace struct {
	zone, requestID string
	at              time.Time
	rows            []caracal.AuditRow
}

func newTrace(zone, requestID string, at time.Time) *trace {
	return &trace{zone: zone, requestID: requestID, at: at}
}

// row appends a bare row; the caller fills what the producer fills.
func (t *trace) row(eventType, decision, status string, md map[string]any) *caracal.AuditRow {
	occurred := t.at.Add(time.Duration(len(t.rows)) * time.Millisecond)
	if len(t.rows) > 0 && eventType == "gateway_resource_request" {
		occurred = t.at.Add(45 * time.Millisecond)
	}
	r := caracal.AuditRow{
		ID:                 uuid7At(occurred, fmt.Sprintf("%s/%d", t.requestID, len(t.rows))),
		ZoneID:             t.zone,
		EventType:          eventType,
		RequestID:          strp(t.requestID),
		Decision:           strp(decision),
		PolicySetID:        strp(""),
		PolicySetVersionID: strp(""),
		ManifestSHA:        strp(""),
		EvaluationStatus:   strp(status),
		MetadataJSON:       md,
		OccurredAt:         ts(occurred),
		IngestedAt:         ts(occurred.Add(time.Duration(240+len(t.rows)*17) * time.Millisecond)),
	}
	t.rows = append(t.rows, r)
	return &t.rows[len(t.rows)-1]
}

// policy appends a token_exchange row decided by the policy engine.
func (t *trace) policy(decision string, v policyVersion, md map[string]any, determining []map[string]any, diags []map[string]any) *caracal.AuditRow {
	r := t.row("token_exchange", decision, "complete", md)
	r.PolicySetVersionID = strp(v.id)
	r.ManifestSHA = strp(v.manifest)
	r.DeterminingPoliciesJSON = nonNil(determining)
	r.DiagnosticsJSON = nonNil(diags)
	return r
}

// policyDeny appends a contract deny with its single reason.
func (t *trace) policyDeny(v policyVersion, md map[string]any, reason string) *caracal.AuditRow {
	return t.policy("deny", v, md, nil, []map[string]any{{"reason": reason}})
}

// policyAllow appends an allow by the named allow path.
func (t *trace) policyAllow(v policyVersion, md map[string]any, policy string, diags ...map[string]any) *caracal.AuditRow {
	return t.policy("allow", v, md, []map[string]any{{"policy": policy}}, diags)
}

// gate appends a token_exchange deny by a code gate (no policy ran).
func (t *trace) gate(status string, md map[string]any) *caracal.AuditRow {
	return t.row("token_exchange", "deny", status, md)
}

// exchangeDenied appends the closing row of a mint that granted nothing.
func (t *trace) exchangeDenied(a actor, requested ...string) *caracal.AuditRow {
	return t.gate("exchange_denied", a.gateMD(map[string]any{"requested": strs(requested)}))
}

// gatewayCall describes the Gateway's forward of an allowed call.
type gatewayCall struct {
	method, resource, upstreamHost, providerID string
	upstreamStatus                             int // 0 when the upstream never answered
	gatewayStatus, latencyMS, responseBytes    int
	status, errorKind                          string // evaluation_status; error_kind
}

// gateway appends the gateway_resource_request row (decision always allow).
func (t *trace) gateway(a actor, g gatewayCall) *caracal.AuditRow {
	status := g.status
	if status == "" {
		status = "executed"
	}
	md := map[string]any{
		"method":              g.method,
		"resource":            g.resource,
		"trace_id":            hexFrom(t.requestID+"/trace", 32),
		"auth_mode":           "caracal_jwt",
		"latency_ms":          g.latencyMS,
		"provider_id":         g.providerID,
		"subject_kind":        "application",
		"upstream_host":       g.upstreamHost,
		"application_id":      a.appID,
		"gateway_status":      g.gatewayStatus,
		"subject_fingerprint": hexFrom(t.requestID+"/bearer", 16),
	}
	if a.subjectKind != "" {
		md["subject_kind"] = a.subjectKind
	}
	if g.upstreamStatus != 0 {
		md["upstream_status"] = g.upstreamStatus
		md["result_class"] = resultClass(g.upstreamStatus)
		md["response_bytes"] = g.responseBytes
	}
	if g.errorKind != "" {
		md["error_kind"] = g.errorKind
	}
	r := t.row("gateway_resource_request", "allow", status, md)
	r.DeterminingPoliciesJSON = []map[string]any{}
	r.DiagnosticsJSON = []map[string]any{}
	return r
}

func resultClass(status int) string {
	switch {
	case status >= 500:
		return "server_error"
	case status >= 400:
		return "client_error"
	case status >= 300:
		return "redirect"
	case status >= 200:
		return "success"
	}
	return "unknown"
}

// approvalHold describes a human-approval hold raised by a mint.
type approvalHold struct {
	challenge, binding string
	expires            time.Time
}

// stepUpIssued appends the pending row of an approval hold.
func (t *trace) stepUpIssued(a actor, h approvalHold) *caracal.AuditRow {
	md := a.appMD()
	for k, v := range map[string]any{
		"tier": "high", "binding": h.binding, "expires_at": h.expires.UTC().Format(layoutSeconds),
		"agent_labels": strs(a.labels), "challenge_id": h.challenge, "privacy_mode": "identified",
		"approver_class": "operator", "agent_session_id": a.agentSession, "delegation_edge_id": a.edge,
	} {
		md[k] = v
	}
	return t.row("step_up_issued", "pending", "complete", md)
}

// stepUpDiagnostics are the allow diagnostics of a refund mint that needs approval.
func stepUpDiagnostics() []map[string]any {
	return []map[string]any{
		{"step_up_required": map[string]any{"type": "human_approval", "tiers": []any{
			map[string]any{"tier": "high", "privacy": "identified", "approver": "operator", "ttl_seconds": 1800},
		}}},
		{"risk": []any{map[string]any{"tier": "high", "scope": "pipernet:refund"}}},
	}
}

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func nonNil(m []map[string]any) []map[string]any {
	if m == nil {
		return []map[string]any{}
	}
	return m
}

// at parses a reference-day clock time such as "09:14:03.118".
func at(clock string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, "2026-08-22T"+clock+"Z")
	if err != nil {
		panic(err)
	}
	return t
}
