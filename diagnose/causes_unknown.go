package diagnose

import "fmt"

// CauseUnknown is the cause on the unknown surface: nothing decides.
const CauseUnknown Cause = "unknown"

// unknown is the catch-all: its rule matches any evidence.
func unknown() Entry {
	return Entry{
		Cause: CauseUnknown, Surface: SurfaceUnknown,
		Rules: []Rule{{Row: 22, When: "nothing above matched; the verdict says which evidence would decide",
			Match: func(*Evidence) bool { return true }}},
		Verdict: func(ev *Evidence) string {
			where := "zone " + ev.AskedZone
			if len(ev.SearchedZones) > 1 {
				where = fmt.Sprintf("%d zones", len(ev.SearchedZones))
			}
			if ev.Trace == nil && hasMissing(ev, "request trace") {
				return fmt.Sprintf("The request trace for %s could not be read, and nothing else decides the cause; retry, or add the HTTP status and error code the caller saw (--status, --error).", ev.Query.RequestID)
			}
			return fmt.Sprintf("Caracal has no audit rows for %s in %s and nothing else points to a cause. Add what the caller saw (--status 403 --error access_denied) or whether the call worked (--symptom no-audit or revoked).", ev.Query.RequestID, where)
		},
		Actions: []NextAction{
			{"Tell me what the caller saw: `why <id> --status <code> --error <code>`, or `--symptom no-audit|revoked`.", DocTroubleshooting},
			{"Check that the request ID is the one Caracal echoed (X-Request-Id, or request_id= in the SDK message).", DocAuditLedger},
		},
	}
}
