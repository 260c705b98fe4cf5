package diagnose

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// ruleCase is one hand-made piece of evidence and what ROUTER.md says the
// router concludes from it.
type ruleCase struct {
	name       string
	row        int // ROUTER.md row expected to decide
	ev         *Evidence
	surface    Surface
	cause      Cause
	verdictHas []string // substrings the verdict must contain
}

// rowCases has at least one case per ROUTER.md row 1–22, each built from the
// least evidence that makes the row match.
func rowCases() []ruleCase {
	pending := row("step_up_issued", "pending", "complete", map[string]any{
		"challenge_id": "appr-1", "tier": "high", "approver_class": "operator", "expires_at": "2026-08-22T14:20:00Z",
		"application_name": "billing-bot",
	})
	return []ruleCase{
		// Row 1.
		{"r01 api unreachable", 1, with(func(ev *Evidence) {
			ev.Health[caracal.ServiceAPI] = caracal.Probe{Service: caracal.ServiceAPI, URL: "http://api.test/health", Error: "connection refused"}
		}), SurfaceInfrastructure, "api_unreachable", []string{"http://api.test/health"}},
		{"r01 api health timeout", 1, with(func(ev *Evidence) {
			ev.Health[caracal.ServiceAPI] = caracal.Probe{Service: caracal.ServiceAPI, URL: "http://api.test/health", Timeout: true}
		}), SurfaceInfrastructure, "api_unreachable", []string{"did not answer in time"}},

		// Row 2.
		{"r02 trace row policy_eval_failed", 2, with(withTrace(trace("deny",
			row("token_exchange", "deny", "policy_eval_failed", mintMeta("pipernet:read"), map[string]any{"error": "eval_conflict_error: multiple outputs"}),
			closingRow()))), SurfaceSTSPolicy, "policy_eval_failed", []string{"eval_conflict_error"}},
		{"r02 caller saw 503 policy_eval_failed", 2, with(hints(503, "policy_eval_failed", "policy evaluation unavailable")),
			SurfaceSTSPolicy, "policy_eval_failed", nil},
		{"r02 compile errors and a 503", 2, with(hints(503, "", ""), stsMetrics(func(m *caracal.STSMetrics) { m.OPA.CompileErrors = 2 })),
			SurfaceSTSPolicy, "policy_eval_failed", []string{"2 policy compile error"}},

		// Row 3.
		{"r03 sts not ready", 3, with(hints(429, "provider_rate_limited", "authentication rate limit unavailable"),
			ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable"))),
			SurfaceInfrastructure, "service_not_ready", []string{"sts", "redis_unreachable", "429 provider_rate_limited"}},
		{"r03 ready unreachable", 3, with(ready(caracal.Probe{Service: caracal.ServiceAudit, URL: "http://audit.test/ready"})),
			SurfaceInfrastructure, "service_not_ready", []string{"audit", "unreachable"}},
		{"r03 admin api answers /v1 reads with 5xx", 3, with(func(ev *Evidence) {
			ev.AdminAPIError = &caracal.Error{Service: caracal.ServiceAPI, Status: 500, Code: "internal_error"}
		}, missing("request trace", "HTTP 500 internal_error")), SurfaceInfrastructure, "service_not_ready", []string{"api", "500"}},

		// Row 4: every policy reason, and mandate_target_mismatch on the verifier surface.
		{"r04 no_active_policy_set", 4, with(withTrace(trace("deny", denyRow("no_active_policy_set"), closingRow()))), SurfaceSTSPolicy, "no_active_policy_set", nil},
		{"r04 resource_not_granted", 4, with(withTrace(trace("deny", denyRow("resource_not_granted"), closingRow()))), SurfaceSTSPolicy, "resource_not_granted",
			[]string{"resource resource://pipernet", "application billing-bot"}},
		{"r04 role_scope_mismatch", 4, with(withTrace(trace("deny", denyRow("role_scope_mismatch"), closingRow()))), SurfaceSTSPolicy, "role_scope_mismatch",
			[]string{"scope pipernet:read"}},
		{"r04 no_rule_matched", 4, with(withTrace(trace("deny",
			row("token_exchange", "deny", "complete", map[string]any{"resource": "resource://pipernet", "application_name": "billing-bot",
				"requested_scopes": []any{"pipernet:read"}}, reason("no_rule_matched")), closingRow()))),
			SurfaceSTSPolicy, "no_rule_matched", []string{"delegated-mint path"}},
		{"r04 no_rule_matched lifecycle mixed", 4, with(withTrace(trace("deny",
			row("token_exchange", "deny", "complete", mintMeta("agent:lifecycle", "pipernet:read"), reason("no_rule_matched")), closingRow()))),
			SurfaceSTSPolicy, "no_rule_matched", []string{"agent:lifecycle may only be requested alone"}},
		{"r04 delegation_scope_exceeded", 4, with(withTrace(trace("deny", denyRow("delegation_scope_exceeded"), closingRow()))), SurfaceSTSPolicy, "delegation_scope_exceeded", nil},
		{"r04 confinement_violation", 4, with(withTrace(trace("deny", denyRow("confinement_violation"), closingRow()))), SurfaceSTSPolicy, "confinement_violation", nil},
		{"r04 restriction_active", 4, with(withTrace(trace("deny", denyRow("restriction_active"), closingRow()))), SurfaceSTSPolicy, "restriction_active", nil},
		{"r04 malformed_risk_data", 4, with(withTrace(trace("deny", denyRow("malformed_risk_data"), closingRow()))), SurfaceSTSPolicy, "malformed_risk_data", nil},
		{"r04 malformed_approval_data", 4, with(withTrace(trace("deny", denyRow("malformed_approval_data"), closingRow()))), SurfaceSTSPolicy, "malformed_approval_data", nil},
		{"r04 mandate_target_mismatch", 4, with(withTrace(trace("deny", denyRow("mandate_target_mismatch")))), SurfaceGatewayVerifier, "mandate_target_mismatch",
			[]string{"resource://pipernet"}},

		// Rows 5–8: the named gates.
		{"r05 scope_mismatch", 5, with(withTrace(trace("deny", gateRow("scope_mismatch"), closingRow()))), SurfaceResourceDefinition, "scope_not_declared", nil},
		{"r06 operation_not_permitted", 6, with(withTrace(trace("deny", gateRow("operation_not_permitted")))), SurfaceResourceDefinition, "operation_not_permitted", nil},
		{"r07 resource_not_found", 7, with(withTrace(trace("deny", gateRow("resource_not_found"), closingRow()))), SurfaceConfig, "resource_not_found", nil},
		{"r08 rate_limited", 8, with(withTrace(trace("deny", gateRow("rate_limited"), closingRow()))), SurfaceSTSPolicy, "rate_limited", nil},

		// Row 9.
		{"r09 replay", 9, with(withTrace(trace("deny", row("replay_detected", "deny", "anomaly", map[string]any{"jti": "jti-42"})))),
			SurfaceGatewayVerifier, "token_replayed", []string{"jti-42"}},

		// Row 10: any other gate, named by its evaluation_status.
		{"r10 credential_not_provisioned", 10, with(withTrace(trace("deny", gateRow("credential_not_provisioned"), closingRow()))), SurfaceSTSPolicy, "credential_not_provisioned", nil},
		{"r10 resource_outside_delegation", 10, with(withTrace(trace("deny", gateRow("resource_outside_delegation"), closingRow()))), SurfaceSTSPolicy, "resource_outside_delegation", nil},
		{"r10 credential_refresh_failed", 10, with(withTrace(trace("deny", gateRow("credential_refresh_failed"), closingRow()))), SurfaceSTSPolicy, "credential_refresh_failed", nil},
		{"r10 approval_rejected gate", 10, with(withTrace(trace("deny", gateRow("approval_rejected")))), SurfaceSTSPolicy, "approval_rejected", nil},
		{"r10 approval_expired gate", 10, with(withTrace(trace("deny", gateRow("approval_expired")))), SurfaceSTSPolicy, "approval_expired", nil},
		{"r10 closing row after the gate row", 10, with(withTrace(trace("deny", closingRow(), gateRow("provider_unavailable")))), SurfaceSTSPolicy, "provider_unavailable", nil},

		// Row 11.
		{"r11 pending hold", 11, with(withTrace(trace("pending", allowRow(), pending))), SurfaceApproval, "approval_pending", []string{"appr-1"}},
		{"r11 hold rejected", 11, with(withTrace(trace("pending", allowRow(), pending)), func(ev *Evidence) {
			ev.Approval = &caracal.ApprovalStatus{ID: "appr-1", State: "rejected", ExpiresAt: "2026-08-22T14:20:00Z"}
		}), SurfaceApproval, "approval_rejected", nil},
		{"r11 hold expired", 11, with(withTrace(trace("pending", allowRow(), pending)), func(ev *Evidence) {
			ev.Approval = &caracal.ApprovalStatus{ID: "appr-1", State: "expired", ExpiresAt: "2026-08-22T14:20:00Z"}
		}), SurfaceApproval, "approval_expired", nil},
		{"r11 caller saw interaction_required", 11, with(hints(401, "interaction_required", "Human approval required for this request")),
			SurfaceApproval, "approval_pending", nil},

		// Row 12: every sub-cause.
		{"r12 audit_evidence_lost metrics", 12, with(symptom(SymptomNoAudit), stsMetrics(func(m *caracal.STSMetrics) { m.AuditDropped = 7 })),
			SurfaceAuditPipeline, "audit_evidence_lost", nil},
		{"r12 audit_evidence_lost gateway", 12, with(hints(200, "", ""), gwMetrics(func(m *caracal.GatewayMetrics) { m.AuditDropped = 1 })),
			SurfaceAuditPipeline, "audit_evidence_lost", nil},
		{"r12 audit_evidence_lost ready", 12, with(symptom(SymptomNoAudit), ready(notReady(caracal.ServiceGateway, 503, "audit_evidence_lost"))),
			SurfaceAuditPipeline, "audit_evidence_lost", nil},
		{"r12 audit_dlq", 12, with(symptom(SymptomNoAudit), auditMetrics(func(m *caracal.AuditMetrics) { m.DLQSize = 42 })),
			SurfaceAuditPipeline, "audit_dlq", []string{"dlq_size=42"}},
		{"r12 audit_dlq hmac", 12, with(symptom(SymptomNoAudit), auditMetrics(func(m *caracal.AuditMetrics) { m.HMACFailuresTotal = 3 })),
			SurfaceAuditPipeline, "audit_dlq", nil},
		{"r12 audit_lag ready", 12, with(hints(204, "", ""), ready(notReady(caracal.ServiceAudit, 503, "audit_lag_threshold"))),
			SurfaceAuditPipeline, "audit_lag", []string{"audit_lag_threshold"}},
		{"r12 audit_lag pel age", 12, with(symptom(SymptomNoAudit), ready(notReady(caracal.ServiceAudit, 503, "audit_pel_oldest_threshold"))),
			SurfaceAuditPipeline, "audit_lag", nil},
		{"r12 audit_lag consumer lag", 12, with(symptom(SymptomNoAudit), auditMetrics(func(m *caracal.AuditMetrics) { m.ConsumerLag = 5230 })),
			SurfaceAuditPipeline, "audit_lag", []string{"consumer_lag=5230"}},
		{"r12 audit_lag sts spool", 12, with(symptom(SymptomNoAudit), stsMetrics(func(m *caracal.STSMetrics) { m.STS.AuditReplayPending = 9 })),
			SurfaceAuditPipeline, "audit_lag", []string{"STS replay spool holds 9"}},
		{"r12 audit_lag gateway spool", 12, with(symptom(SymptomNoAudit), gwMetrics(func(m *caracal.GatewayMetrics) { m.AuditReplayFiles = 2 })),
			SurfaceAuditPipeline, "audit_lag", nil},
		{"r12 audit_not_ready", 12, with(symptom(SymptomNoAudit), ready(notReady(caracal.ServiceAudit, 503, "consumer_unhealthy"))),
			SurfaceAuditPipeline, "audit_not_ready", []string{"consumer_unhealthy"}},
		{"r12 not_audited_path", 12, with(symptom(SymptomNoAudit)), SurfaceAuditPipeline, "not_audited_path", nil},

		// Row 13: every sub-cause, from the symptom or from an allowed trace after a revocation.
		{"r13 policy_not_propagated activation", 13, with(symptom(SymptomRevoked), activation(caracal.PropagationFailed)),
			SurfaceRevocation, "policy_not_propagated", []string{"activation-status failed"}},
		{"r13 policy_not_propagated dead outbox", 13, with(symptom(SymptomRevoked), ready(notReady(caracal.ServiceAPI, 503, "outbox_dead_messages"))),
			SurfaceRevocation, "policy_not_propagated", []string{"outbox_dead_messages"}},
		{"r13 revocation_snapshot_stale metrics", 13, with(symptom(SymptomRevoked), gwMetrics(func(m *caracal.GatewayMetrics) {
			m.RevocationSnapshotFresh, m.RevocationSnapshotAgeSeconds = 0, 75
		})), SurfaceRevocation, "revocation_snapshot_stale", []string{"75s"}},
		{"r13 revocation_snapshot_stale ready", 13, with(symptom(SymptomRevoked), ready(notReady(caracal.ServiceGateway, 503, "revocation_snapshot_stale"))),
			SurfaceRevocation, "revocation_snapshot_stale", nil},
		{"r13 grant_revoke_not_effective from the trace", 13, with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 200, 200, ""))),
			grantRevoke("2026-08-22T14:01:00.000Z")), SurfaceRevocation, "grant_revoke_not_effective", []string{"billing-bot"}},
		{"r13 verifier_without_revocation", 13, with(symptom(SymptomRevoked), killSwitch("2026-08-22T14:05:31.640Z")),
			SurfaceRevocation, "verifier_without_revocation", nil},
		{"r13 symptom alone", 13, with(symptom(SymptomRevoked)), SurfaceRevocation, "verifier_without_revocation", nil},

		// Rows 14–15.
		{"r14 upstream 403", 14, with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 403, 403, "")))),
			SurfaceResourceDefinition, "upstream_insufficient_scope", nil},
		{"r15 upstream_error", 15, with(withTrace(trace("allow", allowRow(), gatewayRow("upstream_error", 504, 0, "transport_error")))),
			SurfaceGatewayVerifier, "upstream_failed", []string{"504", "transport_error"}},
		{"r15 upstream_rejected", 15, with(withTrace(trace("allow", allowRow(), gatewayRow("upstream_rejected", 502, 0, "upstream_not_addressable")))),
			SurfaceGatewayVerifier, "upstream_failed", []string{"502", "upstream_not_addressable"}},
		{"r15 build_failed", 15, with(withTrace(trace("allow", allowRow(), gatewayRow("build_failed", 400, 0, "request_build_failed")))),
			SurfaceGatewayVerifier, "upstream_failed", nil},
		{"r15 upstream 401", 15, with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 401, 401, "")))), SurfaceGatewayVerifier, "upstream_failed", nil},
		{"r15 upstream 404", 15, with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 404, 404, "")))), SurfaceGatewayVerifier, "upstream_failed", nil},
		{"r15 upstream 500", 15, with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 500, 500, "")))), SurfaceGatewayVerifier, "upstream_failed", []string{"500"}},

		// Row 16: every verifier code.
		{"r16 insufficient_scope", 16, with(hints(403, "insufficient_scope", "Missing scope: pipernet:admin")), SurfaceGatewayVerifier, "insufficient_scope", nil},
		{"r16 session_required", 16, with(hints(401, "session_required", "")), SurfaceGatewayVerifier, "session_required", nil},
		{"r16 delegation_required", 16, with(hints(401, "delegation_required", "")), SurfaceGatewayVerifier, "delegation_required", nil},
		{"r16 chain_mismatch", 16, with(hints(403, "chain_mismatch", "")), SurfaceGatewayVerifier, "chain_mismatch", nil},
		{"r16 hop_count_exceeded", 16, with(hints(403, "hop_count_exceeded", "")), SurfaceGatewayVerifier, "hop_count_exceeded", nil},
		{"r16 invalid_zone", 16, with(hints(401, "invalid_zone", "")), SurfaceGatewayVerifier, "invalid_zone", nil},
		{"r16 missing_token", 16, with(hints(401, "missing_token", "")), SurfaceGatewayVerifier, "missing_token", nil},
		{"r16 delegation_stale", 16, with(hints(401, "delegation_stale", "")), SurfaceGatewayVerifier, "delegation_stale", nil},
		{"r16 code alone, no status", 16, with(hints(0, "insufficient_scope", "")), SurfaceGatewayVerifier, "insufficient_scope", nil},

		// Row 17: by code and description.
		{"r17 access_denied", 17, with(hints(401, "access_denied", "invalid client credentials")), SurfaceAuthentication, "invalid_client_credentials", nil},
		{"r17 invalid subject_token", 17, with(hints(401, "invalid_token", "invalid subject_token")), SurfaceAuthentication, "invalid_subject_token", nil},
		{"r17 invalid subject_token any case", 17, with(hints(401, "invalid_token", "Invalid Subject_Token")), SurfaceAuthentication, "invalid_subject_token", nil},
		{"r17 session revoked description", 17, with(hints(401, "invalid_token", "session revoked")), SurfaceAuthentication, "session_revoked", nil},
		{"r17 session_revoked code", 17, with(hints(401, "session_revoked", "")), SurfaceAuthentication, "session_revoked", nil},
		{"r17 mandate expiring", 17, with(hints(401, "credential_expired_not_renewable", "credential expiring within pre-flight window")), SurfaceAuthentication, "mandate_expiring", nil},
		{"r17 invalid_admin_token", 17, with(hints(401, "invalid_admin_token", "")), SurfaceAuthentication, "invalid_admin_token", nil},
		{"r17 otherwise", 17, with(hints(401, "invalid_token", "bearer signature invalid")), SurfaceAuthentication, "credentials_rejected", []string{"bearer signature invalid"}},
		{"r17 bare 401", 17, with(hints(401, "", "")), SurfaceAuthentication, "credentials_rejected", nil},

		// Row 18: by code and description.
		{"r18 zone_invalid", 18, with(hints(403, "zone_invalid", "application is registered in zone A but the request targeted zone B")), SurfaceSTSPolicy, "zone_invalid", nil},
		{"r18 delegation scopes", 18, with(hints(403, "access_denied", "requested scopes exceed delegation scopes")), SurfaceSTSPolicy, "delegation_scope_exceeded", nil},
		{"r18 authority record inactive", 18, with(hints(403, "access_denied", "authority record inactive or expired")), SurfaceSTSPolicy, "authority_inactive", nil},
		{"r18 session inactive", 18, with(hints(403, "access_denied", "session inactive or expired")), SurfaceSTSPolicy, "authority_inactive", nil},
		{"r18 delegation edge inactive", 18, with(hints(403, "access_denied", "delegation edge inactive or expired")), SurfaceSTSPolicy, "authority_inactive", nil},
		{"r18 otherwise", 18, with(hints(403, "access_denied", "session not owned by caller")), SurfaceSTSPolicy, "denied_before_policy",
			[]string{"session not owned by caller", "zone_invalid"}},

		// Row 19.
		{"r19 bad request", 19, with(hints(400, "invalid_token", "missing routing headers")), SurfaceConfig, "malformed_request", nil},

		// Row 20.
		{"r20 config_missing", 20, with(hints(0, "config_missing", "CARACAL_GATEWAY_URL is required")), SurfaceConfig, "config_missing", []string{"CARACAL_GATEWAY_URL"}},
		{"r20 config_missing without an ID", 20, with(hints(0, "config_missing", ""), func(ev *Evidence) { ev.Query.RequestID = "" }), SurfaceConfig, "config_missing", nil},

		// Row 21.
		{"r21 allow", 21, with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 200, 200, "")))), SurfaceNone, "allowed", []string{"billing-bot"}},
		{"r21 consumed", 21, with(withTrace(trace("consumed", allowRow(), row("step_up_consumed", "consumed", "complete", nil)))), SurfaceNone, "allowed", nil},
		{"r21 approved", 21, with(withTrace(trace("approved", row("step_up_decided", "approved", "complete", nil)))), SurfaceNone, "allowed", nil},

		// Row 22.
		{"r22 nothing to go on", 22, healthy(), SurfaceUnknown, "unknown", []string{"--status"}},
		{"r22 caller saw 500", 22, with(hints(500, "internal_error", "")), SurfaceUnknown, "unknown", nil},
		{"r22 rejected decision", 22, with(withTrace(trace("rejected", row("step_up_decided", "rejected", "complete", nil)))), SurfaceUnknown, "unknown", nil},
	}
}

func TestDiagnose_EveryRouterRow(t *testing.T) {
	covered := map[int]bool{}
	for _, tc := range rowCases() {
		covered[tc.row] = true
		t.Run(tc.name, func(t *testing.T) {
			_, gotRow := decide(tc.ev)
			d := Diagnose(tc.ev, testDocsBase)
			assert.Equal(t, tc.surface, d.Surface, "surface; verdict: %s", d.Verdict)
			assert.Equal(t, tc.cause, d.Cause, "cause; verdict: %s", d.Verdict)
			assert.Equal(t, tc.row, gotRow, "ROUTER.md row")
			require.NotEmpty(t, d.Verdict)
			for _, s := range tc.verdictHas {
				assert.Contains(t, d.Verdict, s, "verdict")
			}
			assertDiagnosisShape(t, tc.ev, d)
		})
	}
	for r := 1; r <= 22; r++ {
		assert.True(t, covered[r], "ROUTER.md row %d has a case", r)
	}
}

// surfaceTokens is ROUTER.md's set of surfaces.
var surfaceTokens = []Surface{
	SurfaceInfrastructure, SurfaceSTSPolicy, SurfaceGatewayVerifier, SurfaceResourceDefinition, SurfaceConfig,
	SurfaceApproval, SurfaceAuditPipeline, SurfaceRevocation, SurfaceAuthentication, SurfaceNone, SurfaceUnknown,
}

// docPaths is ROUTER.md's "Docs pages for next actions" table.
var docPaths = []string{
	"/operations/troubleshooting/", "/operations/debugging/", "/operations/observability/", "/operations/redis/",
	"/reference/errors/", "/guides/authorize-access/", "/concepts/policy/", "/guides/author-policy/",
	"/concepts/resource-grant/", "/guides/activate-policy-set/", "/api/gateway/", "/concepts/sessions-revocation/",
	"/guides/human-approval/", "/concepts/audit-ledger/", "/runtime-console/observability/", "/reference/faq/",
}

// assertDiagnosisShape checks what every diagnosis must carry, whatever the rule.
func assertDiagnosisShape(t *testing.T, ev *Evidence, d Diagnosis) {
	t.Helper()
	assert.Contains(t, surfaceTokens, d.Surface)
	assert.NotEmpty(t, d.Cause)
	assert.Equal(t, ev.Query.RequestID, d.RequestID)
	assert.Equal(t, ev.DiagnosisZone(), d.ZoneID)
	if ev.HasTrace() && ev.Trace.FinalDecision != "" {
		assert.Equal(t, ev.Trace.FinalDecision, d.Decision, "decision is the trace's final_decision")
	} else {
		assert.Equal(t, "unknown", d.Decision, "decision without a trace")
	}
	require.Len(t, d.Steps, 8)
	for i, s := range d.Steps {
		assert.Equal(t, i+1, s.N)
		assert.Equal(t, stepNames[i], s.Name)
		assert.Contains(t, []StepStatus{StepPass, StepFail, StepWarn, StepSkip}, s.Status, "step %d", i+1)
		assert.NotEmpty(t, s.Detail, "step %d detail", i+1)
		assert.NotContains(t, s.Detail, "\n", "step %d detail is one line", i+1)
	}
	require.NotEmpty(t, d.NextActions, "next actions")
	for _, a := range d.NextActions {
		assert.NotEmpty(t, a.Text)
		require.True(t, strings.HasPrefix(a.Doc, testDocsBase+"/"), "absolute docs link: %q", a.Doc)
		assert.Contains(t, docPaths, strings.TrimPrefix(a.Doc, testDocsBase), "a docs page of ROUTER.md")
	}
	assert.Equal(t, len(ev.Missing), len(d.MissingEvidence))
	for _, f := range d.Evidence {
		assert.NotEmpty(t, f.Name)
		assert.NotEmpty(t, f.Value)
		assert.NotEmpty(t, f.Source, "fact %q names its endpoint", f.Name)
	}
}

func TestDiagnose_Deterministic(t *testing.T) {
	for _, tc := range rowCases() {
		t.Run(tc.name, func(t *testing.T) {
			before, err := json.Marshal(tc.ev)
			require.NoError(t, err)
			d1 := Diagnose(tc.ev, testDocsBase)
			d2 := Diagnose(tc.ev, testDocsBase)
			assert.Equal(t, d1, d2, "the same evidence gives the same diagnosis")
			after, err := json.Marshal(tc.ev)
			require.NoError(t, err)
			assert.JSONEq(t, string(before), string(after), "Diagnose does not change the evidence")
		})
	}
}

func TestDiagnose_JSONHasExactlyTheContractKeys(t *testing.T) {
	want := []string{"request_id", "zone_id", "surface", "cause", "verdict", "decision", "steps", "evidence", "next_actions", "missing_evidence"}
	sort.Strings(want)
	for _, tc := range []ruleCase{rowCases()[0], rowCases()[5], rowCases()[len(rowCases())-3]} {
		d := Diagnose(with(func(ev *Evidence) { *ev = *tc.ev }, missing("STS metrics", "HTTP 401")), testDocsBase)
		raw, err := json.Marshal(d)
		require.NoError(t, err)
		var top map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &top))
		keys := make([]string, 0, len(top))
		for k := range top {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, want, keys, tc.name)

		var steps []map[string]any
		require.NoError(t, json.Unmarshal(top["steps"], &steps))
		require.Len(t, steps, 8)
		for _, s := range steps {
			assert.ElementsMatch(t, []string{"n", "name", "status", "detail"}, mapKeys(s))
		}
		var missing []map[string]any
		require.NoError(t, json.Unmarshal(top["missing_evidence"], &missing))
		require.Len(t, missing, 1)
		assert.ElementsMatch(t, []string{"what", "source", "reason"}, mapKeys(missing[0]))
		var actions []map[string]any
		require.NoError(t, json.Unmarshal(top["next_actions"], &actions))
		require.NotEmpty(t, actions)
		assert.ElementsMatch(t, []string{"text", "doc"}, mapKeys(actions[0]))
	}
}

func mapKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestDiagnose_MissingEvidenceIsAnEmptyListNotNull(t *testing.T) {
	raw, err := json.Marshal(Diagnose(healthy(), testDocsBase))
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &top))
	assert.Equal(t, "[]", string(top["missing_evidence"]))
}

// Precedence: the first rule that matches wins, and steps 1 always report
// readiness failures and warning metrics whatever the surface.

func TestDiagnose_PolicyDenyDuringSTSOutage(t *testing.T) {
	ev := with(hints(403, "access_denied", "policy denied (resource_not_granted)"),
		withTrace(trace("deny", denyRow("resource_not_granted"), closingRow())),
		ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable")))
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, SurfaceSTSPolicy, d.Surface, "a trace exists, so row 3 does not apply")
	assert.Equal(t, CauseResourceNotGranted, d.Cause)
	assert.Equal(t, "deny", d.Decision)
	assert.Equal(t, StepFail, d.Steps[0].Status, "step 1 reports the outage")
	assert.Contains(t, d.Steps[0].Detail, "sts not ready")
	assert.Contains(t, d.Steps[0].Detail, "503 redis_unreachable")
	assert.Equal(t, StepFail, d.Steps[3].Status, "step 4 reports the policy deny")
	assert.Contains(t, d.Steps[3].Detail, "resource_not_granted")
}

func TestDiagnose_WarningMetricsAlwaysInStep1(t *testing.T) {
	ev := with(withTrace(trace("deny", denyRow("role_scope_mismatch"), closingRow())),
		auditMetrics(func(m *caracal.AuditMetrics) { m.DLQSize = 4 }))
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, CauseRoleScopeMismatch, d.Cause)
	assert.Equal(t, StepWarn, d.Steps[0].Status)
	assert.Contains(t, d.Steps[0].Detail, "dlq_size=4")

	ev = with(withTrace(trace("allow", allowRow())), stsMetrics(func(m *caracal.STSMetrics) { m.OPA.CompileErrors = 1 }))
	d = Diagnose(ev, testDocsBase)
	assert.Equal(t, CauseAllowed, d.Cause, "compile errors without a 503 do not make row 2")
	assert.Equal(t, StepFail, d.Steps[0].Status, "compile errors are a Doctor failure")
	assert.Contains(t, d.Steps[0].Detail, "compile_errors=1")

	d = Diagnose(healthy(), testDocsBase)
	assert.Equal(t, StepPass, d.Steps[0].Status)
	d = Diagnose(with(func(ev *Evidence) { ev.Ready = nil }), testDocsBase)
	assert.Equal(t, StepSkip, d.Steps[0].Status, "no readiness probed")
}

func TestDiagnose_NoTraceNotReadyButCallWorkedIsAuditPipeline(t *testing.T) {
	ev := with(symptom(SymptomNoAudit), ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable")))
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, SurfaceAuditPipeline, d.Surface, "row 3 leaves the no-audit case to row 12")
	assert.Equal(t, CauseNotAuditedPath, d.Cause)
	assert.Equal(t, StepFail, d.Steps[0].Status)

	ev = with(hints(200, "", ""), ready(notReady(caracal.ServiceAudit, 503, "consumer_unhealthy")))
	d = Diagnose(ev, testDocsBase)
	assert.Equal(t, SurfaceAuditPipeline, d.Surface)
	assert.Equal(t, CauseAuditNotReady, d.Cause)
	assert.Equal(t, StepFail, d.Steps[7].Status, "step 8 names the audit cause")
	assert.Equal(t, "audit_not_ready", d.Steps[7].Detail)
}

// TestDiagnose_AuditPipelineSubCauseOrder starts from evidence where every
// row 12 sub-cause holds and removes them one at a time, top first.
func TestDiagnose_AuditPipelineSubCauseOrder(t *testing.T) {
	ev := with(symptom(SymptomNoAudit),
		stsMetrics(func(m *caracal.STSMetrics) { m.AuditDropped, m.STS.AuditDropped, m.STS.AuditReplayPending = 3, 3, 5 }),
		auditMetrics(func(m *caracal.AuditMetrics) { m.DLQSize, m.HMACFailuresTotal, m.ConsumerLag = 2, 2, 4000 }),
		ready(notReady(caracal.ServiceAudit, 503, "audit_lag_threshold")))
	steps := []struct {
		cause  Cause
		remove func(*Evidence)
	}{
		{"audit_evidence_lost", func(ev *Evidence) { ev.STSMetrics.AuditDropped, ev.STSMetrics.STS.AuditDropped = 0, 0 }},
		{"audit_dlq", func(ev *Evidence) { ev.AuditMetrics.DLQSize, ev.AuditMetrics.HMACFailuresTotal = 0, 0 }},
		{"audit_lag", func(ev *Evidence) {
			ev.AuditMetrics.ConsumerLag, ev.STSMetrics.STS.AuditReplayPending = 0, 0
			ev.Ready[caracal.ServiceAudit] = notReady(caracal.ServiceAudit, 503, "postgres_unreachable")
		}},
		{"audit_not_ready", func(ev *Evidence) { ev.Ready[caracal.ServiceAudit] = okProbe(caracal.ServiceAudit, "/ready") }},
		{"not_audited_path", nil},
	}
	for _, s := range steps {
		d := Diagnose(ev, testDocsBase)
		assert.Equal(t, SurfaceAuditPipeline, d.Surface)
		assert.Equal(t, s.cause, d.Cause, "verdict: %s", d.Verdict)
		if s.remove != nil {
			s.remove(ev)
		}
	}
}

// TestDiagnose_RevocationSubCauseOrder does the same for row 13.
func TestDiagnose_RevocationSubCauseOrder(t *testing.T) {
	ev := with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 200, 200, ""))),
		grantRevoke("2026-08-22T14:01:00.000Z"), activation(caracal.PropagationWaitingForOutbox),
		gwMetrics(func(m *caracal.GatewayMetrics) { m.RevocationSnapshotFresh, m.RevocationSnapshotAgeSeconds = 0, 90 }))
	steps := []struct {
		cause  Cause
		remove func(*Evidence)
	}{
		{"policy_not_propagated", func(ev *Evidence) { ev.Activation.PropagationStatus = caracal.PropagationLoaded }},
		{"revocation_snapshot_stale", func(ev *Evidence) { ev.GatewayMetrics.RevocationSnapshotFresh = 1 }},
		{"grant_revoke_not_effective", func(ev *Evidence) {
			ev.AdminAudit = nil
			ev.Query.Hints.Symptom = SymptomRevoked
		}},
		{"verifier_without_revocation", nil},
	}
	for _, s := range steps {
		d := Diagnose(ev, testDocsBase)
		assert.Equal(t, SurfaceRevocation, d.Surface, "verdict: %s", d.Verdict)
		assert.Equal(t, s.cause, d.Cause, "verdict: %s", d.Verdict)
		if s.remove != nil {
			s.remove(ev)
		}
	}
}

func TestDiagnose_RevocationNeedsAllowAfterTheRevocation(t *testing.T) {
	// The trace happened before the grant revoke: nothing says access continued.
	ev := with(withTrace(trace("allow", allowRow())), grantRevoke("2026-08-22T14:09:59.000Z"))
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, SurfaceNone, d.Surface)
	assert.Equal(t, CauseAllowed, d.Cause)

	// A failed revoke call (4xx) is no revocation.
	ev = with(withTrace(trace("allow", allowRow())), grantRevoke("2026-08-22T14:01:00.000Z"), func(ev *Evidence) {
		ev.AdminAudit[0].StatusCode = 404
	})
	assert.Equal(t, CauseAllowed, Diagnose(ev, testDocsBase).Cause)

	// An archived application counts as a revocation.
	ev = with(withTrace(trace("allow", allowRow())),
		revocationAt("DELETE", "/v1/zones/"+testZone+"/applications/a1", "applications", "2026-08-22T14:01:00.000Z"))
	d = Diagnose(ev, testDocsBase)
	assert.Equal(t, SurfaceRevocation, d.Surface)
	assert.Equal(t, CauseVerifierWithoutRevocation, d.Cause)
}

func TestDiagnose_FirstRuleWins(t *testing.T) {
	tests := []struct {
		name    string
		ev      *Evidence
		surface Surface
		cause   Cause
	}{
		{"row 1 beats a policy deny trace",
			with(withTrace(trace("deny", denyRow("resource_not_granted"))), func(ev *Evidence) {
				ev.Health[caracal.ServiceAPI] = caracal.Probe{Service: caracal.ServiceAPI, URL: "http://api.test/health"}
			}), SurfaceInfrastructure, "api_unreachable"},
		{"row 2 beats row 3 (no trace, STS not ready, caller saw 503 policy_eval_failed)",
			with(hints(503, "policy_eval_failed", ""), ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable"))),
			SurfaceSTSPolicy, "policy_eval_failed"},
		{"row 2 beats row 4 in the same trace",
			with(withTrace(trace("deny", denyRow("resource_not_granted"), row("token_exchange", "deny", "policy_eval_failed", mintMeta())))),
			SurfaceSTSPolicy, "policy_eval_failed"},
		{"row 3 beats row 17 (no trace, not ready, caller saw 401)",
			with(hints(401, "access_denied", "invalid client credentials"), ready(notReady(caracal.ServiceCoordinator, 503, "postgres_unreachable"))),
			SurfaceInfrastructure, "service_not_ready"},
		{"row 3 beats row 11 (no trace, interaction_required during an outage)",
			with(hints(401, "interaction_required", ""), ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable"))),
			SurfaceInfrastructure, "service_not_ready"},
		{"row 4 beats row 5 (first matching rule, not first row)",
			with(withTrace(trace("deny", gateRow("scope_mismatch"), denyRow("role_scope_mismatch"), closingRow()))),
			SurfaceSTSPolicy, "role_scope_mismatch"},
		{"row 9 beats row 10",
			with(withTrace(trace("deny", gateRow("credential_not_provisioned"), row("replay_detected", "deny", "anomaly", nil)))),
			SurfaceGatewayVerifier, "token_replayed"},
		{"row 10 beats row 11 (approval_rejected gate on a pending trace)",
			with(withTrace(trace("deny", gateRow("approval_rejected"), row("step_up_issued", "pending", "complete", nil)))),
			SurfaceSTSPolicy, "approval_rejected"},
		{"row 11 beats row 17 (401 interaction_required)",
			with(hints(401, "interaction_required", "Human approval required for this request")),
			SurfaceApproval, "approval_pending"},
		{"row 12 beats row 16 (no-audit with a verifier code)",
			with(hints(200, "insufficient_scope", ""), symptom(SymptomNoAudit)),
			SurfaceAuditPipeline, "not_audited_path"},
		{"row 13 beats row 21 (allowed after a grant revoke)",
			with(withTrace(trace("allow", allowRow())), grantRevoke("2026-08-22T14:01:00.000Z")),
			SurfaceRevocation, "grant_revoke_not_effective"},
		{"row 14 beats row 21 (allowed but upstream 403)",
			with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 403, 403, "")))),
			SurfaceResourceDefinition, "upstream_insufficient_scope"},
		{"row 16 beats row 18 (403 insufficient_scope)",
			with(hints(403, "insufficient_scope", "Missing scope: pipernet:admin")),
			SurfaceGatewayVerifier, "insufficient_scope"},
		{"row 17 beats row 20 (401 config_missing)",
			with(hints(401, "config_missing", "")),
			SurfaceAuthentication, "credentials_rejected"},
		{"a trace stops rows 16–19 (deny trace, caller saw 401)",
			with(hints(401, "access_denied", "invalid client credentials"), withTrace(trace("deny", denyRow("no_rule_matched"), closingRow()))),
			SurfaceSTSPolicy, "no_rule_matched"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(tc.ev, testDocsBase)
			assert.Equal(t, tc.surface, d.Surface, "verdict: %s", d.Verdict)
			assert.Equal(t, tc.cause, d.Cause, "verdict: %s", d.Verdict)
			assertDiagnosisShape(t, tc.ev, d)
		})
	}
}

func TestDiagnose_ExchangeDeniedIsNeverACause(t *testing.T) {
	for name, ev := range map[string]*Evidence{
		"closing row alone":         with(withTrace(trace("deny", closingRow()))),
		"closing row and an allow":  with(withTrace(trace("deny", allowRow(), closingRow()))),
		"closing row with a reason": with(withTrace(trace("deny", row("token_exchange", "deny", "exchange_denied", nil, reason("resource_not_granted"))))),
		"closing row, caller saw 403": with(hints(403, "access_denied", "policy denied"),
			withTrace(trace("deny", closingRow()))),
	} {
		t.Run(name, func(t *testing.T) {
			d := Diagnose(ev, testDocsBase)
			assert.NotEqual(t, Cause("exchange_denied"), d.Cause)
			assert.Equal(t, SurfaceUnknown, d.Surface, "a denial with no gate row decides nothing (row 22); verdict: %s", d.Verdict)
			assert.Equal(t, "deny", d.Decision)
		})
	}
}

func TestDiagnose_WrongZone(t *testing.T) {
	tr := trace("deny", denyRow("resource_not_granted"), closingRow())
	tr.ZoneID = otherZone
	ev := with(withTrace(tr))
	require.Equal(t, otherZone, ev.TraceZone)
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, otherZone, d.ZoneID, "diagnosed where the trace was found")
	assert.Equal(t, CauseResourceNotGranted, d.Cause)
	assert.Equal(t, StepWarn, d.Steps[1].Status)
	assert.Contains(t, d.Steps[1].Detail, "wrong_zone")
	assert.Contains(t, d.Steps[1].Detail, testZone, "names the zone that was asked")
	assert.Contains(t, d.Steps[2].Detail, otherZone, "step 3 says where the trace is")

	// The same trace in the asked zone: no wrong_zone.
	d = Diagnose(with(withTrace(trace("deny", denyRow("resource_not_granted"), closingRow()))), testDocsBase)
	assert.Equal(t, testZone, d.ZoneID)
	assert.NotContains(t, d.Steps[1].Detail, "wrong_zone")
}

// TestDiagnose_WrongZoneWithConfigSurface: ROUTER.md says a request found
// only in another zone always gets the wrong_zone finding in step 2; a
// config-surface cause must not hide it.
func TestDiagnose_WrongZoneWithConfigSurface(t *testing.T) {
	tr := trace("deny", gateRow("resource_not_found"), closingRow())
	tr.ZoneID = otherZone
	d := Diagnose(with(withTrace(tr)), testDocsBase)
	assert.Equal(t, SurfaceConfig, d.Surface)
	assert.Equal(t, CauseResourceNotFound, d.Cause)
	assert.Equal(t, otherZone, d.ZoneID)
	assert.Contains(t, []StepStatus{StepWarn, StepFail}, d.Steps[1].Status)
	assert.Contains(t, d.Steps[1].Detail, "wrong_zone", "step 2 keeps the wrong_zone finding")
	assert.Contains(t, d.Steps[1].Detail, testZone, "step 2 names the zone that was asked")
}

func TestDiagnose_ZoneAndDecisionWithoutTrace(t *testing.T) {
	d := Diagnose(with(hints(403, "access_denied", "session not owned by caller")), testDocsBase)
	assert.Equal(t, testZone, d.ZoneID, "the zone asked")
	assert.Equal(t, "unknown", d.Decision)

	// An explain answer with no rows is no trace.
	d = Diagnose(with(func(ev *Evidence) { ev.Trace = trace("allow") }), testDocsBase)
	assert.Equal(t, "unknown", d.Decision)
	assert.Equal(t, SurfaceUnknown, d.Surface)

	// A trace row set with an empty final_decision.
	d = Diagnose(with(withTrace(trace("", allowRow()))), testDocsBase)
	assert.Equal(t, "unknown", d.Decision)
}

func TestDiagnose_UnknownVerdictSaysTheTraceCouldNotBeRead(t *testing.T) {
	ev := with(missing("request trace", "unreadable response (not the JSON Caracal sends)"))
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, SurfaceUnknown, d.Surface)
	assert.Equal(t, CauseUnknown, d.Cause)
	assert.Contains(t, d.Verdict, "could not be read")
	assert.Equal(t, StepSkip, d.Steps[2].Status)
	assert.Equal(t, StepSkip, d.Steps[7].Status)
	require.Len(t, d.MissingEvidence, 1)
	assert.Equal(t, "request trace", d.MissingEvidence[0].What)
}

func TestDiagnose_StepsFollowTheFinding(t *testing.T) {
	d := Diagnose(with(withTrace(trace("deny", gateRow("scope_mismatch"), closingRow()))), testDocsBase)
	assert.Equal(t, StepFail, d.Steps[5].Status, "step 6 requested scopes")
	assert.Equal(t, "scope_not_declared", d.Steps[5].Detail)

	d = Diagnose(with(withTrace(trace("deny", denyRow("mandate_target_mismatch")))), testDocsBase)
	assert.Equal(t, StepFail, d.Steps[6].Status, "step 7 Gateway route or verifier")

	d = Diagnose(with(withTrace(trace("allow", allowRow(), gatewayRow("executed", 200, 200, "")))), testDocsBase)
	for i, s := range d.Steps {
		assert.NotEqual(t, StepFail, s.Status, "allowed request, step %d: %s", i+1, s.Detail)
	}
	assert.Equal(t, StepPass, d.Steps[2].Status)
	assert.Equal(t, StepPass, d.Steps[3].Status)
	assert.Contains(t, d.Steps[3].Detail, "caracal-billing-use")
	assert.Equal(t, StepPass, d.Steps[6].Status)
	assert.Equal(t, StepPass, d.Steps[7].Status)

	d = Diagnose(with(hints(0, "config_missing", "")), testDocsBase)
	assert.Equal(t, StepFail, d.Steps[1].Status, "step 2 configuration")
}

func TestDiagnose_DocsBase(t *testing.T) {
	ev := with(withTrace(trace("deny", denyRow("resource_not_granted"), closingRow())))
	for _, base := range []string{"https://docs.example.internal/caracal", "https://docs.example.internal/caracal/"} {
		d := Diagnose(ev, base)
		require.NotEmpty(t, d.NextActions)
		for _, a := range d.NextActions {
			assert.True(t, strings.HasPrefix(a.Doc, "https://docs.example.internal/caracal/"), a.Doc)
			assert.NotContains(t, strings.TrimPrefix(a.Doc, "https://"), "//", a.Doc)
		}
	}
}

func TestDiagnose_EvidenceNamesItsEndpoints(t *testing.T) {
	ev := with(withTrace(trace("deny", denyRow("resource_not_granted"), closingRow())),
		ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable")), hints(403, "access_denied", "policy denied (resource_not_granted)"))
	d := Diagnose(ev, testDocsBase)
	byName := map[string]Fact{}
	for _, f := range d.Evidence {
		byName[f.Name] = f
	}
	assert.Equal(t, "resource://pipernet", byName["resource"].Value)
	assert.Contains(t, byName["resource"].Source, "/audit/by-request/"+testReqID+"/explain")
	assert.Contains(t, byName["application"].Value, "billing-bot")
	assert.Equal(t, "pipernet:read", byName["requested scopes"].Value)
	assert.Equal(t, "503 redis_unreachable", byName["sts /ready"].Value)
	assert.Equal(t, "GET http://sts.test/ready", byName["sts /ready"].Source)
	assert.Contains(t, byName["caller saw"].Value, "403 access_denied")
	assert.True(t, slices.ContainsFunc(d.Evidence, func(f Fact) bool { return strings.HasPrefix(f.Name, "row ") }))
}

// TestDiagnose_Row10NextActionsAreConcrete: for a gate named by the trace
// the next actions should be fixes, not the row-22 request for more input.
func TestDiagnose_Row10NextActionsAreConcrete(t *testing.T) {

	for _, gate := range []string{"credential_not_provisioned", "resource_outside_delegation", "credential_refresh_failed", "provider_unavailable"} {
		d := Diagnose(with(withTrace(trace("deny", gateRow(gate), closingRow()))), testDocsBase)
		require.NotEmpty(t, d.NextActions)
		assert.NotContains(t, d.NextActions[0].Text, "Tell me what the caller saw", gate)
	}
}

// TestDiagnose_Row18MismatchIsNotInactive: ROUTER.md row 18 gives
// authority_inactive only when the description names an inactive or expired
// authority record, Session or Delegation. STS's other authority-record
// refusals (API.md §8: mismatch, subject mismatch, client mismatch, missing
// token authority record) are not about liveness: denied_before_policy.
func TestDiagnose_Row18MismatchIsNotInactive(t *testing.T) {
	for _, h := range []Hints{
		{Status: 403, ErrorCode: "access_denied", Description: "authority record mismatch"},
		{Status: 403, ErrorCode: "access_denied", Description: "authority record subject mismatch"},
		{Status: 403, ErrorCode: "access_denied", Description: "authority record client mismatch"},
		{Status: 403, ErrorCode: "invalid_token", Description: "missing token authority record"},
	} {
		d := Diagnose(with(hints(h.Status, h.ErrorCode, h.Description)), testDocsBase)
		assert.Equal(t, SurfaceSTSPolicy, d.Surface, h.Description)
		assert.Equal(t, CauseDeniedBeforePolicy, d.Cause, "%q; verdict: %s", h.Description, d.Verdict)
	}
}

// TestDiagnose_UnknownZoneIsNoPassingConfiguration: when the zone asked
// answered 404 zone_not_found, step 2 (configuration) cannot pass. (The why
// command refuses such a query before Diagnose, so this is only visible to
// other callers of Diagnose.)
func TestDiagnose_UnknownZoneIsNoPassingConfiguration(t *testing.T) {
	ev := with(func(ev *Evidence) {
		ev.UnknownZone = true
		ev.Resources, ev.PolicySets = []caracal.Resource{}, []caracal.PolicySet{}
	}, missing("zone", "HTTP 404 zone_not_found"))
	d := Diagnose(ev, testDocsBase)
	assert.NotEqual(t, StepPass, d.Steps[1].Status, "step 2: %s", d.Steps[1].Detail)
}

// TestDiagnose_Step1KeepsOtherFailuresWhenTheAPIIsDown: ROUTER.md says
// readiness failures are always reported in step 1, whatever the surface;
// an unreachable Admin API must not hide another service's failure.
func TestDiagnose_Step1KeepsOtherFailuresWhenTheAPIIsDown(t *testing.T) {
	ev := with(func(ev *Evidence) {
		down := caracal.Probe{Service: caracal.ServiceAPI, URL: "http://api.test/health", Error: "connection refused"}
		ev.Health[caracal.ServiceAPI] = down
		down.URL = "http://api.test/ready"
		ev.Ready[caracal.ServiceAPI] = down
	}, ready(notReady(caracal.ServiceSTS, 503, "redis_unreachable")))
	d := Diagnose(ev, testDocsBase)
	assert.Equal(t, CauseAPIUnreachable, d.Cause)
	assert.Equal(t, StepFail, d.Steps[0].Status)
	assert.Contains(t, d.Steps[0].Detail, "Admin API unreachable")
	assert.Contains(t, d.Steps[0].Detail, "sts not ready (503 redis_unreachable)", "the STS failure is reported too")
}

func TestDiagnose_EmptyEvidence(t *testing.T) {
	for _, ev := range []*Evidence{{}, {Trace: &caracal.Explain{}}, {Trace: trace("deny", caracal.AuditRow{})}} {
		d := Diagnose(ev, testDocsBase)
		assert.Len(t, d.Steps, 8)
		assert.NotEmpty(t, d.Cause)
		assert.NotEmpty(t, d.Verdict)
		assert.NotEmpty(t, d.NextActions)
		assert.Equal(t, StepSkip, d.Steps[0].Status, "nothing probed")
	}
}

// TestDiagnose_JSONListsAreNeverNull: missing_evidence is [] when nothing is
// missing; the other lists of the contract should be arrays too.
func TestDiagnose_JSONListsAreNeverNull(t *testing.T) {

	raw, err := json.Marshal(Diagnose(&Evidence{Query: Query{RequestID: testReqID}}, testDocsBase))
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &top))
	for _, k := range []string{"steps", "evidence", "next_actions", "missing_evidence"} {
		assert.True(t, strings.HasPrefix(string(top[k]), "["), "%s is %s", k, top[k])
	}
}
