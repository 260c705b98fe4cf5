package caracaltest

import (
	"net/http"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func (c *call) policySets() {
	var items []caracal.PolicySet
	if z := c.zoneData(); z != nil {
		items = z.PolicySets
	}
	writeList(c, c.query(), items, nil, func(p *caracal.PolicySet) (string, string) { return p.CreatedAt, p.ID }, 200, 500)
}

// policySetOr404 finds the path's policy set or answers 404 policy_set_not_found.
func (c *call) policySetOr404() (*ZoneData, *caracal.PolicySet) {
	if z := c.zoneData(); z != nil {
		if ps := z.PolicySet(c.params["id"]); ps != nil {
			return z, ps
		}
	}
	c.json(http.StatusNotFound, errBody("policy_set_not_found"))
	return nil, nil
}

func (c *call) policySet() {
	if _, ps := c.policySetOr404(); ps != nil {
		c.json(http.StatusOK, ps)
	}
}

// versionsOf returns a set's versions; the list route drops manifest_json and policies.
func versionsOf(z *ZoneData, setID string, full bool) []caracal.PolicySetVersion {
	out := []caracal.PolicySetVersion{}
	for _, v := range z.PolicySetVersions {
		if v.PolicySetID != setID {
			continue
		}
		if !full {
			v.ManifestJSON, v.Policies = nil, nil
		}
		out = append(out, v)
	}
	return out
}

func (c *call) policySetVersions() {
	z, ps := c.policySetOr404()
	if ps == nil {
		return
	}
	writeList(c, c.query(), versionsOf(z, ps.ID, false), nil,
		func(v *caracal.PolicySetVersion) (string, string) { return v.CreatedAt, v.ID }, 200, 500)
}

func (c *call) policySetVersion() {
	if z := c.zoneData(); z != nil {
		for _, v := range versionsOf(z, c.params["id"], true) {
			if v.ID == c.params["version"] {
				c.json(http.StatusOK, v)
				return
			}
		}
	}
	c.json(http.StatusNotFound, errBody("policy_set_version_not_found"))
}

// activationStatus answers GET .../policy-sets/{id}/activation-status
// (API.md §6.6): the stored status of the version, or one derived from the
// set's binding when none is stored.
func (c *call) activationStatus() {
	q := c.query()
	var issues []map[string]any
	for _, name := range []string{"version_id", "outbox_id"} {
		if v, ok := q.get(name); ok && !validID(v) {
			issues = append(issues, map[string]any{"path": []string{name}, "message": "Invalid string: must match pattern /^[A-Za-z0-9_.\\-:]{1,128}$/"})
		}
	}
	if q.bad || len(issues) > 0 { // this route parse()s its query: Zod's thrown error becomes invalid_body
		if issues == nil {
			issues = []map[string]any{{"path": []string{}, "message": "Invalid input"}}
		}
		c.json(http.StatusBadRequest, map[string]any{
			"error": "invalid_body", "error_description": "Request body failed validation", "requestId": c.reqID,
			"details": map[string]any{"issues": issues},
		})
		return
	}
	z := c.zoneData()
	var ps *caracal.PolicySet
	if z != nil {
		ps = z.PolicySet(c.params["id"])
	}
	if ps == nil {
		c.json(http.StatusNotFound, errBody("policy_set_binding_not_found"))
		return
	}
	versionID, _ := q.get("version_id")
	if versionID == "" {
		if ps.ActiveVersionID == nil {
			c.json(http.StatusNotFound, errBody("active_policy_set_version_not_found"))
			return
		}
		versionID = *ps.ActiveVersionID
	}
	if a := z.Activation(ps.ID, versionID); a != nil {
		c.json(http.StatusOK, a)
		return
	}
	var version *caracal.PolicySetVersion
	for _, v := range versionsOf(z, ps.ID, true) {
		if v.ID == versionID {
			version = &v
		}
	}
	if version == nil {
		c.json(http.StatusNotFound, errBody("policy_set_version_not_found"))
		return
	}
	c.json(http.StatusOK, deriveActivation(z, ps, version))
}

// deriveActivation describes a version nothing was stored for: not the
// active one (waiting_for_activation), with STS's view of the zone.
func deriveActivation(z *ZoneData, ps *caracal.PolicySet, v *caracal.PolicySetVersion) caracal.ActivationStatus {
	a := caracal.ActivationStatus{
		ZoneID: z.Zone.ID, PolicySetID: ps.ID, VersionID: v.ID, ActiveVersionID: ps.ActiveVersionID,
		PropagationStatus: caracal.PropagationWaitingForActivation,
		Outbox:            caracal.OutboxStatus{State: "missing"},
		STS:               caracal.STSPolicyInfo{State: "not_loaded", Loaded: boolp(false), ZoneID: z.Zone.ID},
	}
	if ps.ActiveVersionID != nil {
		for _, av := range versionsOf(z, ps.ID, true) {
			if av.ID == *ps.ActiveVersionID {
				a.ManifestSHA256 = strp(av.ManifestSHA256)
			}
		}
		if stored := z.Activation(ps.ID, *ps.ActiveVersionID); stored != nil {
			a.STS = stored.STS
		}
	}
	if ps.ActiveVersionID != nil && *ps.ActiveVersionID == v.ID {
		a.Active, a.PropagationStatus = true, caracal.PropagationLoaded
		a.STS = caracal.STSPolicyInfo{State: "loaded", Loaded: boolp(true), ZoneID: z.Zone.ID,
			PolicySetVersionID: v.ID, ManifestSHA256: v.ManifestSHA256}
	}
	return a
}

func (c *call) grants() {
	q := c.query()
	app, resource, provider := q.str("application_id", 0, 128), q.str("resource_id", 0, 128), q.str("provider_id", 0, 128)
	user := q.str("user_id", 0, 256)
	if s := q.str("subject_id", 0, 256); s != "" {
		user = s
	}
	status := q.enum("status", "active", "revoked", "expired")
	var scopes []string
	if s, ok := q.get("scopes"); ok && s != "" {
		scopes = strings.Split(s, ",")
	}
	var items []caracal.Grant
	if z := c.zoneData(); z != nil {
		items = z.Grants
	}
	writeList(c, q, items, func(g *caracal.Grant) bool {
		for _, s := range scopes {
			if !contains(g.Scopes, s) {
				return false
			}
		}
		return eq(app, g.ApplicationID) && eq(user, g.UserID) && eq(resource, g.ResourceID) &&
			eq(provider, g.ProviderID) && eq(status, g.Status)
	}, func(g *caracal.Grant) (string, string) { return g.CreatedAt, g.ID }, 200, 500)
}

// grant is the item route, without the list's joined name and provider fields.
func (c *call) grant() {
	if z := c.zoneData(); z != nil {
		for _, g := range z.Grants {
			if g.ID == c.params["id"] {
				g.ApplicationName, g.ResourceName, g.ProviderName, g.ProviderKind = "", "", "", ""
				c.json(http.StatusOK, g)
				return
			}
		}
	}
	c.json(http.StatusNotFound, errBody("grant_not_found"))
}
