package diagnose

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// guard is what every cause of one ROUTER.md row requires before its own
// condition.
type guard struct {
	row     int
	surface Surface
	// when says in words what the row requires.
	when    string
	applies func(ev *Evidence) bool
}

// rule is the row's rule for one cause: the row applies, and holds.
func (g guard) rule(when string, holds func(ev *Evidence) bool) Rule {
	if when != "" {
		when = g.when + ", " + when
	} else {
		when = g.when
	}
	return Rule{Row: g.row, When: when, Match: func(ev *Evidence) bool { return g.applies(ev) && holds(ev) }}
}

// entry builds one cause of the row.
func (g guard) entry(c Cause, when string, holds func(ev *Evidence) bool, verdict func(ev *Evidence) string, actions ...NextAction) Entry {
	return Entry{Cause: c, Surface: g.surface, Rules: []Rule{g.rule(when, holds)}, Verdict: verdict, Actions: actions}
}

// refused is the guard of rows 17–19: Caracal kept no trace, and the
// caller saw this status.
func refused(row, status int, s Surface) guard {
	return guard{row: row, surface: s, when: fmt.Sprintf("no trace, the caller saw %d", status),
		applies: func(ev *Evidence) bool { return !ev.HasTrace() && ev.Query.Hints.Status == status }}
}

// always is the condition of a row's last cause: nothing more is needed.
func always(*Evidence) bool { return true }

// callWorked reports whether the caller says the call succeeded (no-audit,
// revoked, or a 2xx status).
func callWorked(h Hints) bool {
	return h.Symptom == SymptomNoAudit || h.Symptom == SymptomRevoked || (h.Status >= 200 && h.Status < 300)
}

// gateRule is one of rows 5–8: a token_exchange deny row from the gate
// with this evaluation_status.
func gateRule(row int, status string) Rule {
	return Rule{Row: row, When: "a token_exchange deny row with evaluation_status " + status,
		Match: func(ev *Evidence) bool { _, ok := gateDenyRow(ev, status); return ok }}
}

func gateDenyRow(ev *Evidence, status string) (caracal.AuditRow, bool) {
	return auditrow.First(ev.Trace, auditrow.ExchangeDeny(status))
}

// gatewayAfterAllow returns the gateway_resource_request row of an allowed trace.
func gatewayAfterAllow(ev *Evidence) (caracal.AuditRow, bool) {
	if !ev.HasTrace() || ev.Trace.FinalDecision != "allow" {
		return caracal.AuditRow{}, false
	}
	return auditrow.First(ev.Trace, auditrow.OfType("gateway_resource_request"))
}
