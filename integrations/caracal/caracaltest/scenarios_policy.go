package caracaltest

import (
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// fixtureScenario stages a scenario whose trace is an explain fixture in
// the Research zone; sid un-redacts the rows' authority record ids.
func fixtureScenario(s Scenario, fixture, sid string) Scenario {
	s.Zone = ZoneResearch
	if s.AskZone == "" {
		s.AskZone = ZoneResearch
	}
	s.seed = both(s.seed, seedFixtureTrace(ZoneResearch, fixture, sid))
	return s
}

// seedTrace adds the rows build writes to a zone's audit table.
func seedTrace(zone, requestID string, start time.Time, build func(t *trace)) func(*World) {
	return func(w *World) {
		t := newTrace(zone, requestID, start)
		build(t)
		w.ZoneByID(zone).AddAudit(t.rows...)
	}
}

// policyDenied is what STS answers when a policy deny had a reason.
func policyDenied(reason string) Hints {
	return Hints{Status: 403, ErrorCode: "access_denied", Description: "policy denied (" + reason + ")"}
}

// Rows 2 and 4: the policy engine failed or denied.
func policyScenarios() []Scenario {
	const evalFailed = "01a028b8-44c0-7b16-88b9-b224684bbe26"
	const noRule = "01a028fe-6bc8-7332-b2b1-03cbd9d57bae"
	const targetMismatch = "e7a1c0c7-6da7-4623-8e4e-69959b03b6e9"
	const wrongZone = "01a0297d-3f54-7c61-b272-85a631a97d60"
	const bootstrap = "01a028b6-2822-7b0c-9f3d-5a1e6c0b8d47"
	return []Scenario{
		{
			ID: evalFailed, Name: "policy-eval-failed", Row: 2,
			Title:   "The policy engine failed on the zone's bundle: STS answered 503 policy_eval_failed",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CausePolicyEvalFailed, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints:        Hints{Status: 503, ErrorCode: "policy_eval_failed", Description: "policy evaluation unavailable"},
			CallerSaw:    fixtureBody("error-503-policy-eval-failed.json"),
			WorldChanges: []string{"STS /metrics.json: opa.eval_errors 1"},
			seed: seedTrace(ZoneResearch, evalFailed, at("09:06:00.009"), func(t *trace) {
				a := backgroundActor("research-reader")
				r := t.policy("deny", policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://pipernet", []string{"pipernet:read"}), nil,
					[]map[string]any{{"error": "1 error occurred: policy.rego:24: eval_conflict_error: complete rules must not produce multiple outputs"}})
				r.EvaluationStatus = strp("policy_eval_failed")
			}),
			mutate: func(w *World) { w.STSMetrics.OPA.EvalErrors = 1 },
		},
		fixtureScenario(Scenario{
			ID: "01a028ea-d354-7443-96e4-46e5643d943c", Name: "deny-no-grant", Row: 4,
			Title:   "billing-bot asked for Pipernet, but the policy data binds the grant to research-agent only",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseResourceNotGranted,
			Hints: policyDenied("resource_not_granted"), CallerSaw: fixtureBody("error-403-access-denied-no-grant.json"),
		}, "explain-deny-no-grant.json", ""),
		fixtureScenario(Scenario{
			ID: "01a028c5-c1f4-71bb-89ca-bbb2459cf427", Name: "deny-role-scope-mismatch", Row: 4,
			Title:   "A reader Session asked for pipernet:write, which its role does not grant",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseRoleScopeMismatch,
			Hints: policyDenied("role_scope_mismatch"), CallerSaw: fixtureBody("error-403-access-denied.json"),
		}, "explain-deny-role-scope-mismatch.json", ""),
		fixtureScenario(Scenario{
			ID: "01a02949-fb7c-7a85-9fc4-9cf834d0a9d7", Name: "deny-no-active-policy-set", Row: 4,
			Title:   "No policy set is active in Research, so STS denies everything (deny-all fallback)",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseNoActivePolicySet,
			Hints: policyDenied("no_active_policy_set"), CallerSaw: fixtureBody("error-403-access-denied-no-policy-set.json"),
			WorldChanges: []string{"Research policy sets: none active (policy-sets-none-active.json); no activation status"},
			mutate: research(func(z *ZoneData) {
				z.PolicySets = decodeFixture[caracal.List[caracal.PolicySet]]("policy-sets-none-active.json").Items
				z.Activations = nil
			}),
		}, "explain-deny-policy-set-inactive.json", ""),
		{
			ID: noRule, Name: "deny-no-rule-matched", Row: 4,
			Title:   "research-agent minted a business scope with its client secret alone, outside any Session",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseNoRuleMatched, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints: policyDenied("no_rule_matched"), CallerSaw: goError("access_denied", "policy denied (no_rule_matched)", noRule),
			seed: seedTrace(ZoneResearch, noRule, at("10:22:37.519"), func(t *trace) {
				a := actor{appID: appResearchAgent, appName: "research-agent"}
				t.policyDeny(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://pipernet", []string{"pipernet:read"}), "no_rule_matched")
				t.exchangeDenied(a, "resource://pipernet")
			}),
		},
		{
			ID: targetMismatch, Name: "gateway-mandate-target-mismatch", Row: 4,
			Title:   "A Pipernet mandate was sent to the Gateway for Nucleus, which its Delegation also covers and which is transport_uniform",
			Surface: diagnose.SurfaceGatewayVerifier, Cause: diagnose.CauseMandateTargetMismatch, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints:     policyDenied("mandate_target_mismatch"),
			CallerSaw: goError("access_denied", "policy denied (mandate_target_mismatch)", targetMismatch),
			seed: seedTrace(ZoneResearch, targetMismatch, at("10:31:54.208"), func(t *trace) {
				a := researchAgent()
				a.authority = uuid7At(at("10:31:53.870"), "mandate/"+targetMismatch)
				t.policyDeny(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://nucleus", nil), "mandate_target_mismatch")
				t.exchangeDenied(a, "resource://nucleus")
			}),
		},
		policyDenyScenario(policyDenySpec{id: "01a028d8-7ff2-788b-a2c0-83aae799f2f1", name: "deny-delegation-scope-exceeded",
			title:  "research-agent's reader Session asked for pipernet:refund, outside its Delegation's scopes (a policy deny, rarely seen)",
			reason: diagnose.CauseDelegationScopeExceeded, at: at("09:41:12.306"), resource: "resource://pipernet", scopes: []string{"pipernet:refund"}}),
		policyDenyScenario(policyDenySpec{id: "01a028e2-feb6-7740-9620-e124442ed8a5", name: "deny-confinement-violation",
			title:  "A confinement rule caps research-agent's reader Session below pipernet:write",
			reason: diagnose.CauseConfinementViolation, at: at("09:52:40.118"), resource: "resource://pipernet", scopes: []string{"pipernet:write"}}),
		policyDenyScenario(policyDenySpec{id: "01a028ee-5780-7a96-b961-08489f8ae62b", name: "deny-restriction-active",
			title:  "A restrict entry in the policy data froze Research, so STS denied research-agent's Pipernet read",
			reason: diagnose.CauseRestrictionActive, at: at("10:05:03.744"), resource: "resource://pipernet", scopes: []string{"pipernet:read"}}),
		policyDenyScenario(policyDenySpec{id: "01a0292c-07b7-755c-94e2-225253bec4f6", name: "deny-malformed-risk-data",
			title:  "A risk entry of the policy data is not a {scope, tier} pair, so STS denied research-agent's Nucleus call",
			reason: diagnose.CauseMalformedRiskData, at: at("11:12:26.551"), resource: "resource://nucleus", scopes: []string{"nucleus:tool:call"}}),
		policyDenyScenario(policyDenySpec{id: "01a0292d-9b6e-73fa-ab0d-194e5dac6d88", name: "deny-malformed-approval-data",
			title:  "An approval_tiers entry of the policy data is invalid, so STS denied research-agent's Pipernet read",
			reason: diagnose.CauseMalformedApprovalData, at: at("11:14:09.902"), resource: "resource://pipernet", scopes: []string{"pipernet:read"}}),
		{
			ID: bootstrap, Name: "deny-no-rule-matched-bootstrap", Row: 4,
			Title:   "billing-bot bootstrapped (agent:lifecycle alone), but the policy data never bound it in app_ids",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseNoRuleMatched, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints: policyDenied("no_rule_matched"), CallerSaw: goError("access_denied", "policy denied (no_rule_matched)", bootstrap),
			WorldChanges: []string{"the bot's admin token is zone-scoped to Research (the recommended credential)"},
			seed: seedTrace(ZoneResearch, bootstrap, at("09:03:41.602"), func(t *trace) {
				a := actor{appID: appBillingBot, appName: "billing-bot", authority: uuid7At(at("09:03:41.400"), "bootstrap/"+bootstrap)}
				t.policyDeny(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://pipernet", []string{"agent:lifecycle"}), "no_rule_matched")
				t.exchangeDenied(a, "resource://pipernet")
			}),
			mutate: func(w *World) { w.AdminTokenZone = ZoneResearch },
		},
		{
			ID: wrongZone, Name: "wrong-zone", Row: 4,
			Title:   "Asked in Research, but the request ran in Staging, where support-agent has no Nucleus grant",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseResourceNotGranted, Zone: ZoneStaging, AskZone: ZoneResearch,
			Hints: policyDenied("resource_not_granted"), CallerSaw: goError("access_denied", "policy denied (resource_not_granted)", wrongZone),
			seed: seedWrongZone(wrongZone),
		},
	}
}

// policyDenySpec is a mint of research-agent's reader Session that the
// policy engine denied with reason.
type policyDenySpec struct {
	id, name, title, resource string
	reason                    diagnose.Cause
	at                        time.Time
	scopes                    []string
}

// policyDenyScenario stages the spec's deny and the error STS answered.
func policyDenyScenario(p policyDenySpec) Scenario {
	return Scenario{
		ID: p.id, Name: p.name, Row: 4, Title: p.title,
		Surface: diagnose.SurfaceSTSPolicy, Cause: p.reason, Zone: ZoneResearch, AskZone: ZoneResearch,
		Hints:     policyDenied(string(p.reason)),
		CallerSaw: goError("access_denied", "policy denied ("+string(p.reason)+")", p.id),
		seed: seedTrace(ZoneResearch, p.id, p.at, func(t *trace) {
			a := researchAgent()
			t.policyDeny(policyVersion{setVersionV3, manifestV3}, a.mintMD(p.resource, p.scopes), string(p.reason))
			t.exchangeDenied(a, p.resource)
		}),
	}
}

// supportAgent is Staging's caller: support-agent in its reader Session.
func supportAgent() actor {
	return actor{
		appID: stagingAppSupport, appName: "support-agent", authority: "01a0297d-290c-71b0-b98d-fe07ccbac110",
		agentSession: "01a0297d-2efc-7adc-8835-bd31f51799a7", parentSession: "01a0297d-2b64-7850-a4c1-7cae577573ac",
		edge: "01a0297d-2dbc-768e-a076-9d19be1ee7b5", labels: []string{"reader"}, epoch: 2,
	}
}

// seedWrongZone stages support-agent's Session in Staging and its denied mint.
func seedWrongZone(requestID string) func(*World) {
	a := supportAgent()
	return both(
		func(w *World) {
			z := w.ZoneByID(ZoneStaging)
			z.AuthorityRecords = append(z.AuthorityRecords, authorityRecord(recordSpec{
				zone: ZoneStaging, id: a.authority, subject: a.appID, created: at("12:41:03.500"), ttl: time.Hour,
			}))
			z.Sessions = append(z.Sessions,
				session(sessionSpec{id: a.parentSession, app: a.appID, labels: a.labels, started: at("12:41:04.100"), subject: a.authority, children: 1}),
				session(sessionSpec{id: a.agentSession, app: a.appID, parent: a.parentSession, labels: a.labels, started: at("12:41:05.020"), subject: a.authority}),
			)
		},
		seedTrace(ZoneStaging, requestID, at("12:41:09.211"), func(t *trace) {
			t.policyDeny(stagingVersion(), a.mintMD("resource://nucleus", []string{"nucleus:tool:call"}), "resource_not_granted")
			t.exchangeDenied(a, "resource://nucleus")
		}),
	)
}

// Rows 5–10: a code gate denied before or around the policy engine.
func gateScenarios() []Scenario {
	const notFound = "01a028f7-c6ea-7ff7-8cd7-243961215573"
	const noConnection = "01a02925-f5bd-794c-9e38-b8f2e2a0640f"
	policyDeniedBare := Hints{Status: 403, ErrorCode: "access_denied", Description: "policy denied"}
	connection := "no provider connection for subject auth0|6501d7e2c4a1 on resource resource://drive; the user must connect the provider account first"
	return []Scenario{
		fixtureScenario(Scenario{
			ID: "01a028c9-d3ac-714f-9706-ff5c60b98bf6", Name: "deny-scope-not-declared", Row: 5,
			Title:   "research-agent asked for a scope the Pipernet resource does not declare",
			Surface: diagnose.SurfaceResourceDefinition, Cause: diagnose.CauseScopeNotDeclared,
			Hints: policyDeniedBare, CallerSaw: fixtureBody("error-403-access-denied-no-reason.json"),
		}, "explain-deny-scope-not-defined.json", ""),
		fixtureScenario(Scenario{
			ID: "269d1d49-a6c3-4dfb-b05b-b82128fbd732", Name: "deny-operation-not-permitted", Row: 6,
			Title:   "DELETE /v1/reports/42 is not a declared operation of the enforced Pipernet resource",
			Surface: diagnose.SurfaceResourceDefinition, Cause: diagnose.CauseOperationNotPermitted,
			Hints: Hints{Status: 403, ErrorCode: "operation_not_permitted",
				Description: "operation DELETE /v1/reports/42 is not declared on resource resource://pipernet; declare it on the resource or set operation_enforcement to transport_uniform"},
			CallerSaw: fixtureBody("error-403-operation-not-permitted.json"),
		}, "explain-deny-operation-not-permitted.json", ""),
		{
			ID: notFound, Name: "deny-resource-not-found", Row: 7,
			Title:   "research-agent asked for resource://pipernet-v2, which is not registered in Research",
			Surface: diagnose.SurfaceConfig, Cause: diagnose.CauseResourceNotFound, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints: policyDeniedBare, CallerSaw: goError("access_denied", "policy denied", notFound),
			seed: seedTrace(ZoneResearch, notFound, at("10:15:22.097"), func(t *trace) {
				a := researchAgent()
				t.gate("resource_not_found", a.gateMD(map[string]any{"resource": "resource://pipernet-v2"}))
				t.exchangeDenied(a, "resource://pipernet-v2")
			}),
		},
		fixtureScenario(Scenario{
			ID: "01a02958-0b22-7df4-b6d2-8d2382c0bfcb", Name: "deny-rate-limited", Row: 8,
			Title:   "research-agent exhausted its per-minute mint budget for Pipernet",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseRateLimited,
			Hints: policyDeniedBare, CallerSaw: goError("access_denied", "policy denied", "01a02958-0b22-7df4-b6d2-8d2382c0bfcb"),
		}, "explain-deny-rate-limited.json", ""),
		fixtureScenario(Scenario{
			ID: "fe2a729f-127e-4159-a28f-b77d148746a7", Name: "gateway-token-replayed", Row: 9,
			Title:   "A one-shot mandate was presented to the Gateway a second time",
			Surface: diagnose.SurfaceGatewayVerifier, Cause: diagnose.CauseTokenReplayed,
			Hints:     Hints{Status: 401, ErrorCode: "invalid_token", Description: "token replay detected"},
			CallerSaw: fixtureBody("error-401-gateway-replay.json"),
		}, "explain-gateway-replay.json", ""),
		{
			ID: noConnection, Name: "deny-credential-not-provisioned", Row: 10,
			Title:   "research-agent acted for a user who never connected Google Drive",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseCredentialNotProvisioned, Zone: ZoneResearch, AskZone: ZoneResearch,
			Hints:     Hints{Status: 403, ErrorCode: "access_denied", Description: connection},
			CallerSaw: goError("access_denied", connection, noConnection),
			seed: seedTrace(ZoneResearch, noConnection, at("11:05:48.740"), func(t *trace) {
				a := researchAgent()
				t.gate("credential_not_provisioned", a.gateMD(map[string]any{"resource": "resource://drive", "reason": "no_provider_connection"}))
				t.exchangeDenied(a, "resource://drive")
			}),
		},
		gateDenyScenario(gateDenySpec{id: "01a0294c-2541-7c1d-ad9e-279c482586ee", name: "deny-resource-outside-delegation",
			title: "research-agent's Delegation is bound to Pipernet, but its Session asked for Nucleus",
			cause: diagnose.CauseResourceOutsideDelegation, at: at("11:47:31.265"), hints: policyDeniedBare,
			md: map[string]any{"resource": "resource://nucleus", "delegation_edge_id": edgeReader}, closes: true}),
		gateDenyScenario(gateDenySpec{id: "5be0c0f4-8d1e-4c57-9a63-2f7e4b1d09a8", name: "gateway-resource-outside-delegation",
			title: "A Pipernet mandate was sent to the Gateway for Nucleus, which its Delegation does not cover (the usual wrong-resource answer)",
			cause: diagnose.CauseResourceOutsideDelegation, at: at("11:58:07.412"), hints: policyDeniedBare, gateway: true,
			md: map[string]any{"resource": "resource://nucleus", "delegation_edge_id": edgeReader}, closes: true}),
		gateDenyScenario(gateDenySpec{id: "01a0295a-9925-7be8-b128-b546fb30b4f6", name: "deny-credential-refresh-failed",
			title: "The user's expired Google Drive connection could not be refreshed",
			cause: diagnose.CauseCredentialRefreshFailed, at: at("12:03:18.437"),
			hints: Hints{Status: 403, ErrorCode: "credential_expired_not_renewable"},
			md:    map[string]any{"resource": "resource://drive", "reason": "credential_expired_not_renewable"}, closes: true}),
		gateDenyScenario(gateDenySpec{id: "1a245b9b-2c6b-4bd1-a5a6-d9c70a1364d0", name: "gateway-provider-unavailable",
			title: "The Gateway's exchange for Nucleus found no provider row for the resource",
			cause: diagnose.CauseProviderUnavailable, at: at("12:27:45.090"), hints: policyDeniedBare, gateway: true,
			md: map[string]any{"resource": "resource://nucleus", "reason": "provider_not_found"}, closes: true}),
		gateDenyScenario(gateDenySpec{id: "67523294-341a-4a76-a185-3081563db9c0", name: "gateway-provider-credential-unavailable",
			title: "Policy allowed the Gateway's Pipernet call, but STS could not produce the upstream credential",
			cause: diagnose.CauseProviderCredentialUnavailable, at: at("12:52:11.684"), gateway: true,
			hints: Hints{Status: 502, ErrorCode: "http_request_failed", Description: "upstream credential for resource resource://pipernet is unavailable"},
			md:    map[string]any{"resource": "resource://pipernet"}, allowedFirst: true}),
	}
}

// gateDenySpec is an exchange of research-agent that an STS gate refused
// (ROUTER.md row 10): the gate row, and the closing exchange_denied row
// when the gate is per resource.
type gateDenySpec struct {
	id, name, title string
	cause           diagnose.Cause // the gate's evaluation_status
	at              time.Time
	hints           Hints
	md              map[string]any // the gate row's metadata besides the application's
	closes          bool           // an exchange_denied row closes the denial
	// gateway: the Gateway's re-exchange of a mandate (its request id, no
	// requested scopes); allowedFirst: policy allowed before the gate refused.
	gateway, allowedFirst bool
}

// gateDenyScenario stages the spec's trace; the caller's error body is STS's
// envelope (the Gateway passes it through).
func gateDenyScenario(g gateDenySpec) Scenario {
	return Scenario{
		ID: g.id, Name: g.name, Row: 10, Title: g.title,
		Surface: diagnose.SurfaceSTSPolicy, Cause: g.cause, Zone: ZoneResearch, AskZone: ZoneResearch,
		Hints: g.hints, CallerSaw: goError(g.hints.ErrorCode, g.hints.Description, g.id),
		seed: seedTrace(ZoneResearch, g.id, g.at, func(t *trace) {
			a := researchAgent()
			if g.gateway {
				a.authority = uuid7At(g.at.Add(-300*time.Millisecond), "mandate/"+g.id)
			}
			resource, _ := g.md["resource"].(string)
			if g.allowedFirst {
				t.policyAllow(policyVersion{setVersionV3, manifestV3}, a.mintMD(resource, nil), "caracal-research-agent-use")
			}
			t.gate(string(g.cause), a.gateMD(g.md))
			if g.closes {
				t.exchangeDenied(a, resource)
			}
		}),
	}
}
