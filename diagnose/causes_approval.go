package diagnose

import (
	"fmt"

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
		func(state string) bool { return state != "rejected" && state != "expired" })
}

func approvalRejected() Entry {
	return held(CauseApprovalRejected, "the approvals API says it was rejected",
		func(state string) bool { return state == "rejected" })
}

func approvalExpired() Entry {
	return held(CauseApprovalExpired, "the approvals API says it expired",
		func(state string) bool { return state == "expired" })
}

// held builds a row-11 entry: a hold was raised and its state is c's.
func held(c Cause, when string, state func(string) bool) Entry {
	g := guard{row: 11, surface: SurfaceApproval, when: "final_decision pending (a step_up_issued row), or the caller saw interaction_required", applies: holdRaised}
	return g.entry(c, when, func(ev *Evidence) bool { return state(approvalState(ev)) },
		func(ev *Evidence) string {
			state := approvalState(ev)
			row, ok := auditrow.First(ev.Trace, auditrow.OfType("step_up_issued"))
			if !ok {
				return fmt.Sprintf("The mint is held for human approval (401 interaction_required); the approval is %s.", state)
			}
			m := row.MetadataJSON
			return fmt.Sprintf("The mint of %s is held for human approval (tier %s, approver %s); approval %s is %s and expires at %s.",
				applicationLabel(ev, row), orDash(auditrow.Meta(m, "tier")), orDash(auditrow.Meta(m, "approver_class")),
				orDash(auditrow.Meta(m, "challenge_id")), state, orDash(auditrow.Meta(m, "expires_at")))
		},
		NextAction{Text: "Decide the approval in the Console or via /v1/zones/{zone}/approvals/{id}/approve (needs an approve token).", Page: DocApproval},
		NextAction{Text: "Retry the mint with approval_id once approved; a rejected or expired approval needs a new request.", Page: DocApproval},
	)
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
