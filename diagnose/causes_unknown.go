package diagnose

import "fmt"

// CauseUnknown is the cause on the unknown surface: nothing decides.
const CauseUnknown Cause = "unknown"

// unknown is the catch-all: its rule matches any evidence. Its verdict says
// which evidence would decide, never asking for what the caller already
// said, and reads what STS's 429 provider_rate_limited means.
func unknown() Entry {
	return Entry{
		Cause: CauseUnknown, Surface: SurfaceUnknown,
		Rules: []Rule{{Row: 22, When: "nothing above matched; the verdict says which evidence would decide",
			Match: func(*Evidence) bool { return true }}},
		Verdict: func(ev *Evidence) string {
			h := ev.Query.Hints
			if h.ErrorCode == codeSTSThrottle {
				return throttleVerdict(ev)
			}
			var v string
			switch {
			case ev.Trace == nil && hasMissing(ev, "request trace"):
				v = fmt.Sprintf("The request trace for %s could not be read, and nothing else decides the cause; retry", ev.Query.RequestID)
			case ev.SearchedOnlyItsZone():
				v = notFoundInItsZone(ev) + ", and nothing else points to a cause"
			default:
				where := "zone " + ev.AskedZone
				if len(ev.SearchedZones) > 1 {
					where = fmt.Sprintf("%d zones", len(ev.SearchedZones))
				}
				v = fmt.Sprintf("Caracal has no audit rows for %s in %s and nothing else points to a cause", ev.Query.RequestID, where)
			}
			if ask := askFor(h); ask != "" {
				return v + ". " + ask
			}
			return v + fmt.Sprintf(": what the caller saw (%s) matches none of the router's rows, so check that the request ID is the one Caracal echoed.", callerSaw(h))
		},
		Actions: []NextAction{
			{Text: "Tell me what the caller saw: `why {{request}} --status <code> --error <code>`, or `--symptom no-audit|revoked`.", Page: DocTroubleshooting,
				When: func(ev *Evidence) bool { return ev.Query.Hints == (Hints{}) }},
			{Text: "Tell me the error code the caller saw: `why {{request}} --error <code>`.", Page: DocErrors,
				When: func(ev *Evidence) bool {
					h := ev.Query.Hints
					return h.ErrorCode == "" && (h.Status != 0 || h.Symptom != "")
				}},
			{Text: "Tell me the HTTP status the caller saw: `why {{request}} --status <code>`.", Page: DocErrors,
				When: func(ev *Evidence) bool {
					h := ev.Query.Hints
					return h.Status == 0 && h.ErrorCode != "" && h.ErrorCode != codeSTSThrottle
				}},
			{Text: "Check STS's Redis (`caracal-bot status`, STS /ready): STS keeps its authentication throttle there and answers 429 provider_rate_limited while it cannot reach it. Retry once it is ready.", Page: DocRedis,
				When: func(ev *Evidence) bool {
					return ev.Query.Hints.ErrorCode == codeSTSThrottle && !describes(ev, "exceeded")
				}},
			{Text: "Check the application's client secret: STS throttles an application after more than 60 failed secret checks a minute.", Page: DocErrors,
				When: func(ev *Evidence) bool {
					return ev.Query.Hints.ErrorCode == codeSTSThrottle && !describes(ev, "unavailable")
				}},
			searchElsewhere(),
			{Text: "Check that the request ID is the one Caracal echoed (X-Request-Id, or request_id= in the SDK message).", Page: DocAuditLedger},
		},
	}
}

// codeSTSThrottle is STS's 429 error code: its authentication throttle
// refused, or could not be reached (API.md §0, §8).
const codeSTSThrottle = "provider_rate_limited"

// throttleVerdict reads STS's 429 provider_rate_limited by its description,
// which tells an outage of STS's Redis from too many failed secret checks.
func throttleVerdict(ev *Evidence) string {
	const none = " STS writes no audit row for it."
	over := ""
	if len(ev.Ready) > 0 && len(ev.NotReady()) == 0 {
		over = " Every service is ready now: STS's Redis is back, and the call can be retried."
	}
	switch {
	case describes(ev, "unavailable"):
		return "STS could not reach its Redis, where its authentication throttle lives, at the moment of the call (429 provider_rate_limited \"authentication rate limit unavailable\"): a Redis outage, not load." + none + over
	case describes(ev, "exceeded"):
		return "STS throttled the application after more than 60 failed client-secret checks in a minute (429 provider_rate_limited \"authentication rate limit exceeded\")." + none
	}
	return "STS's authentication throttle refused the call (429 provider_rate_limited); its error_description tells which: \"unavailable\" means " +
		"STS could not reach its Redis at that moment (a Redis outage), \"exceeded\" means more than 60 failed client-secret checks in a minute." + none
}

// askFor asks for what the caller saw that the hints do not already say;
// "" when they say it all.
func askFor(h Hints) string {
	switch {
	case h == Hints{}:
		return "Add what the caller saw (--status 403 --error access_denied) or whether the call worked (--symptom no-audit or revoked)."
	case h.ErrorCode == "":
		return "Add the error code the caller saw (--error access_denied)."
	case h.Status == 0:
		return "Add the HTTP status the caller saw (--status 403)."
	}
	return ""
}
