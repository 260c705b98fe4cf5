package diagnose

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the approval surface: the mint is held for human approval, and
// the approval's current state names the cause.
const (
	CauseApprovalPending  Cause = "approval_pending"
	CauseApprovalRejected Cause = "approval_rejected"
	CauseApprovalExpired  Cause = "approval_expired"
)

func approvalPending() Entry {
	return held(CauseApprovalPending, "the approval is neither rejected nor expired",
		func(state string) bool { return state != "rejected" && state != "expired" },
		NextAction{Text: "Decide the approval in the Console or via /v1/zones/{{zone}}/approvals/{id}/approve (needs an approve token).", Page: DocApproval},
		NextAction{Text: "Once it is approved, retry the mint with its approval_id.", Page: DocApproval},
	)
}

// approvalRejected's actions never suggest approving: a rejection is final.
// They are also those of a retry STS refused at its approval_rejected gate
// (ROUTER.md row 10, whose open entry passes the token through).
func approvalRejected() Entry {
	return held(CauseApprovalRejected, "the approvals API says it was rejected",
		func(state string) bool { return state == "rejected" },
		NextAction{Text: "Do not retry with this approval_id: a rejection is final, and STS refuses every mint that carries it (403 \"approval was rejected\").", Page: DocApproval},
		NextAction{Text: "Ask the approver why (the step_up_decided row of the approval, in the zone's audit, carries the reason), change the request, and mint again without the approval_id to raise a new approval.", Page: DocAuditLedger},
	)
}

func approvalExpired() Entry {
	return held(CauseApprovalExpired, "the approvals API says it expired",
		func(state string) bool { return state == "expired" },
		NextAction{Text: "Mint again without the expired approval_id to raise a new approval, and have it decided before it expires.", Page: DocApproval},
	)
}

// held builds a row-11 entry: a hold was raised and its state is c's.
func held(c Cause, when string, state func(string) bool, actions ...NextAction) Entry {
	g := guard{row: 11, surface: SurfaceApproval, when: "final_decision pending (a step_up_issued row), or the caller saw interaction_required", applies: holdRaised}
	return g.entry(c, when, func(ev *Evidence) bool { return state(approvalState(ev)) }, approvalVerdict, actions...)
}

// approvalVerdict names the approval, the application, the resource and
// the scopes it is about, and what became of it.
func approvalVerdict(ev *Evidence) string {
	id := approvalID(ev)
	if row, ok := gateDenyRow(ev, string(CauseApprovalRejected)); ok {
		return fmt.Sprintf("STS refused the retry of %s on %s: approval %s was rejected (403 access_denied \"approval was rejected\"), and a rejected approval cannot be used again.",
			applicationLabel(ev, row), boundResource(row), id)
	}
	state := approvalState(ev)
	row, ok := auditrow.First(ev.Trace, auditrow.OfType("step_up_issued"))
	if !ok {
		return fmt.Sprintf("The mint is held for human approval (401 interaction_required); approval %s is %s.", id, state)
	}
	mint, _ := auditrow.ApplicationRow(ev.Trace)
	of := fmt.Sprintf("of %s (%s on %s)", applicationLabel(ev, row), scopePhrase(auditrow.MetaStrings(mint.MetadataJSON, "requested_scopes")), boundResource(mint))
	m := row.MetadataJSON
	switch state {
	case "rejected":
		return fmt.Sprintf("Approval %s for the mint %s was rejected: the mint stays refused, and so will any retry that carries this approval.", id, of)
	case "expired":
		return fmt.Sprintf("Approval %s for the mint %s expired at %s before anyone decided it: the mint stays refused.", id, of, orDash(auditrow.Meta(m, "expires_at")))
	}
	return fmt.Sprintf("The mint %s is held for human approval (tier %s, approver %s): approval %s is %s and expires at %s.",
		of, orDash(auditrow.Meta(m, "tier")), orDash(auditrow.Meta(m, "approver_class")), id, state, orDash(auditrow.Meta(m, "expires_at")))
}

// approvalID is the approval the evidence is about: the one whose state
// was read, else the challenge_id of the hold or of the refused retry.
func approvalID(ev *Evidence) string {
	if ev.Approval != nil && ev.Approval.ID != "" {
		return ev.Approval.ID
	}
	for _, keep := range []func(caracal.AuditRow) bool{auditrow.OfType("step_up_issued"), auditrow.ExchangeDeny(string(CauseApprovalRejected))} {
		if row, ok := auditrow.First(ev.Trace, keep); ok {
			if id := auditrow.Meta(row.MetadataJSON, "challenge_id"); id != "" {
				return id
			}
		}
	}
	return "(its id is not in the evidence)"
}

// boundResource names the resource of a row, or the one the approval was
// bound to when the row does not say (a retry refused before the resource
// loop carries none in Caracal's code; API.md is silent on it).
func boundResource(r caracal.AuditRow) string {
	if auditrow.Meta(r.MetadataJSON, "resource") == "" {
		return "the resource it was bound to"
	}
	return resourceLabel(r)
}

// holdRaised reports a mint held for approval: a step_up_issued row, a
// pending trace, or the caller's interaction_required.
func holdRaised(ev *Evidence) bool {
	_, issued := auditrow.First(ev.Trace, auditrow.OfType("step_up_issued"))
	pending := ev.Trace != nil && ev.Trace.FinalDecision == "pending"
	return issued || pending || ev.Query.Hints.ErrorCode == "interaction_required"
}

// approvalState is the approval's current state, pending when unknown.
func approvalState(ev *Evidence) string {
	if ev.Approval != nil {
		return ev.Approval.State
	}
	return "pending"
}
