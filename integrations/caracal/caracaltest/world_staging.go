package caracaltest

import (
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// The Staging zone: one application (support-agent) with a Pipernet grant,
// built from the Research fixtures' shapes with Staging's own ids.
const (
	stagingAppSupport       = "019f65cb-8fee-766e-ba04-8fe1d09f097b"
	stagingProviderPipernet = "019f65ce-3280-784f-ba0d-4de8694cd432"
	stagingProviderNucleus  = "019f65ce-a7b0-7122-a861-fe585bda38a0"
	stagingResPipernet      = "019f65cf-44bc-789b-b7f0-8555fabcdfe6"
	stagingResNucleus       = "019f65d0-1281-7ab1-8aca-1edcd65846aa"
	stagingPolicy           = "019f65d3-b0c0-7fc8-95ce-6057ecfa4c2d"
	stagingPolicyV1         = "019f65d3-b0e8-78c4-af50-900aaebf6501"
	stagingSet              = "019f65d5-8580-7905-bf33-99bf35550680"
	stagingSetV1            = "019f65d5-fca4-7b10-8275-f84e0216fb8c"
	stagingOutbox           = "019f65d5-fefc-7b18-a603-5661c0e7d338"
)

func stagingManifest() string { return hexFrom("staging-access-v1", 64) }

func stagingVersion() policyVersion { return policyVersion{stagingSetV1, stagingManifest()} }

const stagingGrants = `# caracal:data-document
package caracal.authz

import rego.v1

app_ids := {
  "support-agent": "` + stagingAppSupport + `",
}

grants := {
  "resource://pipernet": {
    "application": "support-agent",
    "roles": {"reader": ["pipernet:read"]},
  },
}
`

func stagingZone(z caracal.Zone) ZoneData {
	admin := strp("admin:" + adminTokenID)
	stamp := func(s string) string { return "2026-07-15T" + s + "Z" }

	app := decodeFixture[caracal.List[caracal.Application]]("applications.json").Items[1]
	app.ID, app.ZoneID, app.Name, app.CreatedAt = stagingAppSupport, ZoneStaging, "support-agent", stamp("12:41:07.310")

	var resources []caracal.Resource
	for _, r := range decodeFixture[caracal.List[caracal.Resource]]("resources.json").Items {
		switch r.Identifier {
		case "resource://pipernet":
			r.ID, r.UpstreamURL, r.CredentialProviderID = stagingResPipernet, strp("http://pipernet-staging:8088"), stagingProviderPipernet
			r.Name, r.CreatedAt, r.UpdatedAt, r.UpdatedBy = "Pipernet API (staging)", stamp("12:45:10.204"), strp(stamp("12:45:10.204")), nil
			r.Scopes, r.Operations, r.OperationEnforcement = []string{"pipernet:read", "pipernet:write"}, []caracal.Operation{}, "transport_uniform"
		case "resource://nucleus":
			r.ID, r.UpstreamURL, r.CredentialProviderID = stagingResNucleus, strp("http://nucleus-mcp-staging:9000/mcp"), stagingProviderNucleus
			r.Name, r.CreatedAt, r.UpdatedAt = "Nucleus MCP (staging)", stamp("12:46:02.881"), strp(stamp("12:46:02.881"))
		default:
			continue
		}
		r.ZoneID = ZoneStaging
		resources = append(resources, r)
	}

	policy := caracal.Policy{
		ID: stagingPolicy, ZoneID: ZoneStaging, Name: "staging-grants", Description: strp("Grant data for the support agent"),
		CreatedBy: admin, UpdatedBy: admin, CreatedAt: stamp("12:50:00.000"), UpdatedAt: strp(stamp("12:50:00.000")),
		Versions: []*caracal.PolicyVersion{{
			ID: stagingPolicyV1, PolicyID: stagingPolicy, Version: 1, Content: stagingGrants,
			ContentSHA256: hexFrom(stagingGrants, 64), SchemaVersion: "2026-05-20", CreatedBy: admin,
			CreatedAt: "2026-07-15T12:50:00.040000+00:00",
		}},
	}
	set := caracal.PolicySet{
		ID: stagingSet, ZoneID: ZoneStaging, Name: "staging-access", Description: strp("Staging policy"),
		CreatedBy: admin, UpdatedBy: admin, CreatedAt: stamp("12:52:00.000"), UpdatedAt: strp(stamp("12:52:31.090")),
		ActiveVersionID: strp(stagingSetV1),
	}
	version := caracal.PolicySetVersion{
		ID: stagingSetV1, PolicySetID: stagingSet, Version: 1,
		ManifestJSON:   []caracal.ManifestEntry{{PolicyVersionID: stagingPolicyV1}},
		ManifestSHA256: stagingManifest(), SchemaVersion: "2026-05-20", CreatedBy: admin,
		CreatedAt: stamp("12:52:30.500"), Policies: []string{stagingPolicyV1},
	}
	activation := decodeFixture[caracal.ActivationStatus]("activation-status.json")
	activation.ZoneID, activation.PolicySetID, activation.VersionID = ZoneStaging, stagingSet, stagingSetV1
	activation.ActiveVersionID, activation.ManifestSHA256 = strp(stagingSetV1), strp(stagingManifest())
	activation.Outbox.ID, activation.Outbox.DispatchedAt = strp(stagingOutbox), strp(stamp("12:52:31.402"))
	activation.STS.ZoneID, activation.STS.PolicySetVersionID, activation.STS.ManifestSHA256 = ZoneStaging, stagingSetV1, stagingManifest()
	activation.STS.LoadedAt = "2026-08-21T06:00:02Z"
	activation.STS.AgeSeconds = float64p(ReferenceTime().Sub(parseStamp(activation.STS.LoadedAt)).Seconds())

	zd := ZoneData{
		Zone: z, Applications: []caracal.Application{app}, Resources: resources,
		Policies: []caracal.Policy{policy}, PolicySets: []caracal.PolicySet{set},
		PolicySetVersions: []caracal.PolicySetVersion{version}, Activations: []caracal.ActivationStatus{activation},
		Grants: []caracal.Grant{},
	}
	for i, c := range []adminCall{
		{method: "POST", path: "/v1/zones/" + ZoneStaging + "/policies/" + stagingPolicy + "/versions", change: "action", fields: []string{"content"}},
		{method: "POST", path: "/v1/zones/" + ZoneStaging + "/policy-sets/" + stagingSet + "/versions", change: "action", fields: []string{"manifest"}},
		{method: "POST", path: "/v1/zones/" + ZoneStaging + "/policy-sets/" + stagingSet + "/activate", change: "action", fields: []string{"version_id"}},
	} {
		c.at = parseStamp(stamp("12:50:00.050")).Add(time.Duration(i) * 75 * time.Second)
		c.status, c.seq = []int{201, 201, 202}[i], 14+i
		zd.AdminAudit = append(zd.AdminAudit, adminRow(c))
	}
	return zd
}

func float64p(f float64) *float64 { return &f }
