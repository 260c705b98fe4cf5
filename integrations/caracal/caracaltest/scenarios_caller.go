package caracaltest

import (
	"strings"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// Rows 16–22: Caracal kept no trace (or nothing went wrong); the caller's
// error decides.
func callerScenarios() []Scenario {
	const delegation = "01a0298c-b6dd-793c-9a26-53f34fe12ea6"
	const notOwned = "01a0298a-8dd6-7672-ac7d-bea60b4c9c79"
	const otherZone = "01a0298c-b722-7d08-b4e6-0c9a7f31d2e8"
	const redisBlip = "01a029be-4461-7e9b-a0d2-7b3e58c16f90"
	noTrace := func(s Scenario) Scenario {
		s.AskZone = ZoneResearch
		return s
	}
	return []Scenario{
		noTrace(Scenario{
			ID: "dfb99d11-3d9d-47d5-8625-9046e7138308", Name: "verifier-insufficient-scope", Row: 16,
			Title:   "Pipernet's in-process verifier refused a mandate without pipernet:admin",
			Surface: diagnose.SurfaceGatewayVerifier, Cause: diagnose.CauseInsufficientScope,
			Hints: Hints{Status: 403, ErrorCode: "insufficient_scope", Description: "Missing scope: pipernet:admin"},
			CallerSaw: `{"error":"insufficient_scope","error_description":"Missing scope: pipernet:admin",` +
				`"error_hint":"Ask for a mandate that carries every scope this route needs."}`,
		}),
		verifierScenario("afb81f09-ebf8-45e7-ab1f-5fbb261617c1", "A Pipernet route that needs a governed Session got a plain application mandate",
			403, diagnose.CauseSessionRequired, "Session required"),
		verifierScenario("74eb2d2d-b9a5-421b-84fa-02835c49482c", "A Nucleus route that needs delegated authority got a mandate without a Delegation",
			403, diagnose.CauseDelegationRequired, "Delegation required"),
		verifierScenario("65b632ad-af45-4cda-994d-565dcaa5e80b", "A route that requires billing-bot in the delegation chain got research-agent's mandate",
			403, diagnose.CauseChainMismatch, "Delegation chain missing application: "+appBillingBot),
		verifierScenario("14e0f4cd-8a21-47c2-bd02-8d853671b31d", "A mandate passed through more delegation hops than the route allows",
			403, diagnose.CauseHopCountExceeded, "Hop count exceeded"),
		verifierScenario("44ab4d0b-2257-4107-ad0b-43a1653c4534", "A Staging mandate reached a verifier configured for Research",
			401, diagnose.CauseInvalidZone, "Token zone validation failed"),
		verifierScenario("0592a6f9-26e5-4905-9968-46a8facaa5d0", "A call reached an in-process verifier without a bearer token",
			401, diagnose.CauseMissingToken, "Missing bearer token"),
		verifierScenario("f06bd045-9f6e-4dde-8ea4-4662a6535f81", "The Delegation graph changed after the mandate was minted",
			401, diagnose.CauseDelegationStale, "Delegation graph changed"),
		noTrace(Scenario{
			ID: "01a028b5-3c94-7382-830d-65db3a838429", Name: "invalid-client-credentials", Row: 17,
			Title:   "STS rejected the application's client secret",
			Surface: diagnose.SurfaceAuthentication, Cause: diagnose.CauseInvalidClientCredentials,
			Hints:     Hints{Status: 401, ErrorCode: "access_denied", Description: "invalid client credentials"},
			CallerSaw: fixtureBody("error-401.json"),
		}),
		noTrace(Scenario{
			ID: "d08e527e-3bae-46f7-b89b-1c377b26b418", Name: "gateway-session-revoked", Row: 17,
			Title:   "The Gateway refused a mandate whose Session was revoked",
			Surface: diagnose.SurfaceAuthentication, Cause: diagnose.CauseSessionRevoked,
			Hints:     Hints{Status: 401, ErrorCode: "invalid_token", Description: "session revoked"},
			CallerSaw: fixtureBody("error-401-gateway-session-revoked.json"),
		}),
		noTrace(Scenario{
			ID: "2caef735-9d80-48a8-b57c-407299b626d5", Name: "gateway-invalid-subject-token", Row: 17,
			Title:   "A session mandate was sent to the Gateway; STS refused it as a subject token",
			Surface: diagnose.SurfaceAuthentication, Cause: diagnose.CauseInvalidSubjectToken,
			Hints:     Hints{Status: 401, ErrorCode: "invalid_token", Description: "invalid subject_token"},
			CallerSaw: fixtureBody("error-401-gateway-invalid-subject-token.json"),
		}),
		noTrace(Scenario{
			ID: "b3fb2870-4710-4eef-8427-5d6279aa7d02", Name: "gateway-mandate-expiring", Row: 17,
			Title:   "A mandate reached the Gateway with less than 35 s to live",
			Surface: diagnose.SurfaceAuthentication, Cause: diagnose.CauseMandateExpiring,
			Hints:     Hints{Status: 401, ErrorCode: "credential_expired_not_renewable", Description: "credential expiring within pre-flight window"},
			CallerSaw: fixtureBody("error-401-gateway-expiring.json"),
		}),
		noTrace(Scenario{
			ID: "6dec4e82-1c03-49ca-8f07-11a5f3387c2e", Name: "gateway-bad-signature", Row: 17,
			Title:   "The Gateway could not verify the mandate's signature against the zone's keys",
			Surface: diagnose.SurfaceAuthentication, Cause: diagnose.CauseCredentialsRejected,
			Hints:     Hints{Status: 401, ErrorCode: "invalid_token", Description: "bearer signature invalid"},
			CallerSaw: fixtureBody("error-401-gateway-invalid-token.json"),
		}),
		noTrace(Scenario{
			ID: "01a029c0-fbaa-7f0a-a0c3-94690a504145", Name: "admin-token-invalid", Row: 17,
			Title:   "A deployment script called the Admin API with a revoked admin token",
			Surface: diagnose.SurfaceAuthentication, Cause: diagnose.CauseInvalidAdminToken,
			Hints:     Hints{Status: 401, ErrorCode: "invalid_admin_token"},
			CallerSaw: fixtureBody("error-401-admin-api.json"),
		}),
		noTrace(Scenario{
			ID: "01a028b7-5a60-7faf-be95-fe0b8afdf4bd", Name: "zone-invalid", Row: 18,
			Title:   "research-agent's Research credentials were used against Staging",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseZoneInvalid,
			Hints: Hints{Status: 403, ErrorCode: "zone_invalid",
				Description: "application is registered in zone " + ZoneResearch + " but the request targeted zone " + ZoneStaging +
					"; use credentials issued for the targeted zone or correct the zone_id"},
			CallerSaw: fixtureBody("error-403-zone-invalid.json"),
		}),
		noTrace(Scenario{
			ID: delegation, Name: "delegation-scope-exceeded", Row: 18,
			Title:   "A delegated Session asked for more than its Delegation allows",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseDelegationScopeExceeded,
			Hints:     Hints{Status: 403, ErrorCode: "access_denied", Description: "requested scopes exceed delegation scopes"},
			CallerSaw: goError("access_denied", "requested scopes exceed delegation scopes", delegation),
		}),
		noTrace(Scenario{
			ID: "4c64c7ca-8568-48bf-b2c3-45ae7fab2828", Name: "authority-inactive", Row: 18,
			Title:   "STS refused the Gateway's re-exchange: the mandate's authority record was revoked",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseAuthorityInactive,
			Hints:     Hints{Status: 403, ErrorCode: "access_denied", Description: "authority record inactive or expired"},
			CallerSaw: fixtureBody("error-403-gateway-authority-inactive.json"),
		}),
		noTrace(Scenario{
			ID: "01a029a6-0020-7f13-b0a9-4d2c6e1f7b35", Name: "session-terminated", Row: 18,
			Title:   "research-agent minted through a Delegation whose Session an operator had just terminated",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseAuthorityInactive,
			Hints:     Hints{Status: 403, ErrorCode: "access_denied", Description: "delegation edge inactive or expired"},
			CallerSaw: goError("access_denied", "delegation edge inactive or expired", "01a029a6-0020-7f13-b0a9-4d2c6e1f7b35"),
		}),
		noTrace(Scenario{
			ID: notOwned, Name: "denied-before-policy", Row: 18,
			Title:   "STS refused the mint before policy: the Session belongs to another application",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseDeniedBeforePolicy,
			Hints:     Hints{Status: 403, ErrorCode: "access_denied", Description: "session not owned by caller"},
			CallerSaw: goError("access_denied", "session not owned by caller", notOwned),
		}),
		noTrace(Scenario{
			ID: otherZone, Name: "zone-token-other-zone", Row: 18,
			Title:   "With a token scoped to Research, the bot is asked about a Staging request it cannot see",
			Surface: diagnose.SurfaceSTSPolicy, Cause: diagnose.CauseDeniedBeforePolicy,
			Hints:     policyDenied("resource_not_granted"),
			CallerSaw: goError("access_denied", "policy denied (resource_not_granted)", otherZone),
			WorldChanges: []string{
				"the bot's admin token is zone-scoped to Research (the recommended credential)",
				"the request's trace is in Staging: support-agent was denied Nucleus there",
			},
			seed: seedTrace(ZoneStaging, otherZone, at("12:58:02.914"), func(t *trace) {
				a := supportAgent()
				t.policyDeny(stagingVersion(), a.mintMD("resource://nucleus", []string{"nucleus:tool:call"}), "resource_not_granted")
				t.exchangeDenied(a, "resource://nucleus")
			}),
			mutate: func(w *World) { w.AdminTokenZone = ZoneResearch },
		}),
		noTrace(Scenario{
			ID: "a1cffe3a-6597-401d-aaff-510b7b425905", Name: "gateway-missing-resource-header", Row: 19,
			Title:   "The client called the Gateway without X-Caracal-Resource",
			Surface: diagnose.SurfaceConfig, Cause: diagnose.CauseMalformedRequest,
			Hints:     Hints{Status: 400, ErrorCode: "invalid_token", Description: "missing routing headers"},
			CallerSaw: fixtureBody("error-400-gateway-missing-resource-header.json"),
		}),
		noTrace(Scenario{
			ID: "9a36892b-f81f-4325-9c1b-dd63d10438e1", Name: "config-missing", Row: 20,
			Title:   "The runtime started in production without CARACAL_GATEWAY_URL",
			Surface: diagnose.SurfaceConfig, Cause: diagnose.CauseConfigMissing,
			Hints:     Hints{ErrorCode: "config_missing", Description: "CARACAL_GATEWAY_URL is required when the runtime environment is production"},
			CallerSaw: fixtureBody("error-config-missing.json"),
		}),
		fixtureScenario(Scenario{
			ID: "0d28d1d8-62d9-4254-a601-b5c10f56220a", Name: "allowed", Row: 21,
			Title:   "research-agent read Pipernet reports through the Gateway; nothing went wrong",
			Surface: diagnose.SurfaceNone, Cause: diagnose.CauseAllowed,
		}, "explain-allow.json", mandateSID),
		noTrace(Scenario{
			ID: "01a029b9-fbfc-723a-aa84-39c0dde55158", Name: "unknown", Row: 22,
			Title:   "A request ID Caracal never saw, with nothing else to go on",
			Surface: diagnose.SurfaceUnknown, Cause: diagnose.CauseUnknown,
		}),
		noTrace(Scenario{
			ID: redisBlip, Name: "sts-redis-blip", Row: 22,
			Title:   "A mint got 429 provider_rate_limited while STS's Redis was briefly away; everything is ready again",
			Surface: diagnose.SurfaceUnknown, Cause: diagnose.CauseUnknown,
			Hints:     Hints{Status: 429, ErrorCode: "provider_rate_limited", Description: "authentication rate limit unavailable"},
			CallerSaw: goError("provider_rate_limited", "authentication rate limit unavailable", redisBlip),
		}),
	}
}

// verifierScenario is a call an in-process verifier refused (ROUTER.md row
// 16): its error body names no request ID and Caracal kept no trace.
func verifierScenario(id, title string, status int, code diagnose.Cause, description string) Scenario {
	return Scenario{
		ID: id, Name: "verifier-" + strings.ReplaceAll(string(code), "_", "-"), Row: 16, Title: title,
		Surface: diagnose.SurfaceGatewayVerifier, Cause: code, AskZone: ZoneResearch,
		Hints:     Hints{Status: status, ErrorCode: string(code), Description: description},
		CallerSaw: goError(string(code), description, ""),
	}
}
