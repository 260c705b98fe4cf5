package diagnose

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the revocation surface: access continues after a revocation.
// The first that holds, in this order, is the cause.
const (
	CausePolicyNotPropagated       Cause = "policy_not_propagated"
	CauseRevocationSnapshotStale   Cause = "revocation_snapshot_stale"
	CauseGrantRevokeNotEffective   Cause = "grant_revoke_not_effective"
	CauseVerifierWithoutRevocation Cause = "verifier_without_revocation"
)

func policyNotPropagated() Entry {
	return stillAllowed().entry(CausePolicyNotPropagated, "activation-status is not loaded, or the API outbox has dead rows",
		func(ev *Evidence) bool {
			act := ev.Activation
			return (act != nil && act.PropagationStatus != caracal.PropagationLoaded) || ev.readyReasonIs(caracal.ServiceAPI, "outbox_dead_messages")
		},
		func(ev *Evidence) string {
			return fmt.Sprintf("Access continues after %s because the change has not reached STS: %s.", revocationLabel(ev), propagationDetail(ev))
		},
		NextAction{Text: "Requeue or fix the dead API outbox rows, then re-check activation-status until loaded.", Page: DocActivate},
		NextAction{Text: "STS also re-reads active bindings every OPA_POLL_SECONDS (default 60).", Page: DocRevocation},
	)
}

func revocationSnapshotStale() Entry {
	return stillAllowed().entry(CauseRevocationSnapshotStale, "the Gateway's revocation snapshot is stale",
		func(ev *Evidence) bool {
			return (ev.GatewayMetrics != nil && ev.GatewayMetrics.RevocationSnapshotFresh == 0) || ev.readyReasonIs(caracal.ServiceGateway, "revocation_snapshot_stale")
		},
		func(ev *Evidence) string {
			age := "unknown"
			if ev.GatewayMetrics != nil {
				age = fmt.Sprintf("%ds", ev.GatewayMetrics.RevocationSnapshotAgeSeconds)
			}
			return fmt.Sprintf("Access continues after %s because the Gateway's revocation snapshot is stale (age %s, fresh means ≤ 70 s): it has not seen the revocation.", revocationLabel(ev), age)
		},
		NextAction{Text: "Check the Gateway's Postgres and Redis connectivity; force a reload with POST /internal/revocations/reload.", Page: DocRevocation},
		NextAction{Text: "Watch revocation_snapshot_fresh on Gateway /metrics.json return to 1.", Page: DocObservability},
	)
}

func grantRevokeNotEffective() Entry {
	return stillAllowed().entry(CauseGrantRevokeNotEffective, "the revocation was a /grants revoke, which does not cut the application's own authority",
		func(ev *Evidence) bool {
			rev := ev.LastRevocation()
			return rev != nil && rev.Method == "DELETE" && auditrow.Str(rev.EntityType) == "grants"
		},
		func(ev *Evidence) string {
			return fmt.Sprintf("Access continues after %s because a /grants revoke only revokes the consenting user's authority records: %s still holds the policy grant, and the policy data is unchanged.", revocationLabel(ev), traceSubject(ev))
		},
		NextAction{Text: "Cut the application's access by changing the policy data and activating a new version.", Page: DocAuthorPolicy},
		NextAction{Text: "Or revoke the right subject with POST /v1/zones/{zone}/subjects/revoke, or terminate the Sessions and Delegations.", Page: DocRevocation},
	)
}

func verifierWithoutRevocation() Entry {
	return stillAllowed().entry(CauseVerifierWithoutRevocation, "otherwise (no Gateway on the path)",
		always,
		func(*Evidence) string {
			return "Access continues after the revocation, and STS and the Gateway look current: the calls most likely reach an in-process verifier whose revocation store is not fed by caracal.sessions.revoke, so revoked mandates work until they expire (at most 15 min)."
		},
		NextAction{Text: "Feed the verifier's revocation store from caracal.sessions.revoke, or route calls through the Gateway.", Page: DocRevocation},
		NextAction{Text: "Until then, revoked resource mandates keep working until they expire (15 min at most).", Page: DocFAQ},
	)
}

// stillAllowed is row 13's guard.
func stillAllowed() guard {
	return guard{row: 13, surface: SurfaceRevocation, when: "the caller says revoked, or the trace allows after a revocation recorded in admin-audit",
		applies: func(ev *Evidence) bool {
			rev := ev.LastRevocation()
			allowedAfter := rev != nil && ev.HasTrace() && ev.Trace.FinalDecision == "allow" && traceAfter(ev.Trace, rev.OccurredAt)
			return ev.Query.Hints.Symptom == SymptomRevoked || allowedAfter
		}}
}

// revocationLabel names the last revocation for a verdict.
func revocationLabel(ev *Evidence) string {
	if rev := ev.LastRevocation(); rev != nil {
		return fmt.Sprintf("the revocation %s at %s", rev.Action, rev.OccurredAt)
	}
	return "the revocation"
}

// traceSubject names the application of the trace and its subject kind.
func traceSubject(ev *Evidence) string {
	row, ok := auditrow.ApplicationRow(ev.Trace)
	if !ok {
		return "the application"
	}
	label := applicationLabel(ev, row)
	if kind := auditrow.Meta(row.MetadataJSON, "subject_kind"); kind != "" {
		label += " (subject kind " + kind + ")"
	}
	return label
}
