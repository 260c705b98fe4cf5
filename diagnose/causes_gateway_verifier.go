package diagnose

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the gateway_verifier surface: the Gateway or an in-process
// verifier refused the call, or the Gateway's forward failed.
const (
	CauseMandateTargetMismatch Cause = "mandate_target_mismatch"
	CauseTokenReplayed         Cause = "token_replayed"
	CauseUpstreamFailed        Cause = "upstream_failed"
	// The in-process verifier's own codes (row 16, API.md §10).
	CauseInsufficientScope  Cause = "insufficient_scope"
	CauseSessionRequired    Cause = "session_required"
	CauseDelegationRequired Cause = "delegation_required"
	CauseChainMismatch      Cause = "chain_mismatch"
	CauseHopCountExceeded   Cause = "hop_count_exceeded"
	CauseInvalidZone        Cause = "invalid_zone"
	CauseMissingToken       Cause = "missing_token"
	CauseDelegationStale    Cause = "delegation_stale"
)

func mandateTargetMismatch() Entry {
	return policyReason(CauseMandateTargetMismatch, SurfaceGatewayVerifier, func(_ *Evidence, d policyDeny) string {
		return fmt.Sprintf("At the Gateway's re-exchange, the mandate presented for %s does not target it: it was minted for another resource that its Delegation also covers, or X-Caracal-Resource is wrong. (Caracal answers this only then, for a transport_uniform resource; a Delegation that does not cover the target gives resource_outside_delegation, an enforced target operation_not_permitted.)", d.res)
	}, NextAction{Text: "Mint the mandate for the resource being called, and send that resource's identifier in X-Caracal-Resource.", Page: DocGateway})
}

func tokenReplayed() Entry {
	return Entry{
		Cause: CauseTokenReplayed, Surface: SurfaceGatewayVerifier,
		Rules: []Rule{{Row: 9, When: "a replay_detected row",
			Match: func(ev *Evidence) bool { _, ok := replayRow(ev); return ok }}},
		Verdict: func(ev *Evidence) string {
			row, _ := replayRow(ev)
			return fmt.Sprintf("The Gateway refused a replayed mandate (jti %s) from %s for %s: Gateway mandates are one-shot, so the caller must mint a fresh one for every call.",
				orDash(auditrow.Meta(row.MetadataJSON, "jti")), applicationLabel(ev, row), resourceLabel(row))
		},
		Actions: []NextAction{
			{Text: "Mint a fresh Gateway mandate for every call; they are one-shot.", Page: DocGateway},
			{Text: "If nothing replays on purpose, look for client retries that resend the same bearer.", Page: DocFAQ},
		},
	}
}

func replayRow(ev *Evidence) (caracal.AuditRow, bool) {
	return auditrow.First(ev.Trace, auditrow.OfType("replay_detected"))
}

func upstreamFailed() Entry {
	return Entry{
		Cause: CauseUpstreamFailed, Surface: SurfaceGatewayVerifier,
		Rules: []Rule{{Row: 15, When: "the trace allows, then gateway_resource_request failed (upstream_error, upstream_rejected, build_failed, or upstream status 401, other 4xx, 5xx)",
			Match: func(ev *Evidence) bool {
				row, ok := gatewayAfterAllow(ev)
				es := auditrow.Str(row.EvaluationStatus)
				up, hasUp := auditrow.MetaInt(row.MetadataJSON, "upstream_status")
				return ok && (es == "upstream_error" || es == "upstream_rejected" || es == "build_failed" || (hasUp && up >= 400))
			}}},
		Verdict: func(ev *Evidence) string {
			row, _ := gatewayAfterAllow(ev)
			gw, _ := auditrow.MetaInt(row.MetadataJSON, "gateway_status")
			v := fmt.Sprintf("Caracal allowed the call, but the Gateway's forward to %s failed: Gateway status %d", orDash(auditrow.Meta(row.MetadataJSON, "upstream_host")), gw)
			if kind := auditrow.Meta(row.MetadataJSON, "error_kind"); kind != "" {
				v += ", error_kind " + kind
			}
			if up, ok := auditrow.MetaInt(row.MetadataJSON, "upstream_status"); ok {
				v += fmt.Sprintf(", upstream status %d", up)
			}
			return v + "."
		},
		Actions: []NextAction{
			{Text: "Check the upstream's health and that the Gateway container can reach its upstream_url.", Page: DocGateway},
			{Text: "Read the Gateway logs by request ID for the transport error.", Page: DocDebugging},
		},
	}
}

func insufficientScope() Entry {
	e := verifier(CauseInsufficientScope, ": the route requires a scope the mandate does not carry. Declare it on the resource, grant it to the Session's role and mint again.")
	e.Actions = undeclaredScopeActions()
	e.Steps = []StepNote{failsStep(6, CauseInsufficientScope)}
	return e
}

func sessionRequired() Entry    { return verifier(CauseSessionRequired, ".") }
func delegationRequired() Entry { return verifier(CauseDelegationRequired, ".") }
func chainMismatch() Entry      { return verifier(CauseChainMismatch, ".") }
func hopCountExceeded() Entry   { return verifier(CauseHopCountExceeded, ".") }

func invalidZone() Entry {
	return verifier(CauseInvalidZone, ": the mandate's zone_id differs from the verifier's configured zone.")
}

func missingToken() Entry {
	return verifier(CauseMissingToken, ": the request carried no bearer token.")
}

func delegationStale() Entry {
	return verifier(CauseDelegationStale, ": the Delegation graph changed after the mandate was minted; mint again.")
}

// verifier builds a row-16 entry: no trace, and the caller saw the
// verifier's code c. The verdict ends with tail.
func verifier(c Cause, tail string) Entry {
	g := guard{row: 16, surface: SurfaceGatewayVerifier, when: "no trace",
		applies: func(ev *Evidence) bool { return !ev.HasTrace() }}
	return g.entry(c, "the caller's error code is the verifier's "+string(c), func(ev *Evidence) bool { return ev.Query.Hints.ErrorCode == string(c) },
		func(ev *Evidence) string {
			return fmt.Sprintf("The resource server's in-process verifier refused the call (%s) and wrote no audit row", hintLabel(ev.Query.Hints)) + tail
		},
		NextAction{Text: "Check the resource server's verifier configuration (zone, issuer, route requirements) against the mandate.", Page: DocGateway},
		NextAction{Text: "Route the call through the Gateway to get an audit trace.", Page: DocAuditLedger},
	)
}
