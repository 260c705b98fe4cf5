package diagnose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// actionTexts lists the diagnosis's next actions.
func actionTexts(d Diagnosis) []string {
	out := make([]string, len(d.NextActions))
	for i, a := range d.NextActions {
		out[i] = a.Text
	}
	return out
}

// TestVerdicts_BootstrapNotBound: an application missing from app_ids that
// bootstraps (agent:lifecycle alone, no Session) gets no_rule_matched; the
// verdict names it as not bound in app_ids and the first fix binds it.
func TestVerdicts_BootstrapNotBound(t *testing.T) {
	md := mintMeta("agent:lifecycle")
	md["agent_session_id"], md["delegation_edge_id"] = "", ""
	bootstrap := with(withTrace(trace("deny", row("token_exchange", "deny", "complete", md, reason("no_rule_matched")), closingRow())),
		func(ev *Evidence) {
			ev.PolicyDocuments = []caracal.PolicyVersion{{Content: `app_ids := {"research-agent": "019f1cec-d624-7587-8bd5-a83712268d1c"}`}}
			ev.Resources = []caracal.Resource{{Identifier: "resource://pipernet", Scopes: []string{"pipernet:read"}}}
		})
	d := Diagnose(bootstrap, testDocsBase)
	assert.Equal(t, CauseNoRuleMatched, d.Cause)
	assert.True(t, strings.HasPrefix(d.Verdict, "Application billing-bot is not bound in the policy data's app_ids"), d.Verdict)
	assert.True(t, strings.HasPrefix(d.NextActions[0].Text, "Bind the application in the data document"), "%q", actionTexts(d))
	assert.NotContains(t, strings.Join(actionTexts(d), "\n"), "Session and Delegation flow")
	assert.Equal(t, StepPass, d.Steps[5].Status, "agent:lifecycle is reserved: %s", d.Steps[5].Detail)

	business := Diagnose(with(withTrace(trace("deny", row("token_exchange", "deny", "complete", func() map[string]any {
		m := mintMeta("pipernet:read")
		m["agent_session_id"], m["delegation_edge_id"] = "", ""
		return m
	}(), reason("no_rule_matched")), closingRow()))), testDocsBase)
	assert.True(t, strings.HasPrefix(business.NextActions[0].Text, "Mint through the SDK's Session and Delegation flow"), "%q", actionTexts(business))
}

// TestVerdicts_ReservedScopeNeverUndeclared: step 6 never fails because
// agent:lifecycle is not declared on the resource; other scopes still do.
func TestVerdicts_ReservedScopeNeverUndeclared(t *testing.T) {
	resources := func(ev *Evidence) {
		ev.Resources = []caracal.Resource{{Identifier: "resource://pipernet", Scopes: []string{"pipernet:read"}}}
	}
	for _, tc := range []struct {
		scopes []string
		status StepStatus
	}{
		{[]string{"agent:lifecycle"}, StepPass},
		{[]string{"agent:lifecycle", "pipernet:read"}, StepPass},
		{[]string{"agent:lifecycle", "pipernet:admin"}, StepFail},
	} {
		ev := with(resources, withTrace(trace("deny", row("token_exchange", "deny", "complete", mintMeta(tc.scopes...), reason("no_rule_matched")), closingRow())))
		step := Diagnose(ev, testDocsBase).Steps[5]
		assert.Equal(t, tc.status, step.Status, "%v: %s", tc.scopes, step.Detail)
		assert.NotContains(t, step.Detail, "agent:lifecycle not declared")
	}
}

// TestVerdicts_ZoneScopedSearch: with a zone-scoped token, a request not
// found in the bot's zone is "not found in zone Z; other zones cannot be
// searched with this token", never "STS wrote no audit row"; a request
// that was found says nothing of it.
func TestVerdicts_ZoneScopedSearch(t *testing.T) {
	scoped := func(ev *Evidence) {
		ev.ZoneScopedToken, ev.CrossZoneSearch, ev.SearchedZones = true, false, []string{testZone}
	}
	for _, tc := range []struct {
		name  string
		hints func(*Evidence)
		cause Cause
	}{
		{"a policy denial seen by the caller", hints(403, "access_denied", "policy denied (resource_not_granted)"), CauseDeniedBeforePolicy},
		{"another 403", hints(403, "access_denied", "session not owned by caller"), CauseDeniedBeforePolicy},
		{"a call that worked", hints(200, "", ""), CauseNotAuditedPath},
		{"nothing said", func(*Evidence) {}, CauseUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(with(scoped, tc.hints), testDocsBase)
			assert.Equal(t, tc.cause, d.Cause)
			assert.Contains(t, d.Verdict, "was not found in zone "+testZone+", and other zones cannot be searched with this token")
			assert.NotContains(t, d.Verdict, "wrote no audit row")
			assert.Contains(t, strings.Join(actionTexts(d), "\n"), "Ask in the zone where the call ran")
		})
	}
	full := Diagnose(with(hints(403, "access_denied", "session not owned by caller")), testDocsBase)
	assert.NotContains(t, full.Verdict, "cannot be searched", "a global token searched every zone")
	assert.NotContains(t, strings.Join(actionTexts(full), "\n"), "Ask in the zone where the call ran")
}

// TestVerdicts_UnknownAsksOnlyForWhatIsMissing: the undecided verdict never
// asks for hints the user already gave, and reads STS's 429.
func TestVerdicts_UnknownAsksOnlyForWhatIsMissing(t *testing.T) {
	for _, tc := range []struct {
		name       string
		hints      func(*Evidence)
		verdictHas string
		notAsked   []string
	}{
		{"nothing given", func(*Evidence) {}, "--status 403 --error access_denied", nil},
		{"a status", hints(500, "", ""), "Add the error code", []string{"--status"}},
		{"a code", hints(0, "internal_error", ""), "Add the HTTP status", []string{"--error"}},
		{"both", hints(500, "internal_error", ""), "matches none of the router's rows", []string{"--status", "--error"}},
		{"STS's Redis was away", hints(429, "provider_rate_limited", "authentication rate limit unavailable"),
			"STS could not reach its Redis", []string{"--status", "--error"}},
		{"failed secret checks", hints(429, "provider_rate_limited", "authentication rate limit exceeded"),
			"more than 60 failed client-secret checks", []string{"--status", "--error"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(with(tc.hints), testDocsBase)
			assert.Equal(t, CauseUnknown, d.Cause)
			assert.Contains(t, d.Verdict, tc.verdictHas)
			said := d.Verdict + "\n" + strings.Join(actionTexts(d), "\n")
			for _, flag := range tc.notAsked {
				assert.NotContains(t, said, flag, "already given")
			}
		})
	}
}

// TestVerdicts_RejectedApproval: after a rejected approval, the verdict
// names the resource and the approval, and no next action suggests
// approving it, whether asked about the held mint or a retry STS refused.
func TestVerdicts_RejectedApproval(t *testing.T) {
	const approval = "1ca979ce-8b3f-4728-9f40-ab7442f7c3bd"
	issued := row("step_up_issued", "pending", "complete", map[string]any{"challenge_id": approval, "tier": "high", "approver_class": "operator"})
	mint := row("token_exchange", "allow", "complete", mintMeta("pipernet:refund"))
	retryMeta := mintMeta()
	retryMeta["challenge_id"] = approval
	for _, tc := range []struct {
		name    string
		ev      *Evidence
		surface Surface
	}{
		{"the held mint", with(withTrace(trace("pending", mint, issued)), func(ev *Evidence) {
			ev.Approval = &caracal.ApprovalStatus{ID: approval, State: "rejected"}
		}), SurfaceApproval},
		{"a retry with it", with(withTrace(trace("deny", row("token_exchange", "deny", "approval_rejected", retryMeta)))), SurfaceSTSPolicy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(tc.ev, testDocsBase)
			assert.Equal(t, tc.surface, d.Surface)
			assert.Equal(t, CauseApprovalRejected, d.Cause)
			assert.Contains(t, d.Verdict, approval)
			assert.Contains(t, d.Verdict, "resource resource://pipernet")
			for _, a := range d.NextActions {
				assert.NotContains(t, a.Text, "/approve")
				assert.NotContains(t, a.Text, "Decide the approval")
			}
		})
	}
}

// TestVerdicts_SayWhichPathFailed: a denial at the resource_outside_delegation
// gate says that the Delegation does not cover the resource, and whether
// STS denied the mint or the Gateway's re-exchange of a mandate.
func TestVerdicts_SayWhichPathFailed(t *testing.T) {
	md := map[string]any{"application_name": "research-agent", "resource": "resource://nucleus", "delegation_edge_id": "edge-1"}
	outside := func(id string) *Evidence {
		return with(withTrace(trace("deny", row("token_exchange", "deny", "resource_outside_delegation", md), closingRow())),
			func(ev *Evidence) { ev.Query.RequestID = id })
	}
	for _, tc := range []struct {
		name, id, path string
		gatewayAction  bool
	}{
		{"a Gateway request ID (UUIDv4 form)", "5be0c0f4-8d1e-4c57-9a63-2f7e4b1d09a8", "STS denied the Gateway's re-exchange", true},
		{"an STS request ID (UUIDv7)", "01a0294c-2541-7c1d-ad9e-279c482586ee", "STS denied the mint", false},
		{"an ID that tells nothing", "my-own-id", "STS denied the exchange", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(outside(tc.id), testDocsBase)
			assert.Equal(t, CauseResourceOutsideDelegation, d.Cause)
			assert.Contains(t, d.Verdict, "The Delegation (edge-1) that application research-agent acts through does not cover resource resource://nucleus")
			assert.Contains(t, d.Verdict, tc.path)
			assert.Equal(t, tc.gatewayAction, strings.HasPrefix(d.NextActions[0].Text, "Send the mandate only to the resource it was minted for"), "%q", actionTexts(d))
		})
	}

	// The trace itself shows the Gateway, whatever the ID: a mandate-use
	// decision, a Gateway forward.
	v7 := func(ev *Evidence) { ev.Query.RequestID = "01a0294c-2541-7c1d-ad9e-279c482586ee" }
	assert.Equal(t, "the Gateway's re-exchange", exchangePath(with(v7, withTrace(trace("allow", allowRow())))), "caracal-*-use")
	assert.Equal(t, "the Gateway's re-exchange", exchangePath(with(v7, withTrace(trace("allow", gatewayRow("executed", 200, 200, ""))))))
}
