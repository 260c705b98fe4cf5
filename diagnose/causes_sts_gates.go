package diagnose

import (
	"cmp"
	"fmt"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the sts_policy surface decided by STS's own gates, before or
// around the policy engine: the mint rate limit (row 8), the gates named
// by their evaluation_status (row 10), and refusals that leave no audit
// row (row 18).
const (
	CauseRateLimited                   Cause = "rate_limited"
	CauseResourceOutsideDelegation     Cause = "resource_outside_delegation"
	CauseCredentialNotProvisioned      Cause = "credential_not_provisioned"
	CauseCredentialRefreshFailed       Cause = "credential_refresh_failed"
	CauseProviderUnavailable           Cause = "provider_unavailable"
	CauseProviderCredentialUnavailable Cause = "provider_credential_unavailable"
	CauseApprovalInvalid               Cause = "approval_invalid"
	CauseApprovalAlreadyConsumed       Cause = "approval_already_consumed"
	// CauseOtherGate stands for any other gate's evaluation_status, passed through.
	CauseOtherGate          Cause = "<evaluation_status>"
	CauseZoneInvalid        Cause = "zone_invalid"
	CauseAuthorityInactive  Cause = "authority_inactive"
	CauseDeniedBeforePolicy Cause = "denied_before_policy"
)

func rateLimited() Entry {
	return Entry{
		Cause: CauseRateLimited, Surface: SurfaceSTSPolicy,
		Rules: []Rule{gateRule(8, "rate_limited")},
		Verdict: func(ev *Evidence) string {
			row, _ := gateDenyRow(ev, "rate_limited")
			return fmt.Sprintf("STS's mint rate limit for %s on %s was exceeded%s (STS_MINT_RATE_LIMIT_PER_MIN, default 1000/min, counts mints and Gateway re-exchanges), or Redis was unavailable for the counter; the caller saw 403 \"policy denied\", not 429.",
				applicationLabel(ev, row), resourceLabel(row), onPath(ev))
		},
		Actions: []NextAction{
			{Text: "Slow the caller down or raise STS_MINT_RATE_LIMIT_PER_MIN / the console mint limit.", Page: DocErrors},
			{Text: "Check Redis: an unavailable counter store also denies with rate_limited.", Page: DocRedis},
		},
	}
}

// resourceOutsideDelegation is the usual answer to a mandate sent to the
// wrong resource: STS denies the Gateway's re-exchange here, with a bare
// "policy denied", long before mandate_target_mismatch (API.md §0).
func resourceOutsideDelegation() Entry {
	e := gate(CauseResourceOutsideDelegation,
		NextAction{Text: "Send the mandate only to the resource it was minted for (X-Caracal-Resource), or mint one for this resource through a Delegation that covers it.",
			Page: DocGateway, When: func(ev *Evidence) bool { return exchangePath(ev) == gatewayPath }},
		NextAction{Text: "Bind the Delegation to this resource or widen its constraints, then mint again.", Page: DocAuthorize})
	e.Verdict = func(ev *Evidence) string {
		row, _ := otherGateRow(ev)
		edge := ""
		if id := auditrow.Meta(row.MetadataJSON, "delegation_edge_id"); id != "" {
			edge = " (" + id + ")"
		}
		v := fmt.Sprintf("The Delegation%s that %s acts through does not cover %s: STS denied %s at its resource_outside_delegation gate, and the caller saw a bare 403 \"policy denied\".",
			edge, applicationLabel(ev, row), resourceLabel(row), cmp.Or(exchangePath(ev), "the exchange"))
		if exchangePath(ev) == gatewayPath {
			v += " A mandate sent through the Gateway to another resource than the one it was minted for is refused this way."
		}
		return v
	}
	return e
}

func credentialNotProvisioned() Entry {
	return gate(CauseCredentialNotProvisioned, connectionActions()...)
}

func credentialRefreshFailed() Entry {
	return gate(CauseCredentialRefreshFailed, connectionActions()...)
}

func connectionActions() []NextAction {
	return []NextAction{
		{Text: "The end user must connect (or reconnect) the provider account for this resource; the trace row's reason says which (no_user_principal, no_provider_connection, or the refresh error).", Page: DocResourceGrant},
		{Text: "Check the subject's provider connections in the Console (subjects overview).", Page: DocRevocation},
	}
}

func providerUnavailable() Entry {
	return gate(CauseProviderUnavailable, providerActions()...)
}

func providerCredentialUnavailable() Entry {
	return gate(CauseProviderCredentialUnavailable, providerActions()...)
}

func providerActions() []NextAction {
	return []NextAction{
		{Text: "Restore the resource's credential provider and check its circuit and IdP reachability.", Page: DocGateway},
		{Text: "Read the STS logs by request ID for the provider error.", Page: DocDebugging},
	}
}

func approvalInvalid() Entry {
	return gate(CauseApprovalInvalid, spentApprovalActions()...)
}

func approvalAlreadyConsumed() Entry {
	return gate(CauseApprovalAlreadyConsumed, spentApprovalActions()...)
}

func spentApprovalActions() []NextAction {
	return []NextAction{{Text: "Request a new approval; an approval_id is bound to one request and spent once.", Page: DocApproval}}
}

// gated is row 10's guard: a token_exchange deny row from a gate, the
// first of which names the cause.
func gated() guard {
	return guard{row: 10, surface: SurfaceSTSPolicy, when: "a token_exchange deny row from another STS gate (the first that is not the closing exchange_denied)",
		applies: func(ev *Evidence) bool { _, ok := otherGateRow(ev); return ok }}
}

// gate builds a row-10 entry: the first gate row of the trace is c's.
func gate(c Cause, actions ...NextAction) Entry {
	return gated().entry(c, "its evaluation_status is "+string(c),
		func(ev *Evidence) bool { return otherGateStatus(ev) == c }, otherGateVerdict, actions...)
}

func otherGate() Entry {
	e := gated().entry(CauseOtherGate, "any other evaluation_status, passed through (unknown when it has none)", always, otherGateVerdict, stsGateActions()...)
	e.Open = otherGateStatus
	return e
}

// otherGateRow is the first token_exchange deny row that is not the
// closing exchange_denied one.
func otherGateRow(ev *Evidence) (caracal.AuditRow, bool) {
	return auditrow.First(ev.Trace, auditrow.ExchangeDeny(""))
}

// otherGateStatus is that row's evaluation_status, unknown when it has none.
func otherGateStatus(ev *Evidence) Cause {
	row, _ := otherGateRow(ev)
	if s := auditrow.Str(row.EvaluationStatus); s != "" {
		return Cause(s)
	}
	return CauseUnknown
}

func otherGateVerdict(ev *Evidence) string {
	if otherGateStatus(ev) == CauseApprovalRejected {
		return approvalVerdict(ev) // a retry with a rejected approval: the rejection explains it
	}
	row, _ := otherGateRow(ev)
	v := fmt.Sprintf("STS's %s gate denied %s on %s%s, before or around policy", otherGateStatus(ev), applicationLabel(ev, row), resourceLabel(row), onPath(ev))
	if reason := auditrow.Meta(row.MetadataJSON, "reason"); reason != "" {
		v += " (reason " + reason + ")"
	}
	return v + "."
}

// forbidden is row 18's guard.
func forbidden() guard { return refused(18, 403, SurfaceSTSPolicy) }

func zoneInvalid() Entry {
	return forbidden().entry(CauseZoneInvalid, "code zone_invalid",
		func(ev *Evidence) bool { return ev.Query.Hints.ErrorCode == string(CauseZoneInvalid) },
		func(*Evidence) string {
			return "The application's credentials belong to another zone (403 zone_invalid): use the zone where the application is registered."
		}, NextAction{Text: "Use the credentials of an application registered in the zone the call targets, or target the zone where this application is registered.", Page: DocErrors},
		faqSTSvsGateway())
}

func authorityInactive() Entry {
	return forbidden().entry(CauseAuthorityInactive, `description names an authority record, Session or Delegation "inactive or expired"`,
		func(ev *Evidence) bool { return describes(ev, "inactive or expired") },
		func(ev *Evidence) string {
			v := fmt.Sprintf("STS refused the exchange before policy because an authority anchor is no longer live (%q): the authority record, Session or Delegation was revoked, terminated or expired. STS writes no audit row for this.", ev.Query.Hints.Description)
			if describes(ev, "delegation edge") {
				v += " Terminating a Session revokes its Delegations: new mints, and mandates minted before, then get this answer (or 401 \"session revoked\" at the Gateway) within seconds."
			}
			return v
		}, NextAction{Text: "Check the subject's authority records and its Sessions and Delegations (status, expiry, revoked_reason), then mint again under live ones.", Page: DocRevocation},
		faqSTSvsGateway())
}

func deniedBeforePolicy() Entry {
	e := forbidden().entry(CauseDeniedBeforePolicy, "otherwise", always,
		func(ev *Evidence) string {
			h := hintLabel(ev.Query.Hints)
			policyDenied := describes(ev, "policy denied")
			switch {
			case ev.SearchedOnlyItsZone() && policyDenied:
				return notFoundInItsZone(ev) + fmt.Sprintf(". STS answers %s only after writing audit rows, so the call most likely ran in another zone.", h)
			case ev.SearchedOnlyItsZone():
				return notFoundInItsZone(ev) + fmt.Sprintf(": either the call ran in another zone, or STS refused it before policy evaluation (%s), which leaves no audit row. The exact error_description tells the refusals apart: an inactive authority record, Session or Delegation, a Session not owned by the caller, a Delegation path problem, or cross-zone credentials.", h)
			case policyDenied:
				return fmt.Sprintf("STS answered %s, which it does only after writing audit rows, yet no zone searched has any for this ID: the rows may still be on their way through the audit pipeline, or the ID is not the one STS echoed.", h)
			}
			return fmt.Sprintf("STS refused the call before policy evaluation and wrote no audit row (%s). Candidates: an inactive authority record, Session or Delegation (\"... inactive or expired\"), a Session not owned by the caller, a Delegation path problem, or cross-zone credentials (zone_invalid); the exact error_description tells them apart.", h)
		}, beforePolicyActions()...)
	e.Actions = append([]NextAction{searchElsewhere()}, e.Actions...)
	return e
}

func beforePolicyActions() []NextAction {
	return []NextAction{
		{Text: "Check the authority records and Sessions of the subject (status, expiry, revocation).", Page: DocRevocation},
		{Text: "Use credentials issued for the targeted zone.", Page: DocErrors},
		faqSTSvsGateway(),
	}
}

func faqSTSvsGateway() NextAction {
	return NextAction{Text: "STS 403 vs Gateway 403: the FAQ explains how to tell them apart.", Page: DocFAQ}
}
