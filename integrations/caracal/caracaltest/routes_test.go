package caracaltest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every Admin API read decodes strictly into the caracal wire models.
func TestAPIRouteShapes(t *testing.T) {
	srv := startRef(t)
	z := func(rest string) string { return zonePath(ZoneResearch, rest) }
	ok := func(path string) []byte {
		t.Helper()
		r := api(t, srv, path)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
		return r.body
	}
	zones := strict[caracal.List[caracal.Zone]](t, ok("/v1/zones"))
	assert.Len(t, zones.Items, 2)
	jsonEqFixture(t, "zones.json", ok("/v1/zones"))
	jsonEqFixture(t, "zone.json", ok(z("")))
	jsonEqFixture(t, "zone-dcr-status.json", ok(z("/dcr-status")))
	strict[caracal.ZoneOverview](t, ok(z("/overview")))
	jsonEqFixture(t, "applications.json", ok(z("/applications")))
	strict[caracal.Application](t, ok(z("/applications/"+appBillingBot)))
	jsonEqFixture(t, "resources.json", ok(z("/resources")))
	jsonEqFixture(t, "resource.json", ok(z("/resources/019f1cef-729b-7885-b801-4f3270ffc7e1")))
	jsonEqFixture(t, "policies.json", ok(z("/policies")))
	jsonEqFixture(t, "policy.json", ok(z("/policies/"+policyGrants)))
	strict[caracal.Policy](t, ok(z("/policies/"+policyConfinement)))
	jsonEqFixture(t, "policy-sets.json", ok(z("/policy-sets")))
	jsonEqFixture(t, "policy-set.json", ok(z("/policy-sets/"+setResearchAccess)))
	jsonEqFixture(t, "policy-set-versions.json", ok(z("/policy-sets/"+setResearchAccess+"/versions")))
	jsonEqFixture(t, "policy-set-version.json", ok(z("/policy-sets/"+setResearchAccess+"/versions/"+setVersionV3)))
	jsonEqFixture(t, "activation-status.json", ok(z("/policy-sets/"+setResearchAccess+"/activation-status")))
	jsonEqFixture(t, "activation-status.json", ok(z("/policy-sets/"+setResearchAccess+"/activation-status?version_id="+setVersionV3)))
	old := strict[caracal.ActivationStatus](t, ok(z("/policy-sets/"+setResearchAccess+"/activation-status?version_id="+setVersionV2)))
	assert.False(t, old.Active)
	assert.Equal(t, caracal.PropagationWaitingForActivation, old.PropagationStatus)
	grants := strict[caracal.List[caracal.Grant]](t, ok(z("/grants")))
	require.Len(t, grants.Items, 1)
	assert.Equal(t, "revoked", grants.Items[0].Status, "the revoke in admin-audit took effect")
	item := strict[caracal.Grant](t, ok(z("/grants/"+grantDriveUser)))
	assert.Empty(t, item.ApplicationName, "the item route omits joined names")
	assert.NotContains(t, string(ok(z("/grants/"+grantDriveUser))), "application_name")
	strict[caracal.List[caracal.AdminAuditRow]](t, ok(z("/admin-audit")))
	sessions := strict[caracal.List[caracal.Session]](t, ok(z("/sessions?limit=1000")))
	assert.Subset(t, sessions.Items, decodeFixture[caracal.List[caracal.Session]]("sessions.json").Items)
	records := strict[caracal.List[caracal.AuthorityRecord]](t, ok(z("/authority-records?limit=1000")))
	assert.Subset(t, records.Items, decodeFixture[caracal.List[caracal.AuthorityRecord]]("authority-records.json").Items)
	assert.Len(t, strict[caracal.List[caracal.AuthorityRecord]](t, ok(z("/authority-records?status=revoked"))).Items, 1)
	strict[[]caracal.AuditRow](t, ok(z("/audit/by-request/0d28d1d8-62d9-4254-a601-b5c10f56220a")))

	// Staging has its own configuration.
	st := strict[caracal.List[caracal.Resource]](t, ok(zonePath(ZoneStaging, "/resources")))
	assert.Len(t, st.Items, 2)
	for _, r := range st.Items {
		assert.Equal(t, ZoneStaging, r.ZoneID)
	}
	strict[caracal.ActivationStatus](t, ok(zonePath(ZoneStaging, "/policy-sets/"+stagingSet+"/activation-status")))
}

func TestAPINotFound(t *testing.T) {
	srv := startRef(t)
	z := func(rest string) string { return zonePath(ZoneResearch, rest) }
	for path, code := range map[string]string{
		zonePath("019f0000-0000-7000-8000-000000000000", ""):            "zone_not_found",
		zonePath("019f0000-0000-7000-8000-000000000000", "/dcr-status"): "zone_not_found",
		z("/applications/nope"):                                         "application_not_found",
		z("/resources/nope"):                                            "resource_not_found",
		z("/policies/nope"):                                             "policy_not_found",
		z("/policy-sets/nope"):                                          "policy_set_not_found",
		z("/policy-sets/nope/versions"):                                 "policy_set_not_found",
		z("/policy-sets/" + setResearchAccess + "/versions/nope"):       "policy_set_version_not_found",
		z("/policy-sets/nope/activation-status"):                        "policy_set_binding_not_found",
		z("/policy-sets/" + setLegacyAccess + "/activation-status"):     "active_policy_set_version_not_found",
		z("/grants/nope"):                                               "grant_not_found",
		z("/audit/by-request/nope"):                                     "request_not_found",
	} {
		r := api(t, srv, path)
		assert.Equal(t, http.StatusNotFound, r.status, path)
		assert.JSONEq(t, `{"error":"`+code+`"}`, string(r.body), path)
	}
	// The overview does not check the zone: zero counts.
	r := api(t, srv, zonePath("019f0000-0000-7000-8000-000000000000", "/overview"))
	require.Equal(t, http.StatusOK, r.status)
	ov := strict[caracal.ZoneOverview](t, r.body)
	assert.Zero(t, ov.Applications.Total)
	assert.Empty(t, ov.RecentEvents)
	// Lists of an unknown zone are empty.
	r = api(t, srv, zonePath("019f0000-0000-7000-8000-000000000000", "/resources"))
	assert.JSONEq(t, `{"items":[],"next_cursor":null}`, string(r.body))
	// Unknown routes: Fastify's default 404.
	r = api(t, srv, "/v1/nothing")
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.JSONEq(t, `{"message":"Route GET:/v1/nothing not found","error":"Not Found","statusCode":404}`, string(r.body))
	assert.Equal(t, http.StatusNotFound, api(t, srv, "/metrics.json").status, "the API has no JSON metrics")
}

func TestInvalidParams(t *testing.T) {
	srv := startRef(t)
	for _, path := range []string{
		zonePath(ZoneResearch, "/audit/by-request/"+strings.Repeat("a", 129)),
		zonePath(ZoneResearch, "/audit/by-request/bad%20id/explain"),
		zonePath(ZoneResearch, "/audit/by-request/a%2Fb"),
		zonePath("zone!", "/resources"),
		zonePath(ZoneResearch, "/policies/%C3%A9"),
	} {
		r := api(t, srv, path)
		assert.Equal(t, http.StatusBadRequest, r.status, path)
		assert.JSONEq(t, `{"error":"invalid_params"}`, string(r.body), path)
	}
	r := api(t, srv, zonePath(ZoneResearch, "/policy-sets/"+setResearchAccess+"/activation-status?version_id=bad%20id"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "invalid_body", errorCode(t, r.body))
	assert.Contains(t, string(r.body), `"requestId":"`+r.header.Get("X-Request-Id")+`"`)
}

func TestAdminAuth(t *testing.T) {
	srv := startRef(t)
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + DefaultAdminToken}} {
		r := do(t, http.MethodGet, srv.APIURL+"/v1/zones", h)
		assert.Equal(t, http.StatusUnauthorized, r.status)
		jsonEqFixture(t, "error-401-admin-api.json", r.body)
	}
	// Health and readiness need no token.
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.APIURL+"/health", nil).status)
	jsonEqFixture(t, "ready-api-ok.json", do(t, http.MethodGet, srv.APIURL+"/ready", nil).body)

	custom := startRef(t, WithAdminToken("other"))
	assert.Equal(t, http.StatusUnauthorized, api(t, custom, "/v1/zones").status)
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, custom.APIURL+"/v1/zones", map[string]string{"Authorization": "Bearer other"}).status)
}

func TestZoneScopedToken(t *testing.T) {
	srv := startRef(t, WithZoneScopedToken(ZoneResearch))
	for _, path := range []string{"/v1/zones", zonePath(ZoneStaging, ""), zonePath(ZoneStaging, "/audit")} {
		r := api(t, srv, path)
		assert.Equal(t, http.StatusForbidden, r.status, path)
		jsonEqFixture(t, "error-403-admin-token-zone-mismatch.json", r.body)
	}
	assert.Equal(t, http.StatusOK, api(t, srv, zonePath(ZoneResearch, "")).status)
	r := api(t, srv, zonePath(ZoneResearch, "/applications"))
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, string(r.body), "traits", "traits are for global tokens only")
	assert.Contains(t, string(api(t, startRef(t), zonePath(ZoneResearch, "/applications")).body), `"traits":[]`)
}

func TestMethodNotAllowedCountsWrites(t *testing.T) {
	srv := startRef(t)
	for _, svc := range caracal.AllServices() {
		for _, m := range []string{http.MethodPost, http.MethodDelete, http.MethodPatch} {
			r := do(t, m, srv.URL(svc)+"/health", map[string]string{"Authorization": "Bearer " + DefaultAdminToken})
			assert.Equal(t, http.StatusMethodNotAllowed, r.status)
			assert.JSONEq(t, `{"error":"method_not_allowed"}`, string(r.body))
		}
	}
	do(t, http.MethodPost, srv.APIURL+zonePath(ZoneResearch, "/grants/"+grantDriveUser), nil)
	assert.Equal(t, 16, srv.WriteAttempts())
	reqs := srv.Requests()
	require.Len(t, reqs, 16)
	last := reqs[len(reqs)-1]
	assert.Equal(t, RecordedRequest{Service: caracal.ServiceAPI, Method: http.MethodPost, Path: zonePath(ZoneResearch, "/grants/"+grantDriveUser)}, last)
	api(t, srv, "/v1/zones?limit=5")
	reqs = srv.Requests()
	assert.Equal(t, RecordedRequest{Service: caracal.ServiceAPI, Method: http.MethodGet, Path: "/v1/zones", Query: "limit=5", Authorization: true}, reqs[len(reqs)-1])
	srv.ResetRequests()
	assert.Zero(t, srv.WriteAttempts())
	assert.Empty(t, srv.Requests())
}

func TestRequestIDHeader(t *testing.T) {
	srv := startRef(t)
	for _, svc := range caracal.AllServices() {
		r := do(t, http.MethodGet, srv.URL(svc)+"/health", nil)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r.header.Get("X-Request-Id"), svc)
	}
	r := do(t, http.MethodGet, srv.APIURL+"/health", map[string]string{"X-Request-Id": "bot-123"})
	assert.Equal(t, "bot-123", r.header.Get("X-Request-Id"), "the API uses a supplied id as-is")
	r = do(t, http.MethodGet, srv.GatewayURL+"/health", map[string]string{"X-Request-Id": "bot-456"})
	assert.Equal(t, "bot-456", r.header.Get("X-Request-Id"))
	r = do(t, http.MethodGet, srv.STSURL+"/health", map[string]string{"X-Request-Id": "bot-789"})
	assert.NotEqual(t, "bot-789", r.header.Get("X-Request-Id"), "STS reads it only on the token endpoint")
}

func TestGoServices(t *testing.T) {
	srv := startRef(t)
	for _, svc := range []caracal.Service{caracal.ServiceSTS, caracal.ServiceGateway, caracal.ServiceAudit} {
		r := do(t, http.MethodGet, srv.URL(svc)+"/health", nil)
		assert.Equal(t, http.StatusOK, r.status)
		assert.Empty(t, r.body, "Go /health has an empty body")
		assert.Empty(t, r.header.Get("Content-Type"))
	}
	jsonEqFixture(t, "ready-sts-ok.json", do(t, http.MethodGet, srv.STSURL+"/ready", nil).body)
	jsonEqFixture(t, "ready-gateway-ok.json", do(t, http.MethodGet, srv.GatewayURL+"/ready", nil).body)
	jsonEqFixture(t, "ready-audit-ok.json", do(t, http.MethodGet, srv.AuditURL+"/ready", nil).body)
	jsonEqFixture(t, "ready-coordinator-ok.json", do(t, http.MethodGet, srv.CoordinatorURL+"/ready", nil).body)
	jsonEqFixture(t, "health-coordinator.json", do(t, http.MethodGet, srv.CoordinatorURL+"/health", nil).body)

	r := do(t, http.MethodGet, srv.STSURL+"/metrics.json", nil)
	strict[caracal.STSMetrics](t, r.body)
	jsonEqFixture(t, "metrics-sts.json", r.body)
	jsonEqFixture(t, "metrics-gateway.json", do(t, http.MethodGet, srv.GatewayURL+"/metrics.json", nil).body)
	jsonEqFixture(t, "metrics-audit.json", do(t, http.MethodGet, srv.AuditURL+"/metrics.json", nil).body)

	r = do(t, http.MethodGet, srv.STSURL+"/approvals/023212d1-fd4f-4a3a-903c-45c52a40871f", nil)
	jsonEqFixture(t, "sts-approval-status.json", r.body)
	r = do(t, http.MethodGet, srv.STSURL+"/approvals/nope", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.JSONEq(t, `{"error":"resource_not_found","error_description":"approval not found"}`, string(r.body))
	r = do(t, http.MethodGet, srv.STSURL+"/oauth/nothing", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "404 page not found\n", string(r.body))

	// Every other Gateway path is proxied: the Gateway's own checks answer.
	r = do(t, http.MethodGet, srv.GatewayURL+"/v1/reports", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.JSONEq(t, `{"error":"invalid_token","error_description":"missing bearer token","requestId":"`+r.header.Get("X-Request-Id")+`"}`, string(r.body))
	r = do(t, http.MethodGet, srv.GatewayURL+"/v1/reports", map[string]string{"Authorization": "Bearer a.b.c"})
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, string(r.body), "missing routing headers")
	r = do(t, http.MethodGet, srv.GatewayURL+"/v1/reports", map[string]string{"Authorization": "Bearer a.b.c", "X-Caracal-Resource": "resource://pipernet"})
	assert.Contains(t, string(r.body), "bearer signature invalid")
}

func TestMetricsBearer(t *testing.T) {
	srv := startRef(t, WithMetricsBearer("m-tok"))
	for _, svc := range []caracal.Service{caracal.ServiceSTS, caracal.ServiceGateway, caracal.ServiceAudit} {
		r := do(t, http.MethodGet, srv.URL(svc)+"/metrics.json", nil)
		assert.Equal(t, http.StatusUnauthorized, r.status)
		assert.Equal(t, "unauthorized\n", string(r.body))
		assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
		r = do(t, http.MethodGet, srv.URL(svc)+"/metrics.json", map[string]string{"Authorization": "Bearer wrong"})
		assert.Equal(t, http.StatusUnauthorized, r.status)
		r = do(t, http.MethodGet, srv.URL(svc)+"/metrics.json", map[string]string{"Authorization": "Bearer m-tok"})
		assert.Equal(t, http.StatusOK, r.status)
	}
}

func TestCoordinatorStats(t *testing.T) {
	srv := startRef(t)
	r := do(t, http.MethodGet, srv.CoordinatorURL+"/stats", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.JSONEq(t, `{"error":"missing_token"}`, string(r.body))
	r = do(t, http.MethodGet, srv.CoordinatorURL+"/stats", map[string]string{"Authorization": "Bearer " + DefaultAdminToken})
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.JSONEq(t, `{"error":"operator_token_required"}`, string(r.body))
	r = do(t, http.MethodGet, srv.CoordinatorURL+"/stats", map[string]string{"Authorization": "Bearer " + DefaultCoordinatorToken})
	assert.Equal(t, http.StatusOK, r.status)
	strict[caracal.CoordinatorStats](t, r.body)
	jsonEqFixture(t, "stats-coordinator.json", r.body)
	r = do(t, http.MethodGet, srv.CoordinatorURL+"/metrics.json", map[string]string{"Authorization": "Bearer " + DefaultCoordinatorToken})
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.JSONEq(t, `{"error":"invalid_token"}`, string(r.body))
}

// Handler serves the five services under prefixes on one port.
func TestPrefixedHandler(t *testing.T) {
	sim := New(refOpts()...)
	t.Cleanup(sim.Close)
	hs := newHTTPServer(t, sim.Handler())
	r := do(t, http.MethodGet, hs+"/api/v1/zones", map[string]string{"Authorization": "Bearer " + DefaultAdminToken})
	assert.Equal(t, http.StatusOK, r.status)
	r = do(t, http.MethodGet, hs+"/sts/ready", nil)
	jsonEqFixture(t, "ready-sts-ok.json", r.body)
	r = do(t, http.MethodGet, hs+"/coordinator/health", nil)
	jsonEqFixture(t, "health-coordinator.json", r.body)
	assert.Equal(t, http.StatusNotFound, do(t, http.MethodGet, hs+"/nothing", nil).status)
	reqs := sim.Requests()
	assert.Equal(t, "/v1/zones", reqs[0].Path, "recorded at the service root")
	assert.Equal(t, caracal.ServiceAPI, reqs[0].Service)
	assert.Equal(t, "/api", Prefix(caracal.ServiceAPI))
}
