package caracaltest

import (
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// interactionRequired is STS's answer to a mint held for human approval.
func interactionRequired() Hints {
	return Hints{Status: 401, ErrorCode: "interaction_required", Description: "Human approval required for this request"}
}

// holdSpec describes a refund mint held for approval and what became of it.
type holdSpec struct {
	requestID, session, edge, challenge string
	at                                  time.Time
	state                               string // the approval's state now
	// decided, when set, is when an operator rejected the approval via the Admin API.
	decided time.Time
	seq     int
}

// rejectedHold is the refund mint an operator rejected at 11:31.
func rejectedHold() holdSpec {
	return holdSpec{
		requestID: "01a02933-29b6-7cce-825e-9bb45fab848d", session: "01a02933-2564-7fd2-89d5-8fbff3811eb0",
		edge: "01a02933-2758-71ba-8fd4-6fb973af23e5", challenge: "1ca979ce-8b3f-4728-9f40-ab7442f7c3bd",
		at: at("11:20:14.012"), state: "rejected", decided: at("11:31:02.118"), seq: 401,
	}
}

// Row 11: a mint is held for human approval.
func approvalScenarios() []Scenario {
	rejected := rejectedHold()
	expired := holdSpec{
		requestID: "01a02969-f646-7e50-9a25-e018f897844d", session: "01a02969-eff4-78a4-b35f-90c18a4f6149",
		edge: "01a02969-f24c-7763-88d8-cc10f358ed61", challenge: "3de94c47-056c-4fdb-a3ee-80a9a22d4ad6",
		at: at("12:20:05.325"), state: "expired",
	}
	return []Scenario{
		fixtureScenario(Scenario{
			ID: "01a02991-2c7c-7814-bff7-2eb48ca6a1d1", Name: "approval-pending", Row: 11,
			Title:   "A pipernet:refund mint is waiting for an operator's approval",
			Surface: diagnose.SurfaceApproval, Cause: diagnose.CauseApprovalPending,
			Hints: interactionRequired(), CallerSaw: fixtureBody("error-401-interaction-required.json"),
		}, "explain-pending-approval.json", sessionSubjectRec),
		{
			ID: rejected.requestID, Name: "approval-rejected", Row: 11,
			Title:   "The refund mint was held for approval and an operator rejected it",
			Surface: diagnose.SurfaceApproval, Cause: diagnose.CauseApprovalRejected, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints: interactionRequired(), CallerSaw: holdBody(rejected),
			seed: seedHold(rejected),
		},
		{
			ID: expired.requestID, Name: "approval-expired", Row: 11,
			Title:   "The refund mint was held for approval and nobody decided before it expired",
			Surface: diagnose.SurfaceApproval, Cause: diagnose.CauseApprovalExpired, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints: interactionRequired(), CallerSaw: holdBody(expired),
			seed: seedHold(expired),
		},
	}
}

// Row 10: a mint retried with an approval_id that STS refuses (API.md §8).
func approvalRetryScenarios() []Scenario {
	return []Scenario{
		gateDenyScenario(gateDenySpec{id: "01a0293f-7852-793e-b466-18839ad74019", name: "approval-retry-rejected",
			title: "research-agent retried the refund mint with the approval an operator had just rejected",
			cause: diagnose.CauseApprovalRejected, at: at("11:33:40.562"),
			hints: Hints{Status: 403, ErrorCode: "access_denied", Description: "approval was rejected"},
			md:    rejectedHold().retryMD()}),
		gateDenyScenario(gateDenySpec{id: "01a029a2-4af7-75e1-ad40-06abaf211806", name: "approval-invalid",
			title: "research-agent retried a mint with an approval_id bound to another request",
			cause: diagnose.CauseApprovalInvalid, at: at("13:21:37.015"),
			hints: Hints{Status: 401, ErrorCode: "access_denied", Description: "approval not found or bindings do not match"},
			md:    map[string]any{"resource": "resource://pipernet"}}),
		gateDenyScenario(gateDenySpec{id: "01a029b3-1f80-7267-b164-7edc39806d62", name: "approval-already-consumed",
			title: "Two retries carried the same approval; the second found it already spent",
			cause: diagnose.CauseApprovalAlreadyConsumed, at: at("13:40:00.000"),
			hints: Hints{Status: 409, ErrorCode: "approval_consumed", Description: "approval already used; another request consumed it"},
			md:    map[string]any{"resource": "resource://pipernet"}}),
	}
}

func (h holdSpec) hold() approvalHold {
	return approvalHold{challenge: h.challenge, binding: hexFrom(h.challenge, 64), expires: h.at.Add(30 * time.Minute).Truncate(time.Second)}
}

func (h holdSpec) actor() actor {
	a := researchAgent()
	a.authority, a.agentSession, a.edge, a.labels = sessionSubjectRec, h.session, h.edge, []string{"refunder"}
	return a
}

// retryMD is the metadata of the approval_rejected row of a retry that
// carried the hold's approval: the hold's, as Caracal's STS writes it
// (services/sts/internal/exchange.go, stepUpAuditMeta; API.md §7.8 lists
// these keys for approval events and is silent on this row), plus the
// resource.
func (h holdSpec) retryMD() map[string]any {
	hold := h.hold()
	return map[string]any{
		"resource": "resource://pipernet", "challenge_id": h.challenge, "tier": "high", "approver_class": "operator",
		"privacy_mode": "identified", "binding": hold.binding, "expires_at": hold.expires.UTC().Format(layoutSeconds),
		"agent_session_id": h.session, "delegation_edge_id": h.edge,
	}
}

// holdBody is STS's 401 interaction_required body for the hold.
func holdBody(h holdSpec) string {
	hold := h.hold()
	return `{"error":"interaction_required","error_description":"Human approval required for this request","approval_id":"` +
		h.challenge + `","approval_type":"human_approval","state":"pending","tier":"high","binding":"` + hold.binding +
		`","approval_expires_at":"` + hold.expires.UTC().Format(layoutSeconds) + `","requestId":"` + h.requestID + `"}`
}

// seedHold stages the hold's Session, trace, approval state and, for a
// rejection, the operator's decision in admin-audit and audit.
func seedHold(h holdSpec) func(*World) {
	a, hold := h.actor(), h.hold()
	return both(
		research(func(z *ZoneData) {
			z.Sessions = append(z.Sessions, session(sessionSpec{id: h.session, app: appResearchAgent, parent: sessionRoot,
				labels: a.labels, started: h.at.Add(-2 * time.Second), subject: sessionSubjectRec}))
		}),
		seedTrace(ZoneResearch, h.requestID, h.at, func(t *trace) {
			t.policyAllow(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://pipernet", []string{"pipernet:refund"}), "caracal-research-agent-mint", stepUpDiagnostics()...)
			t.stepUpIssued(a, hold)
		}),
		func(w *World) {
			w.SetApproval(caracal.ApprovalStatus{ID: h.challenge, State: h.state, ExpiresAt: hold.expires.UTC().Format(layoutSeconds)})
		},
		func(w *World) {
			if h.decided.IsZero() {
				return
			}
			z := w.ZoneByID(ZoneResearch)
			row := adminRow(adminCall{at: h.decided, method: "POST", status: 200, seq: h.seq, change: "action", fields: []string{"reason"},
				path: "/v1/zones/" + ZoneResearch + "/approvals/" + h.challenge + "/reject"})
			z.AdminAudit = append(z.AdminAudit, row)
			decision := newTrace(ZoneResearch, row.RequestID, h.decided.Add(40*time.Millisecond))
			md := a.appMD()
			for k, v := range map[string]any{"challenge_id": h.challenge, "tier": "high", "approver_class": "operator",
				"privacy_mode": "identified", "binding": hold.binding, "expires_at": hold.expires.UTC().Format(layoutSeconds),
				"approver_plane": "operator", "reason": "refund not approved by finance"} {
				md[k] = v
			}
			decision.row("step_up_decided", "rejected", "complete", md)
			z.AddAudit(decision.rows...)
		},
	)
}

// Rows 14 and 15: policy allowed, then the upstream or the Gateway's forward failed.
func upstreamScenarios() []Scenario {
	const failed = "8edbad8e-10d7-4655-885c-860051f0d2c9"
	return []Scenario{
		fixtureScenario(Scenario{
			ID: "bf185b7e-42d4-4e63-8035-4180ba668161", Name: "upstream-insufficient-scope", Row: 14,
			Title:   "Policy allowed the Nucleus call, but the MCP server's verifier wants a scope the resource never declared",
			Surface: diagnose.SurfaceResourceDefinition, Cause: diagnose.CauseUpstreamInsufficientScope,
			Hints:     Hints{Status: 403, ErrorCode: "insufficient_scope", Description: "Missing scope: nucleus:admin"},
			CallerSaw: fixtureBody("error-403-verifier-insufficient-scope.json"),
		}, "explain-allow-upstream-403-insufficient-scope.json", uuid7At(at("09:31:39.950"), "mandate/bf185b7e")),
		{
			ID: failed, Name: "upstream-failed", Row: 15,
			Title:   "Policy allowed the Pipernet call, but the Gateway could not reach pipernet:8088",
			Surface: diagnose.SurfaceGatewayVerifier, Cause: diagnose.CauseUpstreamFailed, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints:     Hints{Status: 502, ErrorCode: "internal_error", Description: "upstream unreachable"},
			CallerSaw: fixtureBody("error-502-gateway-upstream-unreachable.json"),
			seed: seedTrace(ZoneResearch, failed, at("10:40:19.377"), func(t *trace) {
				a := researchAgent()
				a.authority = uuid7At(at("10:40:19.020"), "mandate/"+failed)
				t.policyAllow(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://pipernet", nil), "caracal-research-agent-use")
				t.gateway(a, gatewayCall{method: "GET", resource: "resource://pipernet", upstreamHost: "pipernet:8088",
					providerID: providerPipernet, gatewayStatus: 502, latencyMS: 3, status: "upstream_error", errorKind: "transport_error"})
			}),
		},
	}
}
