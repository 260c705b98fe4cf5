package caracaltest

import (
	"net/http"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// serveAPI answers the Admin API's read routes.
func (c *call) serveAPI() {
	const z = "/v1/zones/{zone}"
	rt := c.match([]route{
		{"/health", func(c *call) { c.probe(c.world.API.Health, func() { c.raw(http.StatusOK, []byte(`{"ok":true}`)) }) }},
		{"/ready", func(c *call) { c.probe(c.world.API.Ready, func() { c.raw(http.StatusOK, []byte(`{"ok":true}`)) }) }},
		{"/v1/zones", v1((*call).zones)},
		{z, v1((*call).zone)},
		{z + "/dcr-status", v1((*call).dcrStatus)},
		{z + "/overview", v1((*call).overview)},
		{z + "/applications", v1((*call).applications)},
		{z + "/applications/{id}", v1((*call).application)},
		{z + "/resources", v1((*call).resources)},
		{z + "/resources/{id}", v1((*call).resource)},
		{z + "/policies", v1((*call).policies)},
		{z + "/policies/{id}", v1((*call).policy)},
		{z + "/policy-sets", v1((*call).policySets)},
		{z + "/policy-sets/{id}", v1((*call).policySet)},
		{z + "/policy-sets/{id}/versions", v1((*call).policySetVersions)},
		{z + "/policy-sets/{id}/versions/{version}", v1((*call).policySetVersion)},
		{z + "/policy-sets/{id}/activation-status", v1((*call).activationStatus)},
		{z + "/grants", v1((*call).grants)},
		{z + "/grants/{id}", v1((*call).grant)},
		{z + "/audit", v1((*call).auditList)},
		{z + "/audit/by-request/{id}", v1((*call).byRequest)},
		{z + "/audit/by-request/{id}/explain", v1((*call).explain)},
		{z + "/admin-audit", v1((*call).adminAudit)},
		{z + "/sessions", v1((*call).sessions)},
		{z + "/authority-records", v1((*call).authorityRecords)},
	})
	if rt == nil {
		c.notFound()
		return
	}
	rt.handle(c)
}

// v1 wraps a /v1 handler with the Admin API's gates, in order: an outage
// answer, the admin bearer, the token's zone scope, then path ids.
func v1(h func(*call)) func(*call) {
	return func(c *call) {
		if f := c.world.AdminAPIFailure; f != nil {
			c.reply(f)
			return
		}
		if tok := c.bearer(); tok == "" || len(tok) > 4096 || tok != c.sim.adminToken {
			c.json(http.StatusUnauthorized, errBody("invalid_admin_token"))
			return
		}
		if scope := c.tokenZone(); scope != "" && c.params["zone"] != scope {
			c.json(http.StatusForbidden, errBody("admin_token_zone_mismatch"))
			return
		}
		for _, v := range c.params {
			if !validID(v) {
				c.json(http.StatusBadRequest, errBody("invalid_params"))
				return
			}
		}
		h(c)
	}
}

// tokenZone is the zone the admin token is scoped to, "" for a global token:
// the world's scope, else the simulator's (WithZoneScopedToken).
func (c *call) tokenZone() string {
	if c.world.AdminTokenZone != "" {
		return c.world.AdminTokenZone
	}
	return c.sim.zoneScope
}

// zoneData is the path's zone, or nil; queries filter by zone, so unknown
// zones simply have no rows.
func (c *call) zoneData() *ZoneData { return c.world.ZoneByID(c.params["zone"]) }

func (c *call) zones() {
	writeList(c, c.query(), zonesOf(c.world), nil,
		func(z *caracal.Zone) (string, string) { return z.CreatedAt, z.ID }, 200, 500)
}

func zonesOf(w *World) []caracal.Zone {
	out := make([]caracal.Zone, 0, len(w.Zones))
	for _, z := range w.Zones {
		out = append(out, z.Zone)
	}
	return out
}

func (c *call) zone() {
	z := c.zoneData()
	if z == nil {
		c.json(http.StatusNotFound, errBody("zone_not_found"))
		return
	}
	c.json(http.StatusOK, z.Zone)
}

func (c *call) dcrStatus() {
	z := c.zoneData()
	if z == nil {
		c.json(http.StatusNotFound, errBody("zone_not_found"))
		return
	}
	live := 0
	now := c.sim.clock()
	for _, a := range z.Applications {
		if a.RegistrationMethod == "dcr" && a.ArchivedAt == nil && (a.ExpiresAt == nil || parseStamp(*a.ExpiresAt).After(now)) {
			live++
		}
	}
	c.json(http.StatusOK, struct {
		ID                  string `json:"id"`
		DCREnabled          bool   `json:"dcr_enabled"`
		LiveDCRApplications int    `json:"live_dcr_applications"`
	}{z.Zone.ID, z.Zone.DCREnabled, live})
}

// overview aggregates a zone (API.md §6.2); an unknown zone gives zero counts.
func (c *call) overview() {
	now := c.sim.clock()
	ov := caracal.ZoneOverview{ZoneID: c.params["zone"], GeneratedAt: ts(now), RecentEvents: []caracal.RecentEvent{}}
	z := c.zoneData()
	if z == nil {
		c.json(http.StatusOK, ov)
		return
	}
	for _, a := range z.Applications {
		if a.ArchivedAt != nil {
			continue
		}
		ov.Applications.Total++
		if a.ExpiresAt != nil {
			exp := parseStamp(*a.ExpiresAt)
			switch {
			case exp.Before(now):
				ov.Applications.Expired++
			case exp.Before(now.Add(7 * 24 * time.Hour)):
				ov.Applications.ExpiringSoon++
			}
		}
	}
	providers := map[string]bool{}
	for _, r := range z.Resources {
		if r.ArchivedAt != nil {
			continue
		}
		ov.Resources.Total++
		if r.OperationEnforcement != "enforced" {
			ov.Resources.Unenforced++
		}
		providers[r.CredentialProviderID] = true
	}
	ov.Providers.Total = len(providers)
	for _, ps := range z.PolicySets {
		ov.PolicySets.Total++
		if ps.ActiveVersionID != nil {
			ov.PolicySets.Enforcing++
			ov.PolicySets.ActiveName = strp(ps.Name)
		}
	}
	for _, r := range z.AuthorityRecords {
		if r.Status == "active" && (r.ExpiresAt == nil || parseStamp(*r.ExpiresAt).After(now)) {
			ov.Sessions.Active++
		}
	}
	dayAgo := now.Add(-24 * time.Hour)
	for _, r := range z.Audit {
		if r.Decision == nil || parseStamp(r.OccurredAt).Before(dayAgo) {
			continue
		}
		switch *r.Decision {
		case "allow":
			ov.Decisions24h.Allowed++
		case "deny":
			ov.Decisions24h.Denied++
		}
	}
	if z.Synthetic != nil {
		ov.Decisions24h.Denied += z.Synthetic.deniedSince(dayAgo)
	}
	recent, _, _ := paginate(z.Audit, auditKey, 10, "")
	for _, r := range recent {
		ov.RecentEvents = append(ov.RecentEvents, caracal.RecentEvent{
			ID: r.ID, EventType: r.EventType, RequestID: r.RequestID, Decision: r.Decision,
			MetadataJSON: redactMetadata(r.MetadataJSON), OccurredAt: r.OccurredAt,
		})
	}
	c.json(http.StatusOK, ov)
}

func (c *call) applications() {
	q := c.query()
	status := q.enum("status", "active", "archived")
	var items []caracal.Application
	if z := c.zoneData(); z != nil {
		items = z.Applications
	}
	if c.tokenZone() != "" { // traits are returned to global-scope tokens only
		items = append([]caracal.Application(nil), items...)
		for i := range items {
			items[i].Traits = nil
		}
	}
	writeList(c, q, items, func(a *caracal.Application) bool { return statusMatches(status, a.ArchivedAt) },
		func(a *caracal.Application) (string, string) { return a.CreatedAt, a.ID }, 200, 500)
}

// statusMatches applies ?status=active|archived to an archived_at column.
func statusMatches(status string, archivedAt *string) bool {
	switch status {
	case "active":
		return archivedAt == nil
	case "archived":
		return archivedAt != nil
	}
	return true
}

func (c *call) application() {
	if z := c.zoneData(); z != nil {
		for _, a := range z.Applications {
			if a.ID == c.params["id"] {
				if c.tokenZone() != "" {
					a.Traits = nil
				}
				c.json(http.StatusOK, a)
				return
			}
		}
	}
	c.json(http.StatusNotFound, errBody("application_not_found"))
}

func (c *call) resources() {
	q := c.query()
	status := q.enum("status", "active", "archived")
	var items []caracal.Resource
	if z := c.zoneData(); z != nil {
		items = z.Resources
	}
	writeList(c, q, items, func(r *caracal.Resource) bool { return statusMatches(status, r.ArchivedAt) },
		func(r *caracal.Resource) (string, string) { return r.CreatedAt, r.ID }, 200, 500)
}

func (c *call) resource() {
	if z := c.zoneData(); z != nil {
		for _, r := range z.Resources {
			if r.ID == c.params["id"] && r.ArchivedAt == nil {
				c.json(http.StatusOK, r)
				return
			}
		}
	}
	c.json(http.StatusNotFound, errBody("resource_not_found"))
}

func (c *call) policies() {
	var items []caracal.Policy
	if z := c.zoneData(); z != nil {
		for _, p := range z.Policies {
			p.Versions = nil
			items = append(items, p)
		}
	}
	writeList(c, c.query(), items, nil, func(p *caracal.Policy) (string, string) { return p.CreatedAt, p.ID }, 200, 500)
}

func (c *call) policy() {
	if z := c.zoneData(); z != nil {
		if p := z.Policy(c.params["id"]); p != nil {
			out := *p
			if len(out.Versions) == 0 {
				out.Versions = []*caracal.PolicyVersion{nil} // json_agg over an empty LEFT JOIN
			}
			c.json(http.StatusOK, out)
			return
		}
	}
	c.json(http.StatusNotFound, errBody("policy_not_found"))
}

func (c *call) sessions() {
	q := c.query()
	status := q.enum("status", "active", "suspended", "terminated", "expired")
	lifecycle := q.enum("lifecycle", "task", "service")
	app, parent := q.str("application_id", 0, 128), q.str("parent_session_id", 0, 128)
	subject, label := q.str("subject_id", 0, 256), q.str("label", 0, 64)
	var items []caracal.Session
	if z := c.zoneData(); z != nil {
		items = z.Sessions
	}
	writeList(c, q, items, func(s *caracal.Session) bool {
		return eq(status, s.Status) && eq(lifecycle, s.Lifecycle) && eq(app, s.ApplicationID) &&
			eqp(parent, s.ParentSessionID) && eqp(subject, s.SubjectID) && (label == "" || contains(s.Labels, label))
	}, func(s *caracal.Session) (string, string) { return s.StartedAt, s.SessionID }, 100, 1000)
}

func (c *call) authorityRecords() {
	q := c.query()
	id, subject := q.str("authority_record_id", 0, 128), q.str("subject_id", 0, 256)
	status := q.enum("status", "active", "revoked", "expired")
	kind := q.enum("kind", "user", "application")
	var items []caracal.AuthorityRecord
	if z := c.zoneData(); z != nil {
		items = z.AuthorityRecords
	}
	writeList(c, q, items, func(r *caracal.AuthorityRecord) bool {
		return eq(id, r.AuthorityRecordID) && eq(status, r.Status) && eq(subject, r.SubjectID) && eq(kind, r.AuthorityRecordType)
	}, func(r *caracal.AuthorityRecord) (string, string) { return r.CreatedAt, r.AuthorityRecordID }, 100, 1000)
}
