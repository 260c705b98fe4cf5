package diagnose

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Causes on the infrastructure surface: the platform itself is down or not ready.
const (
	CauseAPIUnreachable  Cause = "api_unreachable"
	CauseServiceNotReady Cause = "service_not_ready"
)

func apiUnreachable() Entry {
	return Entry{
		Cause: CauseAPIUnreachable, Surface: SurfaceInfrastructure,
		Rules: []Rule{{Row: 1, When: "the Admin API's /health cannot be reached at all (connection refused, timeout, DNS)",
			Match: func(ev *Evidence) bool {
				p, ok := ev.Health[caracal.ServiceAPI]
				return ok && !p.Reachable
			}}},
		Verdict: func(ev *Evidence) string {
			p := ev.Health[caracal.ServiceAPI]
			what := "refused the connection or could not be resolved"
			if p.Timeout {
				what = "did not answer in time"
			}
			return fmt.Sprintf("The Caracal Admin API at %s %s, so nothing else could be checked.", p.URL, what)
		},
		Actions: []NextAction{
			{Text: "Check that the Admin API container is running and that CARACAL_API_URL points at it.", Page: DocDebugging},
			{Text: "Run `caracal status --ready` on the host to see which services answer.", Page: DocTroubleshooting},
		},
	}
}

func serviceNotReady() Entry {
	return Entry{
		Cause: CauseServiceNotReady, Surface: SurfaceInfrastructure,
		Rules: []Rule{{Row: 3, When: "no trace, a service is not ready (/ready non-2xx or unreachable, or /v1 reads answer 5xx), and the caller did not say the call worked",
			Match: func(ev *Evidence) bool {
				return !ev.HasTrace() && !callWorked(ev.Query.Hints) && len(notReadyParts(ev)) > 0
			}}},
		Verdict: func(ev *Evidence) string {
			v := "Caracal is not ready: " + strings.Join(notReadyParts(ev), ", ") + "."
			if h := ev.Query.Hints; h.ErrorCode != "" || h.Status >= 400 {
				v += fmt.Sprintf(" The caller's %s is most likely a consequence of the outage, not a separate fault.", hintLabel(h))
			}
			return v
		},
		Actions: []NextAction{
			{Text: "Fix the dependency named in the /ready reason (Postgres, Redis, STS reachability, revocation snapshot) and watch `caracal-bot status` turn green.", Page: DocDebugging},
			{Text: "For Redis outages, check the Redis deployment; STS answers 429 provider_rate_limited while it is down.", Page: DocRedis},
			{Text: "Re-run the diagnosis once every service is ready.", Page: DocTroubleshooting},
		},
	}
}

// notReadyParts names each service that is not ready, with its reason.
func notReadyParts(ev *Evidence) []string {
	var parts []string
	for _, p := range ev.NotReady() {
		parts = append(parts, fmt.Sprintf("%s (%s)", p.Service, health.ProbeDetail(p)))
	}
	if e := ev.AdminAPIError; e != nil && e.Status >= 500 {
		parts = append(parts, fmt.Sprintf("api (/v1 reads answer %d %s)", e.Status, e.Code))
	}
	return parts
}
