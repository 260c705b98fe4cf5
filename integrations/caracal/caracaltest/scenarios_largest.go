package caracaltest

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// LargestName is the scenario whose diagnosis renders the longest messages
// the router produces: the platforms' size limits are tested against it.
const LargestName = "largest-diagnosis"

// largestRequestID is as long as a request ID may be (128 characters of
// ^[A-Za-z0-9_.\-:]{1,128}$, API.md §2.1): the client set X-Request-Id and
// STS used it verbatim.
var largestRequestID = longWord("incident-2026-08-22:research-pipeline.batch_", 128, "")

// The largest scenario's application and resource: names of 200 characters,
// a resource that declares 40 scopes, each long.
var (
	largestAppID      = uuid7At(at("08:00:00.000"), "largest/app")
	largestAppName    = longWord("research-pipeline-orchestrator-for-quarterly-", 200, "-")
	largestResourceID = uuid7At(at("08:00:00.500"), "largest/resource")
	largestResource   = "resource://" + longWord("quarterly-research-warehouse-export-", 189, "-")
	largestScopes     = func() []string {
		out := make([]string, 40)
		for i := range out {
			out[i] = fmt.Sprintf("warehouse:export:dataset-%02d:%s", i, longWord("partition-", 40, "-"))
		}
		return out
	}()
)

// largestScenarios holds the scenario whose rendering is as large as the
// router's answers get: a 128-character request ID, 200-character names,
// 40 requested scopes, and a trace of 50 audit rows (the SDK retried the
// same denied exchange under one request ID). Tests add faults on the
// other reads (MissingEvidenceRoutes) for every kind of missing evidence.
func largestScenarios() []Scenario {
	return []Scenario{{
		ID: largestRequestID, Name: LargestName, Row: 4,
		Title:   "A 200-character application asked a 200-character resource for 40 scopes it holds no grant for, 25 times under one request ID",
		Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseResourceNotGranted, Zone: ZoneResearch, AskZone: ZoneResearch,
		Hints:     policyDenied(string(diagnose.CauseResourceNotGranted)),
		CallerSaw: goError("access_denied", "policy denied (resource_not_granted)", largestRequestID),
		WorldChanges: []string{
			"Research: an application and a resource with 200-character names, the resource declaring 40 scopes",
			"Research audit: 50 rows under one 128-character request ID",
		},
		mutate: func(w *World) {
			z := w.ZoneByID(ZoneResearch)
			z.Applications = append(z.Applications, caracal.Application{
				ID: largestAppID, ZoneID: ZoneResearch, Name: largestAppName, RegistrationMethod: "managed",
				CreatedBy: strp("admin:" + adminTokenID), CreatedAt: "2026-08-20T08:00:00.000Z",
			})
			z.Resources = append(z.Resources, caracal.Resource{
				ID: largestResourceID, ZoneID: ZoneResearch, Name: longWord("Quarterly research warehouse export ", 200, " "),
				Identifier: largestResource, Scopes: largestScopes, CredentialProviderID: "",
				Operations: []caracal.Operation{}, OperationEnforcement: "transport_uniform",
				CreatedBy: strp("admin:" + adminTokenID), CreatedAt: "2026-08-20T08:00:00.500Z",
			})
			t := newTrace(ZoneResearch, largestRequestID, at("09:40:00.000"))
			a := actor{appID: largestAppID, appName: largestAppName, authority: uuid7At(at("09:39:59.000"), "largest/authority")}
			for range 25 {
				t.policyDeny(policyVersion{setVersionV3, manifestV3}, a.mintMD(largestResource, largestScopes), string(diagnose.CauseResourceNotGranted))
				t.exchangeDenied(a, largestResource)
			}
			z.AddAudit(t.rows...)
		},
	}}
}

// MissingEvidenceRoutes are fault routes for every read whose failure the
// diagnosis reports as missing evidence while the request trace is still
// read: readiness and liveness of every service, their metrics, the zone
// list and configuration, and the detail reads. Inject a fault (a 500, or
// a hang) on each to see every kind of missing evidence in one answer.
func MissingEvidenceRoutes() []string {
	return []string{
		"api /ready", "sts /ready", "gateway /ready", "audit /ready", "coordinator /ready",
		"api /health", "sts /health", "gateway /health", "audit /health", "coordinator /health",
		"sts /metrics.json", "gateway /metrics.json", "audit /metrics.json", "coordinator /stats",
		"api /v1/zones", "api /v1/zones/*", "api /v1/zones/*/applications", "api /v1/zones/*/resources",
		"api /v1/zones/*/policy-sets", "api /v1/zones/*/policy-sets/**", "api /v1/zones/*/policies", "api /v1/zones/*/policies/*",
		"api /v1/zones/*/admin-audit", "api /v1/zones/*/sessions", "api /v1/zones/*/authority-records", "api /v1/zones/*/audit",
		"sts /approvals/*",
	}
}

// longWord repeats stem until the text is exactly n bytes long, joining
// repeats with sep and trimming a trailing separator.
func longWord(stem string, n int, sep string) string {
	var b strings.Builder
	for i := 1; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%s%d%s", stem, i, sep)
	}
	s := b.String()[:n]
	if sep != "" && strings.HasSuffix(s, sep) {
		s = s[:n-len(sep)] + strings.Repeat("x", len(sep))
	}
	return s
}
