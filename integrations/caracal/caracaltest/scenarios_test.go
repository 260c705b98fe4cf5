package caracaltest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// rowSurfaces are the surfaces each ROUTER.md row may conclude.
func rowSurfaces() map[int][]diagnose.Surface {
	return map[int][]diagnose.Surface{
		1: {diagnose.SurfaceInfrastructure}, 2: {diagnose.SurfaceSTSPolicy}, 3: {diagnose.SurfaceInfrastructure}, 4: {diagnose.SurfaceSTSPolicy, diagnose.SurfaceGatewayVerifier},
		5: {diagnose.SurfaceResourceDefinition}, 6: {diagnose.SurfaceResourceDefinition}, 7: {diagnose.SurfaceConfig}, 8: {diagnose.SurfaceSTSPolicy},
		9: {diagnose.SurfaceGatewayVerifier}, 10: {diagnose.SurfaceSTSPolicy}, 11: {diagnose.SurfaceApproval}, 12: {diagnose.SurfaceAuditPipeline}, 13: {diagnose.SurfaceRevocation},
		14: {diagnose.SurfaceResourceDefinition}, 15: {diagnose.SurfaceGatewayVerifier}, 16: {diagnose.SurfaceGatewayVerifier}, 17: {diagnose.SurfaceAuthentication},
		18: {diagnose.SurfaceSTSPolicy}, 19: {diagnose.SurfaceConfig}, 20: {diagnose.SurfaceConfig}, 21: {diagnose.SurfaceNone}, 22: {diagnose.SurfaceUnknown},
	}
}

func TestCatalogCoversRouter(t *testing.T) {
	all := Scenarios()
	rows := map[int]int{}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, s := range all {
		assert.True(t, validID(s.ID), "%s: id %q", s.Name, s.ID)
		assert.False(t, ids[s.ID], "duplicate id %s", s.ID)
		assert.False(t, names[s.Name], "duplicate name %s", s.Name)
		ids[s.ID], names[s.Name] = true, true
		assert.Regexp(t, `^[a-z0-9-]+$`, s.Name)
		assert.NotEmpty(t, s.Title, s.Name)
		assert.NotEmpty(t, s.Cause, s.Name)
		assert.Contains(t, diagnose.Surfaces(), s.Surface, s.Name)
		assert.Contains(t, rowSurfaces()[s.Row], s.Surface, "%s: row %d", s.Name, s.Row)
		assert.Contains(t, []string{ZoneResearch, ZoneStaging, ""}, s.Zone, s.Name)
		assert.Contains(t, []string{ZoneResearch, ZoneStaging}, s.AskZone, s.Name)
		assert.Contains(t, []string{"", SymptomNoAudit, SymptomRevoked}, s.Hints.Symptom, s.Name)
		assert.Equal(t, s.mutate != nil, len(s.WorldChanges) > 0, "%s: world changes are described", s.Name)
		rows[s.Row]++
		got, ok := ScenarioByID(s.ID)
		assert.True(t, ok)
		assert.Equal(t, s.Name, got.Name)
		got, ok = ScenarioByName(s.Name)
		assert.True(t, ok)
		assert.Equal(t, s.ID, got.ID)
	}
	for row := 1; row <= 22; row++ {
		assert.Positive(t, rows[row], "ROUTER.md row %d has no scenario", row)
	}
	for i := 1; i < len(all); i++ {
		assert.LessOrEqual(t, all[i-1].Row, all[i].Row, "ordered by row")
	}
	// The brief's required surface/cause pairs.
	required := map[string][2]string{
		"api-unreachable": {"infrastructure", "api_unreachable"}, "policy-eval-failed": {"sts_policy", "policy_eval_failed"},
		"sts-redis-down": {"infrastructure", "service_not_ready"}, "gateway-revocation-stale": {"infrastructure", "service_not_ready"},
		"deny-no-grant": {"sts_policy", "resource_not_granted"}, "deny-role-scope-mismatch": {"sts_policy", "role_scope_mismatch"},
		"deny-no-active-policy-set": {"sts_policy", "no_active_policy_set"}, "deny-no-rule-matched": {"sts_policy", "no_rule_matched"},
		"gateway-mandate-target-mismatch": {"gateway_verifier", "mandate_target_mismatch"},
		"deny-scope-not-declared":         {"resource_definition", "scope_not_declared"},
		"deny-operation-not-permitted":    {"resource_definition", "operation_not_permitted"},
		"deny-resource-not-found":         {"config", "resource_not_found"}, "deny-rate-limited": {"sts_policy", "rate_limited"},
		"gateway-token-replayed":          {"gateway_verifier", "token_replayed"},
		"deny-credential-not-provisioned": {"sts_policy", "credential_not_provisioned"},
		"approval-pending":                {"approval", "approval_pending"}, "approval-rejected": {"approval", "approval_rejected"},
		"audit-evidence-lost": {"audit_pipeline", "audit_evidence_lost"}, "audit-dlq": {"audit_pipeline", "audit_dlq"},
		"audit-lag": {"audit_pipeline", "audit_lag"}, "audit-not-ready": {"audit_pipeline", "audit_not_ready"},
		"audit-not-audited-path":              {"audit_pipeline", "not_audited_path"},
		"revoked-policy-not-propagated":       {"revocation", "policy_not_propagated"},
		"revoked-snapshot-stale":              {"revocation", "revocation_snapshot_stale"},
		"revoked-grant-not-effective":         {"revocation", "grant_revoke_not_effective"},
		"revoked-verifier-without-revocation": {"revocation", "verifier_without_revocation"},
		"upstream-insufficient-scope":         {"resource_definition", "upstream_insufficient_scope"},
		"upstream-failed":                     {"gateway_verifier", "upstream_failed"},
		"verifier-insufficient-scope":         {"gateway_verifier", "insufficient_scope"},
		"invalid-client-credentials":          {"authentication", "invalid_client_credentials"},
		"gateway-session-revoked":             {"authentication", "session_revoked"},
		"zone-invalid":                        {"sts_policy", "zone_invalid"}, "denied-before-policy": {"sts_policy", "denied_before_policy"},
		"authority-inactive":              {"sts_policy", "authority_inactive"},
		"gateway-missing-resource-header": {"config", "malformed_request"}, "config-missing": {"config", "config_missing"},
		"allowed": {"none", "allowed"}, "unknown": {"unknown", "unknown"}, "wrong-zone": {"sts_policy", "resource_not_granted"},
	}
	for name, want := range required {
		s, ok := ScenarioByName(name)
		if assert.True(t, ok, name) {
			assert.Equal(t, want, [2]string{string(s.Surface), string(s.Cause)}, name)
		}
	}
	wz, _ := ScenarioByName("wrong-zone")
	assert.Equal(t, ZoneStaging, wz.Zone)
	assert.Equal(t, ZoneResearch, wz.AskZone)
}

// readyStatus probes a service's /ready; 0 means no answer.
func readyStatus(srv *Server, svc caracal.Service) int {
	resp, err := http.Get(srv.URL(svc) + "/ready")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Each scenario's world carries the trace and the evidence its row needs.
func TestScenarioWorlds(t *testing.T) {
	srv := startRef(t)
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			require.NoError(t, srv.UseScenario(sc.ID))
			assert.Equal(t, sc.Name, srv.Scenario())
			if sc.mutate == nil {
				for _, svc := range caracal.AllServices() {
					assert.Equal(t, http.StatusOK, readyStatus(srv, svc), "%s ready in the base world", svc)
				}
			}
			if sc.Name == "api-unreachable" {
				_, err := http.Get(srv.APIURL + "/health")
				assert.Error(t, err)
				return
			}
			if sc.Name == "redis-outage-hang" {
				impatient := &http.Client{Timeout: 200 * time.Millisecond}
				for _, path := range []string{"/ready", zonePath(ZoneResearch, "/audit/by-request/"+sc.ID+"/explain")} {
					_, err := impatient.Get(srv.APIURL + path)
					assert.Error(t, err, "%s hangs", path)
				}
				return
			}
			if sc.Zone == "" {
				scope := srv.World().AdminTokenZone
				for _, z := range []string{ZoneResearch, ZoneStaging} {
					r := api(t, srv, zonePath(z, "/audit/by-request/"+sc.ID+"/explain"))
					switch {
					case sc.Name == "redis-outage":
						assert.Equal(t, http.StatusInternalServerError, r.status)
					case scope != "" && z != scope:
						assert.Equal(t, http.StatusForbidden, r.status, "a token scoped to %s cannot read %s", scope, z)
					default:
						assert.Equal(t, http.StatusNotFound, r.status, "no trace in %s", z)
					}
				}
			} else {
				r := api(t, srv, zonePath(sc.Zone, "/audit/by-request/"+sc.ID+"/explain"))
				require.Equal(t, http.StatusOK, r.status, string(r.body))
				checkTrace(t, srv, sc, strict[caracal.Explain](t, r.body))
				if sc.AskZone != sc.Zone {
					assert.Equal(t, http.StatusNotFound, api(t, srv, zonePath(sc.AskZone, "/audit/by-request/"+sc.ID+"/explain")).status)
				}
			}
			if check, ok := worldChecks()[sc.Name]; ok {
				check(t, srv)
			}
		})
	}
	srv.Reset()
	assert.Equal(t, "", srv.Scenario())
	for _, svc := range caracal.AllServices() {
		assert.Equal(t, http.StatusOK, readyStatus(srv, svc), "Reset restores the base world")
	}
}

// checkTrace asserts that a trace says what its ROUTER.md row reads.
func checkTrace(t *testing.T, srv *Server, sc Scenario, ex caracal.Explain) {
	t.Helper()
	var statuses, reasons []string
	for _, d := range ex.Denied {
		statuses = append(statuses, *d.EvaluationStatus)
		if d.EventType == "token_exchange" && *d.EvaluationStatus == "complete" && len(d.Diagnostics) > 0 {
			reasons = append(reasons, d.Diagnostics[0]["reason"].(string))
		}
	}
	gateway := func() map[string]any {
		for _, e := range ex.Events {
			if e.EventType == "gateway_resource_request" {
				return e.MetadataJSON
			}
		}
		return nil
	}
	switch sc.Row {
	case 2:
		assert.Contains(t, statuses, "policy_eval_failed")
	case 4:
		assert.Contains(t, reasons, string(sc.Cause))
	case 5:
		assert.Contains(t, statuses, "scope_mismatch")
	case 6, 7, 8, 10:
		assert.Contains(t, statuses, string(sc.Cause))
	case 9:
		assert.Equal(t, "replay_detected", ex.Denied[0].EventType)
	case 11:
		assert.Equal(t, "pending", ex.FinalDecision)
		challenge := ex.Events[len(ex.Events)-1].MetadataJSON["challenge_id"].(string)
		a := strict[caracal.ApprovalStatus](t, do(t, http.MethodGet, srv.STSURL+"/approvals/"+challenge, nil).body)
		assert.Equal(t, strings.TrimPrefix(string(sc.Cause), "approval_"), a.State)
	case 13, 21:
		assert.Equal(t, "allow", ex.FinalDecision)
		assert.Empty(t, ex.Denied)
	case 14:
		assert.Equal(t, float64(403), gateway()["upstream_status"])
	case 15:
		assert.Equal(t, "transport_error", gateway()["error_kind"])
		assert.Equal(t, float64(502), gateway()["gateway_status"])
	}
	if sc.Row == 4 || (sc.Row >= 5 && sc.Row <= 10) {
		assert.Equal(t, "deny", ex.FinalDecision)
	}
	if sc.Row == 13 && sc.Hints.Symptom == "" {
		rev := lastRevocation(t, srv, sc.Zone)
		require.NotNil(t, rev, "a revocation is recorded in admin-audit")
		assert.True(t, parseStamp(ex.Events[0].OccurredAt).After(parseStamp(rev.OccurredAt)), "the trace allows after it")
	}
}

// lastRevocation finds the newest successful revocation call in admin-audit.
func lastRevocation(t *testing.T, srv *Server, zone string) *caracal.AdminAuditRow {
	rows := strict[caracal.List[caracal.AdminAuditRow]](t, api(t, srv, zonePath(zone, "/admin-audit?limit=1000")).body).Items
	for i := range rows { // newest first
		r := rows[i]
		if r.StatusCode < 400 && ((r.Method == "DELETE" && r.EntityType != nil && *r.EntityType == "grants") ||
			(r.Method == "POST" && strings.HasSuffix(r.Path, "/subjects/revoke"))) {
			return &r
		}
	}
	return nil
}
