package diagnose

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the sts_policy surface decided by the policy engine: it failed
// (row 2) or denied with a diagnostic reason (row 4). Row 4's reason is
// the cause itself.
const (
	CausePolicyEvalFailed        Cause = "policy_eval_failed"
	CauseNoActivePolicySet       Cause = "no_active_policy_set"
	CauseResourceNotGranted      Cause = "resource_not_granted"
	CauseRoleScopeMismatch       Cause = "role_scope_mismatch"
	CauseNoRuleMatched           Cause = "no_rule_matched"
	CauseDelegationScopeExceeded Cause = "delegation_scope_exceeded"
	CauseConfinementViolation    Cause = "confinement_violation"
	CauseRestrictionActive       Cause = "restriction_active"
	CauseMalformedRiskData       Cause = "malformed_risk_data"
	CauseMalformedApprovalData   Cause = "malformed_approval_data"
	// CauseOtherPolicyReason stands for any other reason, passed through.
	CauseOtherPolicyReason Cause = "<reason>"
)

func policyEvalFailed() Entry {
	return Entry{
		Cause: CausePolicyEvalFailed, Surface: SurfaceSTSPolicy,
		Rules: []Rule{{Row: 2, When: "a trace row has evaluation_status policy_eval_failed, or the caller saw 503 policy_eval_failed, or STS reports compile errors and the caller saw a 503",
			Match: func(ev *Evidence) bool {
				h := ev.Query.Hints
				_, inTrace := evalFailedRow(ev)
				sawIt := h.Status == 503 && h.ErrorCode == string(CausePolicyEvalFailed)
				return inTrace || sawIt || (compileErrors(ev) > 0 && h.Status == 503)
			}}},
		Verdict: func(ev *Evidence) string {
			v := "STS could not evaluate the zone's policy bundle (503 policy_eval_failed)"
			if row, ok := evalFailedRow(ev); ok {
				if msg := engineError(row.DiagnosticsJSON); msg != "" {
					v += ": " + msg
				}
				if ver := auditrow.Str(row.PolicySetVersionID); ver != "" {
					v += fmt.Sprintf(" (policy-set version %s)", ver)
				}
			}
			if n := compileErrors(ev); n > 0 {
				v += fmt.Sprintf("; STS reports %d policy compile error(s)", n)
			}
			return v + "."
		},
		Actions: []NextAction{
			{Text: "Read the STS logs for the engine error and check opa.compile_errors / eval_errors on STS /metrics.json.", Page: DocObservability},
			{Text: "Re-activate the last known-good policy-set version.", Page: DocActivate},
			{Text: "Fix data documents that produce multiple outputs for one key, then activate a new version.", Page: DocAuthorPolicy},
		},
		Steps: []StepNote{{Step: 4, Status: StepFail, Detail: "policy evaluation failed"}},
	}
}

func evalFailedRow(ev *Evidence) (caracal.AuditRow, bool) {
	return auditrow.First(ev.Trace, func(r caracal.AuditRow) bool {
		return auditrow.Str(r.EvaluationStatus) == string(CausePolicyEvalFailed)
	})
}

func compileErrors(ev *Evidence) uint64 {
	if ev.STSMetrics == nil {
		return 0
	}
	return ev.STSMetrics.OPA.CompileErrors
}

func noActivePolicySet() Entry {
	e := policyReason(CauseNoActivePolicySet, SurfaceSTSPolicy, func(ev *Evidence, d policyDeny) string {
		return fmt.Sprintf("Zone %s has no active policy-set version, so STS denies every exchange (deny-all fallback); %s was refused %s.", ev.DiagnosisZone(), d.app, d.res)
	},
		NextAction{Text: "Activate a policy-set version in zone {{zone}} (only one set can be active).", Page: DocActivate},
		NextAction{Text: "Check activation-status until propagation_status is loaded.", Page: DocActivate},
	)
	e.Steps = []StepNote{{Step: 5, Status: StepFail, Detail: "no policy set has an active version"}}
	return e
}

func resourceNotGranted() Entry {
	return policyReason(CauseResourceNotGranted, SurfaceSTSPolicy, func(ev *Evidence, d policyDeny) string {
		identifier := auditrow.Meta(d.row.MetadataJSON, "resource")
		denied := fmt.Sprintf("The policy engine denied %s on %s%s: ", d.app, d.res, onPath(ev))
		if identifier != "" && policyMentions(ev, `"`+identifier+`"`) {
			return denied + fmt.Sprintf("%s grants %s to an application key that is not bound to %s in app_ids.", policySetLabel(ev), d.res, d.app)
		}
		return denied + fmt.Sprintf("%s has no grant for %s that binds %s in app_ids.", policySetLabel(ev), d.res, d.app)
	},
		NextAction{Text: "Add a grants entry for the resource in the zone's data document and bind the application key to the application id in app_ids.", Page: DocAuthorPolicy},
		NextAction{Text: "Activate the new policy-set version in zone {{zone}} and wait for propagation_status loaded.", Page: DocActivate},
		NextAction{Text: "Note: rows under /grants are consent records; STS never reads them for this decision.", Page: DocResourceGrant},
	)
}

func roleScopeMismatch() Entry {
	return policyReason(CauseRoleScopeMismatch, SurfaceSTSPolicy, func(ev *Evidence, d policyDeny) string {
		if len(d.scopes) == 0 && exchangePath(ev) == gatewayPath {
			return fmt.Sprintf("At the Gateway's re-exchange, no label of the Session (%s) still maps to a role that grants every scope the mandate carries on %s in %s: a label or a role changed after the mandate was minted.",
				quoteList(d.labels), d.res, policySetLabel(ev))
		}
		v := fmt.Sprintf("No label of the Session (%s) maps to a role that grants %s on %s in %s%s.",
			quoteList(d.labels), scopePhrase(d.scopes), d.res, policySetLabel(ev), onPath(ev))
		if roles := rolesGranting(ev, d.scopes); len(roles) > 0 {
			v += fmt.Sprintf(" Role(s) %s grant it.", strings.Join(roles, ", "))
		}
		return v
	},
		NextAction{Text: "Give the Session a label whose role grants the scope, or extend that role in the data document.", Page: DocAuthorize},
		NextAction{Text: "Activate the new version and mint again.", Page: DocActivate},
	)
}

func noRuleMatched() Entry {
	return policyReason(CauseNoRuleMatched, SurfaceSTSPolicy, func(ev *Evidence, d policyDeny) string {
		if bootstrapShape(d) {
			return bootstrapVerdict(ev, d)
		}
		session := auditrow.Meta(d.row.MetadataJSON, "agent_session_id")
		edge := auditrow.Meta(d.row.MetadataJSON, "delegation_edge_id")
		var missed string
		switch {
		case slices.Contains(d.scopes, reservedScope):
			missed = "agent:lifecycle may only be requested alone (the bootstrap path)"
		case session == "" || edge == "":
			missed = "business scopes need the delegated-mint path (a Session plus a Delegation); a plain client-secret exchange matches no allow rule"
		default:
			missed = "it fits none of the allow paths (bootstrap, delegated mint, mandate use, workload mint)"
		}
		return fmt.Sprintf("The request shape of %s for %s on %s matched no allow rule: %s.", d.app, scopePhrase(d.scopes), d.res, missed)
	},
		NextAction{Text: "Bind the application in the data document: add it to app_ids and name its key as the application of the resource's grants entry, then activate the new version in zone {{zone}}.",
			Page: DocAuthorPolicy, When: func(ev *Evidence) bool { return bootstrapShape(policyDenyOf(ev)) }},
		NextAction{Text: "Mint through the SDK's Session and Delegation flow; plain client-secret exchanges only reach agent:lifecycle.",
			Page: DocAuthorize, When: func(ev *Evidence) bool { return !bootstrapShape(policyDenyOf(ev)) }},
		NextAction{Text: "Compare the request with the allow paths of the decision contract.", Page: DocPolicy},
	)
}

// bootstrapShape reports the bootstrap request: agent:lifecycle alone,
// without a Session or a Delegation (API.md §7.7). Such a request matches
// no rule when the application does not own the resource.
func bootstrapShape(d policyDeny) bool {
	return len(d.scopes) == 1 && d.scopes[0] == reservedScope &&
		auditrow.Meta(d.row.MetadataJSON, "agent_session_id") == "" && auditrow.Meta(d.row.MetadataJSON, "delegation_edge_id") == ""
}

// bootstrapVerdict explains a bootstrap that matched no rule: the path
// needs the application to own the resource, bound in the policy data's
// app_ids and named by the resource's grants entry (API.md §0, §7.7).
func bootstrapVerdict(ev *Evidence, d policyDeny) string {
	name, id := applicationOf(ev, d.row)
	app := "Application " + cmp.Or(name, id, "(unnamed)")
	const path = "the bootstrap path (agent:lifecycle alone) needs the application to own the resource, bound in app_ids and named by the resource's grants entry"
	switch key, bound := appIDsKey(ev, id); {
	case len(ev.PolicyDocuments) == 0:
		return fmt.Sprintf("%s is most likely not bound in the policy data's app_ids (the policy documents could not be read to confirm), so its bootstrap on %s matched no allow rule: %s.", app, d.res, path)
	case !bound:
		return fmt.Sprintf("%s is not bound in the policy data's app_ids (%s has no key for %s), so its bootstrap on %s matched no allow rule: %s.", app, policySetLabel(ev), id, d.res, path)
	default:
		return fmt.Sprintf("%s is bound in app_ids as %q, yet its bootstrap on %s matched no allow rule: %s, so that entry must name %q.", app, key, d.res, path, key)
	}
}

// delegationScopeExceeded is concluded from a policy deny (row 4) and, more
// often, from STS's refusal before policy (row 18).
func delegationScopeExceeded() Entry {
	e := policyReason(CauseDelegationScopeExceeded, SurfaceSTSPolicy, func(_ *Evidence, d policyDeny) string {
		return fmt.Sprintf("%s requested %s on %s, outside the Delegation's scopes.", d.app, scopePhrase(d.scopes), d.res)
	}, delegationActions()...)
	row4 := e.Verdict
	e.Rules = append(e.Rules, forbidden().rule(`description "requested scopes exceed delegation scopes"`, func(ev *Evidence) bool {
		// This rule runs first in row 18, but zone_invalid, a code, is read before any description.
		return ev.Query.Hints.ErrorCode != string(CauseZoneInvalid) && describes(ev, "requested scopes exceed delegation scopes")
	}))
	e.Verdict = func(ev *Evidence) string {
		if _, ok := policyDenyRow(ev); ok {
			return row4(ev)
		}
		return "STS refused the mint before policy: the requested scopes exceed the Delegation's scopes (403, no audit row). Widen the Delegation or request less."
	}
	return e
}

func confinementViolation() Entry {
	return policyReason(CauseConfinementViolation, SurfaceSTSPolicy, func(_ *Evidence, d policyDeny) string {
		return fmt.Sprintf("A confinement rule for the Session's label prefix (%s) caps the scopes below %s on %s.", quoteList(d.labels), scopePhrase(d.scopes), d.res)
	}, delegationActions()...)
}

func delegationActions() []NextAction {
	return []NextAction{
		{Text: "Widen the Delegation or confinement, or request fewer scopes.", Page: DocAuthorize},
		{Text: "Check the Session's labels and the confinement rules in the data document.", Page: DocAuthorPolicy},
	}
}

func restrictionActive() Entry {
	return policyReason(CauseRestrictionActive, SurfaceSTSPolicy, func(ev *Evidence, _ policyDeny) string {
		return fmt.Sprintf("A restrict entry in %s freezes the zone: every exchange is denied until it is removed.", policySetLabel(ev))
	}, dataDocumentActions()...)
}

func malformedRiskData() Entry {
	return policyReason(CauseMalformedRiskData, SurfaceSTSPolicy, func(ev *Evidence, _ policyDeny) string {
		return fmt.Sprintf("A risk entry in %s is not a {scope, tier} pair of strings, so STS denies.", policySetLabel(ev))
	}, dataDocumentActions()...)
}

func malformedApprovalData() Entry {
	return policyReason(CauseMalformedApprovalData, SurfaceSTSPolicy, func(ev *Evidence, _ policyDeny) string {
		return fmt.Sprintf("An approval_tiers entry in %s is invalid (tier, approver, privacy or ttl_seconds), so STS denies.", policySetLabel(ev))
	}, dataDocumentActions()...)
}

func dataDocumentActions() []NextAction {
	return []NextAction{
		{Text: "Fix or remove the offending entry in the data document and activate a new version.", Page: DocAuthorPolicy},
		{Text: "Confirm propagation with activation-status.", Page: DocActivate},
	}
}

func otherPolicyReason() Entry {
	return Entry{
		Cause: CauseOtherPolicyReason, Surface: SurfaceSTSPolicy,
		Rules: []Rule{{Row: 4, When: "a token_exchange deny row with evaluation_status complete and any other diagnostics[0].reason (unknown when it has none)",
			Match: func(ev *Evidence) bool { _, ok := policyDenyRow(ev); return ok }}},
		Verdict: func(ev *Evidence) string {
			d := policyDenyOf(ev)
			return fmt.Sprintf("The policy engine denied %s on %s%s with reason %s.", d.app, d.res, onPath(ev), d.reason)
		},
		Actions: stsGateActions(),
		Open:    func(ev *Evidence) Cause { return policyDenyOf(ev).reason },
	}
}

// stsGateActions are the fixes of a refusal the registry has no entry for.
func stsGateActions() []NextAction {
	return []NextAction{
		{Text: "Look up the STS gate {{cause}} in the error reference; the trace row's metadata reason says why it refused.", Page: DocErrors},
		{Text: "Compare the request with the policy data and the resource definition.", Page: DocAuthorize},
	}
}

// policyDeny is the first token_exchange deny row the policy engine
// decided, with what verdicts say of it.
type policyDeny struct {
	row            caracal.AuditRow
	reason         Cause
	app, res       string
	scopes, labels []string
}

func policyDenyRow(ev *Evidence) (caracal.AuditRow, bool) {
	return auditrow.First(ev.Trace, auditrow.ExchangeDeny("complete"))
}

// policyDenyOf reads the trace's policy deny; its reason is unknown when the
// row has none.
func policyDenyOf(ev *Evidence) policyDeny {
	row, _ := policyDenyRow(ev)
	reason := Cause(auditrow.Reason(row.DiagnosticsJSON))
	if reason == "" {
		reason = CauseUnknown
	}
	return policyDeny{row: row, reason: reason, app: applicationLabel(ev, row), res: resourceLabel(row),
		scopes: auditrow.MetaStrings(row.MetadataJSON, "requested_scopes"), labels: auditrow.MetaStrings(row.MetadataJSON, "agent_labels")}
}

// policyReason builds a row-4 entry: the policy engine denied with reason c.
func policyReason(c Cause, s Surface, verdict func(ev *Evidence, d policyDeny) string, actions ...NextAction) Entry {
	return Entry{
		Cause: c, Surface: s,
		Rules: []Rule{{Row: 4, When: "a token_exchange deny row with evaluation_status complete and diagnostics[0].reason " + string(c),
			Match: func(ev *Evidence) bool {
				_, ok := policyDenyRow(ev)
				return ok && policyDenyOf(ev).reason == c
			}}},
		Verdict: func(ev *Evidence) string { return verdict(ev, policyDenyOf(ev)) },
		Actions: actions,
	}
}
