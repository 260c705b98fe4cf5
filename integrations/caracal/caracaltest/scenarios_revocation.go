package caracaltest

import (
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// The policy change of the policy_not_propagated story: research-grants v3
// drops the Nucleus grant, research-access v4 carries it, its outbox row died.
const (
	pnpPolicyVersion = "01a029c7-be6c-7e1a-933a-5bb2f848b313"
	pnpSetVersion    = "01a029c8-26c5-7068-8816-5ed8469b1de7"
	pnpOutbox        = "01a029c8-36ea-746d-9c09-cdcdb552132d"
)

// Row 13: access continues after a revocation.
func revocationScenarios() []Scenario {
	const notPropagated = "31fcbe0c-2692-4402-8e85-f9aa0788e3cb"
	const stale = "6573c8c3-02a1-4876-b89e-8dd3c98f50ff"
	revoked := Hints{Symptom: SymptomRevoked}
	return []Scenario{
		{
			ID: notPropagated, Name: "revoked-policy-not-propagated", Row: 13,
			Title:   "Nucleus was removed from the policy, but the activation never reached STS (dead outbox)",
			Surface: diagnose.SurfaceRevocation, Cause: diagnose.CausePolicyNotPropagated, Zone: ZoneResearch, AskZone: ZoneResearch, Hints: revoked,
			WorldChanges: []string{
				"research-grants v3 (no Nucleus grant) in research-access v4, activated at 14:03",
				"activation-status of v4: failed, outbox dead (activation-status-outbox-dead.json); STS still on v3",
				"API /ready: 503 outbox_dead_messages (ready-api-outbox-dead.json)",
			},
			seed: seedTrace(ZoneResearch, notPropagated, at("14:08:31.207"), func(t *trace) {
				a := backgroundActor("research-reader")
				a.authority = uuid7At(at("14:08:30.880"), "mandate/"+notPropagated)
				t.policyAllow(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://nucleus", nil), "caracal-research-agent-use")
				t.gateway(a, gatewayCall{method: "POST", resource: "resource://nucleus", upstreamHost: "nucleus-mcp:9000",
					providerID: providerNucleus, upstreamStatus: 200, gatewayStatus: 200, latencyMS: 41, responseBytes: 611})
			}),
			mutate: policyNotPropagated,
		},
		{
			ID: stale, Name: "revoked-snapshot-stale", Row: 13,
			Title:   "A user was revoked with the kill switch, but the Gateway's stale snapshot let the next call through",
			Surface: diagnose.SurfaceRevocation, Cause: diagnose.CauseRevocationSnapshotStale, Zone: ZoneResearch, AskZone: ZoneResearch, Hints: revoked,
			WorldChanges: []string{
				"admin-audit: POST /subjects/revoke for auth0|7f3a9c21b8e4 at 14:08:50",
				"Gateway /ready: 503 revocation_snapshot_stale; /metrics.json: metrics-gateway-revocation-stale.json " +
					"with the last snapshot at 14:08:45 (age 75 s), taken just before the revoke",
			},
			seed: seedStaleUser(stale),
			mutate: both(gatewaySnapshotStale, func(w *World) {
				w.GatewayMetrics.RevocationSnapshotAgeSeconds, w.GatewayMetrics.DenialsRevocationStale = 75, 3
			}, killSwitch(staleUser, at("14:08:50.115"), "01a029aa-26a0-74c4-8ddd-b452870f736a")),
		},
		{
			ID: "0966428a-1d83-4bec-9979-34479318caeb", Name: "revoked-grant-not-effective", Row: 13,
			Title:   "The user's Drive grant was revoked at 14:01, yet research-agent keeps calling Pipernet on its own authority",
			Surface: diagnose.SurfaceRevocation, Cause: diagnose.CauseGrantRevokeNotEffective, Zone: ZoneResearch, AskZone: ZoneResearch,
			seed: research(func(z *ZoneData) {
				z.AddAudit(fixtureListRows("audit-list-after-revocation.json", mandateSID, "0966428a-1d83-4bec-9979-34479318caeb")...)
			}),
		},
		{
			ID: "06bfd901-cd7d-4fd2-a524-90ebba1a9c6e", Name: "revoked-verifier-without-revocation", Row: 13,
			Title:   "A revoked user's agent still reaches an MCP server that verifies mandates in-process, without the revocation feed",
			Surface: diagnose.SurfaceRevocation, Cause: diagnose.CauseVerifierWithoutRevocation, AskZone: ZoneResearch, Hints: revoked,
			WorldChanges: []string{"admin-audit: POST /subjects/revoke for auth0|5c8e1f47a2d9 at 14:05:31"},
			seed: research(func(z *ZoneData) {
				z.AuthorityRecords = append(z.AuthorityRecords, authorityRecord(recordSpec{
					id: "01a0299a-1940-7d92-8a76-44f14e5f9398", subject: "auth0|5c8e1f47a2d9", issuer: auth0Issuer,
					created: at("13:12:40.000"), ttl: time.Hour,
				}))
			}),
			mutate: killSwitch("auth0|5c8e1f47a2d9", at("14:05:31.640"), "01a0299a-1940-7d92-8a76-44f14e5f9398"),
		},
	}
}

// policyNotPropagated activates a policy-set version whose invalidation
// event died in the API outbox, so STS keeps evaluating the previous one.
func policyNotPropagated(w *World) {
	z := w.ZoneByID(ZoneResearch)
	p := z.Policy(policyGrants)
	content := p.Versions[0].Content
	if i := strings.Index(content, "  \"resource://nucleus\""); i >= 0 {
		content = content[:i] + "}\n" + content[strings.Index(content, "\nrisk"):]
	}
	v := *p.Versions[0]
	v.ID, v.Version, v.Content, v.ContentSHA256 = pnpPolicyVersion, 3, content, hexFrom(content, 64)
	v.CreatedAt = "2026-08-22T14:02:31.404000+00:00"
	p.Versions = append([]*caracal.PolicyVersion{&v}, p.Versions...)
	p.UpdatedAt = strp("2026-08-22T14:02:31.415Z")

	manifest := hexFrom("research-access-v4", 64)
	z.PolicySetVersions = append(z.PolicySetVersions, caracal.PolicySetVersion{
		ID: pnpSetVersion, PolicySetID: setResearchAccess, Version: 4,
		ManifestJSON: []caracal.ManifestEntry{{PolicyVersionID: pnpPolicyVersion}}, ManifestSHA256: manifest,
		SchemaVersion: "2026-05-20", CreatedBy: strp("admin:" + adminTokenID), CreatedAt: "2026-08-22T14:02:58.117Z",
		Policies: []string{pnpPolicyVersion},
	})
	set := z.PolicySet(setResearchAccess)
	set.ActiveVersionID, set.UpdatedAt = strp(pnpSetVersion), strp("2026-08-22T14:03:02.240Z")

	act := decodeFixture[caracal.ActivationStatus]("activation-status-outbox-dead.json")
	act.VersionID, act.ActiveVersionID, act.ManifestSHA256 = pnpSetVersion, strp(pnpSetVersion), strp(manifest)
	act.Outbox.ID = strp(pnpOutbox)
	act.STS = caracal.STSPolicyInfo{State: "loaded", Loaded: boolp(true), ZoneID: ZoneResearch,
		PolicySetVersionID: setVersionV3, ManifestSHA256: manifestV3, LoadedAt: "2026-08-21T16:22:10Z", AgeSeconds: float64p(78470)}
	z.SetActivation(act)

	base := "/v1/zones/" + ZoneResearch
	for i, c := range []adminCall{
		{at: at("14:02:31.420"), method: "POST", path: base + "/policies/" + policyGrants + "/versions", status: 201, change: "action", fields: []string{"content"}},
		{at: at("14:02:58.130"), method: "POST", path: base + "/policy-sets/" + setResearchAccess + "/versions", status: 201, change: "action", fields: []string{"manifest"}},
		{at: at("14:03:02.262"), method: "POST", path: base + "/policy-sets/" + setResearchAccess + "/activate", status: 202, change: "action", fields: []string{"version_id"}},
	} {
		c.seq = 413 + i
		z.AdminAudit = append(z.AdminAudit, adminRow(c))
	}
	w.API.Ready = fixtureReply(503, "ready-api-outbox-dead.json")
}

const staleUser = "auth0|7f3a9c21b8e4"

// seedStaleUser stages a user-delegated Session and its allowed Gateway call.
func seedStaleUser(requestID string) func(*World) {
	a := actor{
		appID: appResearchAgent, appName: "research-agent", authority: uuid7At(at("14:09:20.210"), "mandate/"+requestID),
		agentSession: "01a029aa-2f38-7038-9e14-dfd9ad458cfb", parentSession: "01a029aa-2ce0-71e0-9ac3-0eaf2ac0a249",
		edge: "01a029aa-31f4-713e-883a-f15c910276ff", labels: []string{"reader"}, epoch: 8, subjectKind: "user",
	}
	const userRecord = "01a029aa-26a0-74c4-8ddd-b452870f736a"
	return both(
		research(func(z *ZoneData) {
			z.AuthorityRecords = append(z.AuthorityRecords, authorityRecord(recordSpec{
				id: userRecord, subject: staleUser, issuer: auth0Issuer, created: at("13:30:12.000"), ttl: time.Hour,
			}))
			for _, s := range []sessionSpec{
				{id: a.parentSession, app: appResearchAgent, labels: a.labels, started: at("13:30:13.600"), subject: userRecord, children: 1},
				{id: a.agentSession, app: appResearchAgent, parent: a.parentSession, labels: a.labels, started: at("13:30:14.200"), subject: userRecord},
			} {
				ss := session(s)
				ss.SubjectID, ss.FederatedUserID, ss.FederatedUserIssuer = strp(staleUser), strp(staleUser), strp(auth0Issuer)
				z.Sessions = append(z.Sessions, ss)
			}
		}),
		seedTrace(ZoneResearch, requestID, at("14:09:20.602"), func(t *trace) {
			t.policyAllow(policyVersion{setVersionV3, manifestV3}, a.mintMD("resource://pipernet", nil), "caracal-research-agent-use")
			t.gateway(a, gatewayCall{method: "GET", resource: "resource://pipernet", upstreamHost: "pipernet:8088",
				providerID: providerPipernet, upstreamStatus: 200, gatewayStatus: 200, latencyMS: 36, responseBytes: 1834})
		}),
	)
}

// killSwitch records POST /subjects/revoke for a user and revokes the
// user's authority record and the Sessions riding it.
func killSwitch(subject string, when time.Time, record string) func(*World) {
	return research(func(z *ZoneData) {
		terminated := 0
		for i := range z.AuthorityRecords {
			if r := &z.AuthorityRecords[i]; r.AuthorityRecordID == record {
				r.Status, r.RevokedAt, r.RevokedReason = "revoked", strp(ts(when)), strp("subject_revoked")
			}
		}
		for i := range z.Sessions {
			if s := &z.Sessions[i]; s.SubjectAuthorityRecordID != nil && *s.SubjectAuthorityRecordID == record {
				s.Status, s.TerminatedAt, s.TerminationReason = "terminated", strp(ts(when)), strp("subject_revoked")
				terminated++
			}
		}
		delegations := terminated / 2
		z.AdminAudit = append(z.AdminAudit, adminRow(adminCall{
			at: when, method: "POST", path: "/v1/zones/" + ZoneResearch + "/subjects/revoke", status: 200, seq: 413,
			entity: "subjects/" + subject,
			payload: map[string]any{"subject_id": subject, "reason": "compromised device", "revoked_authority_records": 1,
				"terminated_sessions": terminated, "revoked_delegations": delegations, "revoked_connections": 0},
		}))
	})
}
