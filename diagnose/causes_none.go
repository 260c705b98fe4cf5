package diagnose

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// CauseAllowed is the cause on the none surface: nothing in Caracal failed.
const CauseAllowed Cause = "allowed"

func allowed() Entry {
	return Entry{
		Cause: CauseAllowed, Surface: SurfaceNone,
		Rules: []Rule{{Row: 21, When: "the trace's final_decision is allow, consumed or approved, there is no deny row, and nothing else is wrong",
			Match: func(ev *Evidence) bool {
				if !ev.HasTrace() || len(auditrow.Where(ev.Trace, auditrow.IsDeny)) > 0 {
					return false
				}
				switch ev.Trace.FinalDecision {
				case "allow", "consumed", "approved":
					return true
				}
				return false
			}}},
		Verdict: func(ev *Evidence) string {
			row, _ := auditrow.ApplicationRow(ev.Trace)
			return fmt.Sprintf("Caracal allowed this request (%s, %s): the trace shows no denial. If the caller still failed, the failure happened outside Caracal.",
				applicationLabel(ev, row), resourceLabel(row))
		},
		Actions: []NextAction{{Text: "Caracal allowed the request; look at the upstream service or the caller for the failure.", Page: DocConsoleObs}},
	}
}
