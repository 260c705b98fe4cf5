package diagnose

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the config surface: the zone, the client or the runtime is
// configured wrong.
const (
	CauseResourceNotFound Cause = "resource_not_found"
	CauseMalformedRequest Cause = "malformed_request"
	CauseConfigMissing    Cause = "config_missing"
)

func resourceNotFound() Entry {
	return Entry{
		Cause: CauseResourceNotFound, Surface: SurfaceConfig,
		Rules: []Rule{gateRule(7, "resource_not_found")},
		Verdict: func(ev *Evidence) string {
			row, _ := gateDenyRow(ev, "resource_not_found")
			known := "unknown"
			if ev.Resources != nil {
				known = quoteList(resourceIdentifiers(ev.Resources))
			}
			return fmt.Sprintf("%s asked for %s, which does not exist in zone %s (known: %s).",
				applicationLabel(ev, row), orDash(auditrow.Meta(row.MetadataJSON, "resource")), ev.DiagnosisZone(), known)
		},
		Actions: []NextAction{{Text: "Use an identifier from the zone's resource list, or register the resource.", Page: DocResourceGrant}},
	}
}

func malformedRequest() Entry {
	return refused(19, 400, SurfaceConfig).entry(CauseMalformedRequest, "", always,
		func(ev *Evidence) string {
			return fmt.Sprintf("Caracal could not parse the request (%s): the client sends something Caracal refuses before any audited step (missing resource, unsupported grant type, actor_token, or a missing X-Caracal-Resource header at the Gateway).", hintLabel(ev.Query.Hints))
		}, clientConfigActions()...)
}

func configMissing() Entry {
	return Entry{
		Cause: CauseConfigMissing, Surface: SurfaceConfig,
		Rules: []Rule{{Row: 20, When: "the caller reports config_missing, a start-up error of the runtime or SDK",
			Match: func(ev *Evidence) bool { return ev.Query.Hints.ErrorCode == string(CauseConfigMissing) }}},
		Verdict: func(ev *Evidence) string {
			v := "The Caracal runtime or SDK is missing required configuration (config_missing), so the call never reached Caracal."
			if d := ev.Query.Hints.Description; d != "" {
				v += " It said: " + d
			}
			return v
		},
		Actions: clientConfigActions(),
	}
}

func clientConfigActions() []NextAction {
	return []NextAction{
		{Text: "Fix the client or runtime configuration named in the error (service URLs, zone, resource header).", Page: DocTroubleshooting},
		{Text: "Look the error code up in the reference.", Page: DocErrors},
	}
}
