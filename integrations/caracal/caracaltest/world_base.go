package caracaltest

import (
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Well-known ids of the fixture world (API.md §16: the fixtures share one
// zone, application, Session and request ids).
const (
	ZoneResearch = "019f1ce8-1680-793b-b480-86d4734b60a7" // zone "Research", where most traces live
	ZoneStaging  = "019f65c1-6140-7a97-be6c-e3fe9d1847eb" // zone "Staging"

	appResearchAgent  = "019f1cec-d624-7587-8bd5-a83712268d1c"
	appBillingBot     = "019f230e-d6df-74ba-b084-de0d74d7d04b"
	adminTokenID      = "019f19b0-1d00-7bbf-bc54-75c2f4f88e6f"
	setResearchAccess = "019f1cf1-3ea4-72ae-a72b-f4ed9b620d6c"
	setLegacyAccess   = "019f7ef7-d900-740e-b660-2b4eb2b22b4d"
	setVersionV3      = "01a02521-39e8-76e1-b6f4-031055869713"
	setVersionV2      = "019feaaf-8800-7482-8e87-d35977d2aa69"
	legacyVersionV1   = "019f7ef8-0a3c-7d2b-9e51-3c8a4f6b2d17"
	policyGrants      = "019f1cf0-82c0-7948-b634-e7aa7d1e5168"
	policyGrantsV1    = "019f1cf0-82f2-77c4-81c9-dec61f8dc6e8"
	policyConfinement = "019f1cf0-f020-773b-8c1c-82d5c0c63ae3"
	sessionRoot       = "01a028bf-9182-7939-9995-ede81b801aa6"
	sessionReader     = "01a028bf-93c1-76d2-ada6-90402e54bc92"
	edgeReader        = "01a028bf-94aa-7f59-8d71-a145abdc3d2b"
	sessionSubjectRec = "01a028bf-8f78-7a26-bb32-6ee1422b5c12"
	mandateSID        = "01a028bf-a157-7562-aeb6-e08087a59e1a"
	providerPipernet  = "019f1cee-f45f-7fd0-aadd-7f0f4e15f5fc"
	providerNucleus   = "019f276e-437c-76cf-bc88-4662c74a5475"
	grantDriveUser    = "019f31ef-6380-70d1-81c9-f0bcc58c43e6"
	userAuth0         = "auth0|64f1c2a9e5b0"
	auth0Issuer       = "https://example.us.auth0.com/"
)

// manifestV3 is the manifest of research-access v3, the version STS has loaded.
const manifestV3 = "4c4546e1b52d589e643d26d4ccb278ea68d1242b99912341bdffee3a73537607"

// researchAgent is the fixture caller: research-agent in its reader Session.
func researchAgent() actor {
	return actor{
		appID: appResearchAgent, appName: "research-agent", authority: mandateSID,
		agentSession: sessionReader, parentSession: sessionRoot, edge: edgeReader,
		labels: []string{"reader"}, epoch: 7,
	}
}

// buildBaseWorld assembles the shared, healthy world at the reference time:
// the fixtures, background traffic, and every scenario's supporting data.
func buildBaseWorld(catalog []Scenario) World {
	w := World{
		STSMetrics:       decodeFixture[caracal.STSMetrics]("metrics-sts.json"),
		GatewayMetrics:   decodeFixture[caracal.GatewayMetrics]("metrics-gateway.json"),
		AuditMetrics:     decodeFixture[caracal.AuditMetrics]("metrics-audit.json"),
		CoordinatorStats: decodeFixture[caracal.CoordinatorStats]("stats-coordinator.json"),
		Approvals:        []caracal.ApprovalStatus{decodeFixture[caracal.ApprovalStatus]("sts-approval-status.json")},
	}
	zones := decodeFixture[caracal.List[caracal.Zone]]("zones.json").Items
	for _, z := range zones {
		switch z.ID {
		case ZoneResearch:
			w.Zones = append(w.Zones, researchZone(z))
		case ZoneStaging:
			w.Zones = append(w.Zones, stagingZone(z))
		}
	}
	addTraffic(w.ZoneByID(ZoneResearch), researchTraffic())
	addTraffic(w.ZoneByID(ZoneStaging), stagingTraffic())
	for _, s := range catalog {
		if s.seed != nil {
			s.seed(&w)
		}
	}
	return w
}

// researchZone is the Research zone of the fixtures, made coherent: the
// grant revoke recorded in admin-audit has revoked the grant, and every
// Session a trace names exists.
func researchZone(z caracal.Zone) ZoneData {
	zd := ZoneData{
		Zone:             z,
		Applications:     decodeFixture[caracal.List[caracal.Application]]("applications.json").Items,
		Resources:        decodeFixture[caracal.List[caracal.Resource]]("resources.json").Items,
		PolicySets:       decodeFixture[caracal.List[caracal.PolicySet]]("policy-sets.json").Items,
		Grants:           decodeFixture[caracal.List[caracal.Grant]]("grants.json").Items,
		Sessions:         decodeFixture[caracal.List[caracal.Session]]("sessions.json").Items,
		AuthorityRecords: decodeFixture[caracal.List[caracal.AuthorityRecord]]("authority-records.json").Items,
	}
	// Policies: the list plus each policy's versions.
	grants := decodeFixture[caracal.Policy]("policy.json")
	for _, p := range decodeFixture[caracal.List[caracal.Policy]]("policies.json").Items {
		switch p.ID {
		case policyGrants:
			p = grants
		case policyConfinement:
			p.Versions = []*caracal.PolicyVersion{{
				ID: "019f1cf0-f03a-7e19-a0d4-5b7c9e2f8a61", PolicyID: p.ID, Version: 1,
				Content:       "# caracal:data-document\npackage caracal.authz\n\nimport rego.v1\n\n# Draft: not referenced by any policy-set version yet.\nconfinement := []\n",
				ContentSHA256: hexFrom("research-confinement-v1", 64), SchemaVersion: "2026-05-20",
				CreatedBy: strp("admin:" + adminTokenID), CreatedAt: "2026-07-01T09:09:40.020000+00:00",
			}}
		}
		zd.Policies = append(zd.Policies, p)
	}
	// Policy-set versions: v3 (active) and v2 of research-access, v1 of legacy-access.
	v3 := decodeFixture[caracal.PolicySetVersion]("policy-set-version.json")
	zd.PolicySetVersions = append(zd.PolicySetVersions, v3)
	for _, v := range decodeFixture[caracal.List[caracal.PolicySetVersion]]("policy-set-versions.json").Items {
		if v.ID == setVersionV2 {
			v.ManifestJSON = []caracal.ManifestEntry{{PolicyVersionID: policyGrantsV1}}
			v.Policies = []string{policyGrantsV1}
			zd.PolicySetVersions = append(zd.PolicySetVersions, v)
		}
	}
	zd.PolicySetVersions = append(zd.PolicySetVersions, caracal.PolicySetVersion{
		ID: legacyVersionV1, PolicySetID: setLegacyAccess, Version: 1,
		ManifestJSON:   []caracal.ManifestEntry{{PolicyVersionID: policyGrantsV1}},
		ManifestSHA256: hexFrom("legacy-access-v1", 64), SchemaVersion: "2026-05-20",
		CreatedBy: strp("admin:" + adminTokenID), CreatedAt: "2026-07-20T10:00:05.412Z",
		Policies: []string{policyGrantsV1},
	})
	zd.Activations = []caracal.ActivationStatus{decodeFixture[caracal.ActivationStatus]("activation-status.json")}

	// The grant revoke of admin-audit-grant-revoked.json took effect.
	for i := range zd.Grants {
		if zd.Grants[i].ID == grantDriveUser {
			zd.Grants[i].Status = "revoked"
			zd.Grants[i].UpdatedBy = strp("admin:" + adminTokenID)
		}
	}

	// Admin audit: an older resource change, the policy activation of
	// 2026-08-21, and the grant revoke of the reference day.
	zd.AdminAudit = append(zd.AdminAudit, adminRow(adminCall{
		at: parseStamp("2026-08-12T15:02:11.090Z"), method: "PATCH", seq: 351,
		path:   "/v1/zones/" + ZoneResearch + "/resources/019f1cef-729b-7885-b801-4f3270ffc7e1",
		status: 200, change: "update", fields: []string{"operation_enforcement", "operations"},
	}))
	zd.AdminAudit = append(zd.AdminAudit, decodeFixture[caracal.List[caracal.AdminAuditRow]]("admin-audit.json").Items...)
	zd.AdminAudit = append(zd.AdminAudit, decodeFixture[caracal.List[caracal.AdminAuditRow]]("admin-audit-grant-revoked.json").Items...)

	// Sessions named by the fixture traces.
	zd.Sessions = append(zd.Sessions,
		session(sessionSpec{id: "01a028ea-ce40-7440-8564-a05b8c9bfb1b", app: appBillingBot, labels: []string{"reader"},
			started: at("10:01:09.870"), subject: "01a028ea-cc61-7d04-9a8e-2b7f40c1d935", children: 1}),
		session(sessionSpec{id: "01a028ea-d034-75b1-b12f-031a8fb9546e", app: appBillingBot, parent: "01a028ea-ce40-7440-8564-a05b8c9bfb1b",
			labels: []string{"reader"}, started: at("10:01:10.580"), subject: "01a028ea-cc61-7d04-9a8e-2b7f40c1d935"}),
		session(sessionSpec{id: "01a02991-2966-7509-b9bc-be9d7a795f58", app: appResearchAgent, parent: sessionRoot,
			labels: []string{"refunder"}, started: at("13:02:54.310"), subject: sessionSubjectRec}),
	)
	zd.AuthorityRecords = append(zd.AuthorityRecords, authorityRecord(recordSpec{
		id: "01a028ea-cc61-7d04-9a8e-2b7f40c1d935", subject: appBillingBot, created: at("10:01:09.313"), ttl: time.Hour,
	}))

	// The fixture traces that belong to no single scenario.
	zd.AddAudit(fixtureListRows("audit-list-after-revocation.json", mandateSID, "7abfe20a-cb92-4900-8fab-a048993ce9c9")...)
	return zd
}

// fixtureListRows loads the rows of one request from an audit list fixture,
// un-redacted with sid, oldest first.
func fixtureListRows(name, sid, requestID string) []caracal.AuditRow {
	var out []caracal.AuditRow
	items := decodeFixture[caracal.List[caracal.AuditRow]](name).Items
	for i := len(items) - 1; i >= 0; i-- {
		r := items[i]
		if r.RequestID != nil && *r.RequestID == requestID {
			unredact(r.MetadataJSON, sid)
			out = append(out, r)
		}
	}
	return out
}

// seedFixtureTrace adds an explain fixture's rows to a zone's audit table.
func seedFixtureTrace(zone, fixture, sid string) func(*World) {
	return func(w *World) { w.ZoneByID(zone).AddAudit(fixtureTrace(fixture, sid)...) }
}

// sessionSpec describes a governed Session; the rest is copied from sessions.json's shape.
type sessionSpec struct {
	id, app, parent, subject string
	labels                   []string
	started                  time.Time
	children                 int
	status, reason           string
	ended                    time.Time
}

func session(s sessionSpec) caracal.Session {
	out := caracal.Session{
		SessionID: s.id, ApplicationID: s.app, Status: "active", Lifecycle: "task",
		Labels: s.labels, ChildCount: s.children, SubjectAuthorityRecordID: strp(s.subject),
		SubjectID: strp(s.app), StartedAt: ts(s.started), LastActiveAt: strp(ts(s.started.Add(4 * time.Second))),
		TTLSeconds: intp(3600),
	}
	if s.parent != "" {
		out.ParentSessionID = strp(s.parent)
		out.Depth = 1
	}
	if s.status != "" {
		out.Status = s.status
		out.TerminatedAt = strp(ts(s.ended))
		out.TerminationReason = strp(s.reason)
	}
	return out
}

// recordSpec describes an authority record.
type recordSpec struct {
	zone, id, subject, parent, issuer string
	created                           time.Time
	ttl                               time.Duration
	revoked                           time.Time
	reason                            string
}

func authorityRecord(r recordSpec) caracal.AuthorityRecord {
	out := caracal.AuthorityRecord{
		AuthorityRecordID: r.id, ZoneID: r.zone, AuthorityRecordType: "application", SubjectID: r.subject,
		Status: "active", ExpiresAt: strp(ts(r.created.Add(r.ttl))), AuthenticatedAt: strp(ts(r.created)),
		CreatedAt: ts(r.created),
	}
	if out.ZoneID == "" {
		out.ZoneID = ZoneResearch
	}
	if r.parent != "" {
		out.ParentAuthorityRecordID = strp(r.parent)
	}
	if r.issuer != "" {
		out.AuthorityRecordType = "user"
		out.FederatedUserIssuer = strp(r.issuer)
	}
	if !r.revoked.IsZero() {
		out.Status = "revoked"
		out.RevokedAt = strp(ts(r.revoked))
		out.RevokedReason = strp(r.reason)
	}
	return out
}

// adminCall describes one management call recorded in admin-audit.
type adminCall struct {
	at                   time.Time
	method, path, entity string // entity: "<collection>/<id>"; "" derives it from the path
	status, seq          int
	change               string
	fields               []string
	payload              map[string]any // replaces the change keys (special records)
}

func adminRow(c adminCall) caracal.AdminAuditRow {
	payload := map[string]any{"rls_mode": "control_plane_wildcard", "rls_zone_guc": "*"}
	if c.change != "" && c.status < 400 {
		payload["change_kind"] = c.change
		payload["changed_fields"] = strs(c.fields)
	}
	for k, v := range c.payload {
		payload[k] = v
	}
	et, eid := entityOf(c.path)
	if c.entity != "" {
		parts := strings.SplitN(c.entity, "/", 2)
		et, eid = strp(parts[0]), strp(parts[1])
	}
	row := caracal.AdminAuditRow{
		ID: uuid7At(c.at, "admin/"+c.path+c.method), RequestID: uuid4From("admin/" + c.path + c.method + ts(c.at)),
		ActorID: strp(adminTokenID), ActorName: strp("bootstrap"), ActorScope: strp("global"),
		Action: c.method + " " + c.path, Method: c.method, Path: c.path,
		EntityType: et, EntityID: eid, StatusCode: c.status, PayloadJSON: payload,
		OccurredAt: ts(c.at), ChainSeq: strp(itoa(c.seq)), Signed: true,
	}
	return row
}

// entityOf finds the innermost "<collection>/<id>" pair of an admin path.
func entityOf(path string) (*string, *string) {
	collections := map[string]bool{
		"zones": true, "applications": true, "resources": true, "policies": true, "policy-sets": true,
		"grants": true, "subjects": true, "approvals": true, "providers": true,
	}
	segs := splitPath(path)
	for i := len(segs) - 2; i >= 0; i-- {
		if collections[segs[i]] && validID(segs[i+1]) {
			return strp(segs[i]), strp(segs[i+1])
		}
	}
	return nil, nil
}

func intp(i int) *int { return &i }
