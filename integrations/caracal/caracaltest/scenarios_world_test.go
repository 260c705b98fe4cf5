package caracaltest

import (
	"net/http"
	"testing"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func metricsOf[T any](t *testing.T, srv *Server, svc caracal.Service) T {
	return strict[T](t, do(t, http.MethodGet, srv.URL(svc)+"/metrics.json", nil).body)
}

func activation(t *testing.T, srv *Server) caracal.ActivationStatus {
	r := api(t, srv, zonePath(ZoneResearch, "/policy-sets/"+setResearchAccess+"/activation-status"))
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	return strict[caracal.ActivationStatus](t, r.body)
}

// worldChecks assert each degraded world, including that no earlier
// "first that holds" cause of its row also holds.
func worldChecks() map[string]func(*testing.T, *Server) {
	readyFixture := func(svc caracal.Service, fixture string, status int) func(*testing.T, *Server) {
		return func(t *testing.T, srv *Server) {
			r := do(t, http.MethodGet, srv.URL(svc)+"/ready", nil)
			assert.Equal(t, status, r.status)
			jsonEqFixture(t, fixture, r.body)
		}
	}
	healthyPipeline := func(t *testing.T, srv *Server) {
		sts := metricsOf[caracal.STSMetrics](t, srv, caracal.ServiceSTS)
		assert.Zero(t, sts.AuditDropped)
		assert.Zero(t, sts.STS.AuditReplayPending)
		assert.Zero(t, metricsOf[caracal.GatewayMetrics](t, srv, caracal.ServiceGateway).AuditDropped)
	}
	return map[string]func(*testing.T, *Server){
		"sts-redis-down": readyFixture(caracal.ServiceSTS, "ready-sts-redis-down.json", 503),
		"gateway-revocation-stale": func(t *testing.T, srv *Server) {
			readyFixture(caracal.ServiceGateway, "ready-gateway-revocation-stale.json", 503)(t, srv)
			assert.Zero(t, metricsOf[caracal.GatewayMetrics](t, srv, caracal.ServiceGateway).RevocationSnapshotFresh)
			r := do(t, http.MethodGet, srv.GatewayURL+"/v1/reports", nil)
			assert.Equal(t, http.StatusServiceUnavailable, r.status)
			assert.Contains(t, string(r.body), "revocation state unavailable")
		},
		"redis-outage": func(t *testing.T, srv *Server) {
			r := do(t, http.MethodGet, srv.APIURL+"/ready", nil)
			assert.Equal(t, http.StatusInternalServerError, r.status)
			assert.Equal(t, "internal_error", errorCode(t, r.body))
			assert.Equal(t, http.StatusInternalServerError, readyStatus(srv, caracal.ServiceCoordinator))
			assert.Equal(t, http.StatusServiceUnavailable, do(t, http.MethodGet, srv.AuditURL+"/health", nil).status)
			r = api(t, srv, "/v1/zones")
			assert.Equal(t, http.StatusInternalServerError, r.status)
			assert.Contains(t, string(r.body), `"requestId":"`+r.header.Get("X-Request-Id")+`"`)
		},
		"zone-token-other-zone": func(t *testing.T, srv *Server) {
			assert.Equal(t, "admin_token_zone_mismatch", errorCode(t, api(t, srv, "/v1/zones").body), "the token cannot list zones")
			w := srv.World()
			var rows int
			for _, r := range w.ZoneByID(ZoneStaging).Audit {
				if r.RequestID != nil && *r.RequestID == "01a0298c-b722-7d08-b4e6-0c9a7f31d2e8" {
					rows++
				}
			}
			assert.Equal(t, 2, rows, "the trace lives in Staging, out of the token's reach")
		},
		"policy-eval-failed": func(t *testing.T, srv *Server) {
			assert.Equal(t, uint64(1), metricsOf[caracal.STSMetrics](t, srv, caracal.ServiceSTS).OPA.EvalErrors)
		},
		"deny-no-active-policy-set": func(t *testing.T, srv *Server) {
			jsonEqFixture(t, "policy-sets-none-active.json", api(t, srv, zonePath(ZoneResearch, "/policy-sets")).body)
			r := api(t, srv, zonePath(ZoneResearch, "/policy-sets/"+setResearchAccess+"/activation-status"))
			assert.Equal(t, http.StatusNotFound, r.status)
			jsonEqFixture(t, "error-404-active-policy-set-version-not-found.json", r.body)
			ov := strict[caracal.ZoneOverview](t, api(t, srv, zonePath(ZoneResearch, "/overview")).body)
			assert.Zero(t, ov.PolicySets.Enforcing)
			assert.Nil(t, ov.PolicySets.ActiveName)
		},
		"audit-evidence-lost": func(t *testing.T, srv *Server) {
			readyFixture(caracal.ServiceSTS, "ready-sts-audit-evidence-lost.json", 503)(t, srv)
			m := metricsOf[caracal.STSMetrics](t, srv, caracal.ServiceSTS)
			assert.Positive(t, m.AuditDropped)
			assert.Equal(t, m.AuditDropped, m.STS.AuditDropped)
		},
		"audit-dlq": func(t *testing.T, srv *Server) {
			healthyPipeline(t, srv)
			jsonEqFixture(t, "metrics-audit-dlq-hmac.json", do(t, http.MethodGet, srv.AuditURL+"/metrics.json", nil).body)
		},
		"audit-lag": func(t *testing.T, srv *Server) {
			healthyPipeline(t, srv)
			readyFixture(caracal.ServiceAudit, "ready-audit-lag-threshold.json", 503)(t, srv)
			m := metricsOf[caracal.AuditMetrics](t, srv, caracal.ServiceAudit)
			assert.Zero(t, m.DLQSize)
			assert.Greater(t, m.ConsumerLag, int64(1000))
		},
		"audit-not-ready": func(t *testing.T, srv *Server) {
			healthyPipeline(t, srv)
			readyFixture(caracal.ServiceAudit, "ready-audit-consumer-unhealthy.json", 503)(t, srv)
			r := do(t, http.MethodGet, srv.AuditURL+"/health", nil)
			assert.Equal(t, http.StatusServiceUnavailable, r.status)
			jsonEqFixture(t, "health-audit-consumer-unhealthy.json", r.body)
			m := metricsOf[caracal.AuditMetrics](t, srv, caracal.ServiceAudit)
			assert.Zero(t, m.DLQSize+m.HMACFailuresTotal)
			assert.LessOrEqual(t, m.ConsumerLag, int64(1000))
		},
		"audit-not-audited-path": healthyPipeline,
		"revoked-policy-not-propagated": func(t *testing.T, srv *Server) {
			a := activation(t, srv)
			assert.Equal(t, caracal.PropagationFailed, a.PropagationStatus)
			assert.Equal(t, "dead", a.Outbox.State)
			assert.Equal(t, pnpSetVersion, a.VersionID)
			assert.Equal(t, setVersionV3, a.STS.PolicySetVersionID, "STS still runs the previous version")
			readyFixture(caracal.ServiceAPI, "ready-api-outbox-dead.json", 503)(t, srv)
			v := strict[caracal.PolicySetVersion](t, api(t, srv, zonePath(ZoneResearch, "/policy-sets/"+setResearchAccess+"/versions/"+pnpSetVersion)).body)
			assert.Equal(t, []string{pnpPolicyVersion}, v.Policies)
			p := strict[caracal.Policy](t, api(t, srv, zonePath(ZoneResearch, "/policies/"+policyGrants)).body)
			assert.NotContains(t, p.Versions[0].Content, "resource://nucleus", "the new version drops the Nucleus grant")
			assert.Contains(t, p.Versions[1].Content, "resource://nucleus")
		},
		"revoked-snapshot-stale": func(t *testing.T, srv *Server) {
			assert.Equal(t, caracal.PropagationLoaded, activation(t, srv).PropagationStatus)
			readyFixture(caracal.ServiceGateway, "ready-gateway-revocation-stale.json", 503)(t, srv)
			assert.Zero(t, metricsOf[caracal.GatewayMetrics](t, srv, caracal.ServiceGateway).RevocationSnapshotFresh)
			rev := lastRevocation(t, srv, ZoneResearch)
			require.NotNil(t, rev)
			assert.Equal(t, "POST", rev.Method)
			recs := strict[caracal.List[caracal.AuthorityRecord]](t, api(t, srv, zonePath(ZoneResearch, "/authority-records?subject_id="+staleUser)).body)
			require.Len(t, recs.Items, 1)
			assert.Equal(t, "subject_revoked", *recs.Items[0].RevokedReason)
		},
		"revoked-grant-not-effective": func(t *testing.T, srv *Server) {
			assert.Equal(t, caracal.PropagationLoaded, activation(t, srv).PropagationStatus)
			assert.Equal(t, uint64(1), metricsOf[caracal.GatewayMetrics](t, srv, caracal.ServiceGateway).RevocationSnapshotFresh)
			assert.Equal(t, "DELETE", lastRevocation(t, srv, ZoneResearch).Method)
		},
		"revoked-verifier-without-revocation": func(t *testing.T, srv *Server) {
			assert.Equal(t, caracal.PropagationLoaded, activation(t, srv).PropagationStatus)
			assert.Equal(t, uint64(1), metricsOf[caracal.GatewayMetrics](t, srv, caracal.ServiceGateway).RevocationSnapshotFresh)
			rev := lastRevocation(t, srv, ZoneResearch)
			require.NotNil(t, rev)
			assert.Equal(t, "POST", rev.Method, "the latest revocation is not a /grants revoke")
		},
	}
}

// Switching scenarios replaces the whole world: no change leaks into the next.
func TestScenarioChangesDoNotLeak(t *testing.T) {
	srv := startRef(t)
	require.NoError(t, srv.UseScenario("redis-outage"))
	require.NoError(t, srv.UseScenario("deny-no-grant"))
	for _, svc := range caracal.AllServices() {
		assert.Equal(t, http.StatusOK, readyStatus(srv, svc))
	}
	require.NoError(t, srv.UseScenario("deny-no-active-policy-set"))
	require.NoError(t, srv.UseScenario("allowed"))
	assert.Equal(t, caracal.PropagationLoaded, activation(t, srv).PropagationStatus)
	assert.Error(t, srv.UseScenario("no-such-scenario"))
	assert.Equal(t, "allowed", srv.Scenario())

	w := srv.World()
	w.ZoneByID(ZoneResearch).PolicySets = nil
	fresh := srv.World()
	assert.Len(t, fresh.ZoneByID(ZoneResearch).PolicySets, 2, "World returns a copy")
	srv.SetWorld(w)
	assert.JSONEq(t, `{"items":[],"next_cursor":null}`, string(api(t, srv, zonePath(ZoneResearch, "/policy-sets")).body))
	assert.Equal(t, "", srv.Scenario())
}

func TestWithScenario(t *testing.T) {
	srv := startRef(t, WithScenario("audit-lag"))
	assert.Equal(t, "audit-lag", srv.Scenario())
	assert.Equal(t, http.StatusServiceUnavailable, readyStatus(srv, caracal.ServiceAudit))
	assert.Panics(t, func() { New(WithScenario("nope")) })
}
