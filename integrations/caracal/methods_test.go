package caracal_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

const zoneID = "019f1ce8-1680-793b-b480-86d4734b60a7"

// methodCase is one client method against the fixture it should decode.
type methodCase struct {
	name    string
	call    func(ctx context.Context, c *caracal.Client) (any, error)
	path    string     // raw path the server must see
	query   url.Values // exact query the server must see
	auth    string     // exact Authorization header ("" = none)
	fixture string
	check   func(t *testing.T, v any)
}

func methodCases() []methodCase {
	z := "/api/v1/zones/" + zoneID
	admin := "Bearer " + adminTok
	limit500 := url.Values{"limit": {"500"}}
	since := time.Date(2026, 8, 22, 11, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	until := time.Date(2026, 8, 22, 10, 30, 15, 250_000_000, time.UTC)
	return []methodCase{
		{name: "Zones", path: "/api/v1/zones", query: limit500, auth: admin, fixture: "zones.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) { return c.Zones(ctx) },
			check: func(t *testing.T, v any) {
				zs := v.([]caracal.Zone)
				require.Len(t, zs, 2)
				assert.Equal(t, "staging", zs[0].Slug)
			}},
		{name: "Zone", path: z, auth: admin, fixture: "zone.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.Zone(ctx, zoneID) },
			check: func(t *testing.T, v any) { assert.Equal(t, "Research", v.(*caracal.Zone).Name) }},
		{name: "ZoneOverview", path: z + "/overview", auth: admin, fixture: "zone-overview.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.ZoneOverview(ctx, zoneID) },
			check: func(t *testing.T, v any) { assert.Equal(t, zoneID, v.(*caracal.ZoneOverview).ZoneID) }},
		{name: "Applications", path: z + "/applications", auth: admin, fixture: "applications.json",
			query: url.Values{"limit": {"500"}, "status": {"active"}},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.Applications(ctx, zoneID, "active")
			},
			check: func(t *testing.T, v any) { assert.Len(t, v.([]caracal.Application), 2) }},
		{name: "ApplicationsAnyStatus", path: z + "/applications", auth: admin, fixture: "applications.json", query: limit500,
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.Applications(ctx, zoneID, "") },
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.([]caracal.Application)) }},
		{name: "Resources", path: z + "/resources", auth: admin, fixture: "resources.json",
			query: url.Values{"limit": {"500"}, "status": {"active"}},
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.Resources(ctx, zoneID) },
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.([]caracal.Resource)[0].Scopes) }},
		{name: "Resource", path: z + "/resources/res-1", auth: admin, fixture: "resource.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.Resource(ctx, zoneID, "res-1") },
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.(*caracal.Resource).Identifier) }},
		{name: "Policies", path: z + "/policies", query: limit500, auth: admin, fixture: "policies.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.Policies(ctx, zoneID) },
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.([]caracal.Policy)) }},
		{name: "Policy", path: z + "/policies/pol-1", auth: admin, fixture: "policy.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) { return c.Policy(ctx, zoneID, "pol-1") },
			check: func(t *testing.T, v any) {
				p := v.(*caracal.Policy)
				require.Len(t, p.Versions, 2)
				assert.Equal(t, 2, p.Versions[0].Version)
			}},
		{name: "PolicySets", path: z + "/policy-sets", query: limit500, auth: admin, fixture: "policy-sets.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.PolicySets(ctx, zoneID) },
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.([]caracal.PolicySet)) }},
		{name: "PolicySet", path: z + "/policy-sets/set-1", auth: admin, fixture: "policy-set.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.PolicySet(ctx, zoneID, "set-1") },
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.(*caracal.PolicySet).ID) }},
		{name: "PolicySetVersions", path: z + "/policy-sets/set-1/versions", query: limit500, auth: admin, fixture: "policy-set-versions.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.PolicySetVersions(ctx, zoneID, "set-1")
			},
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.([]caracal.PolicySetVersion)) }},
		{name: "PolicySetVersion", path: z + "/policy-sets/set-1/versions/ver-3", auth: admin, fixture: "policy-set-version.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.PolicySetVersion(ctx, zoneID, "set-1", "ver-3")
			},
			check: func(t *testing.T, v any) { assert.Len(t, v.(*caracal.PolicySetVersion).Policies, 1) }},
		{name: "ActivationStatus", path: z + "/policy-sets/set-1/activation-status", auth: admin,
			query: url.Values{"version_id": {"ver-3"}}, fixture: "activation-status.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.ActivationStatus(ctx, zoneID, "set-1", "ver-3")
			},
			check: func(t *testing.T, v any) {
				assert.Equal(t, caracal.PropagationLoaded, v.(*caracal.ActivationStatus).PropagationStatus)
			}},
		{name: "ActivationStatusActive", path: z + "/policy-sets/set-1/activation-status", auth: admin,
			fixture: "activation-status-waiting-for-sts.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.ActivationStatus(ctx, zoneID, "set-1", "")
			},
			check: func(t *testing.T, v any) {
				assert.Equal(t, caracal.PropagationWaitingForSTS, v.(*caracal.ActivationStatus).PropagationStatus)
			}},
		{name: "Grants", path: z + "/grants", auth: admin, fixture: "grants.json",
			query: url.Values{"application_id": {"app-1"}, "user_id": {"user-1"}, "resource_id": {"res-1"},
				"provider_id": {"prov-1"}, "status": {"active"}, "scopes": {"a:read,b:write"}, "cursor": {"cur"}, "limit": {"50"}},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.Grants(ctx, zoneID, caracal.GrantQuery{ApplicationID: "app-1", SubjectID: "user-1",
					ResourceID: "res-1", ProviderID: "prov-1", Status: "active", Scopes: []string{"a:read", " ", "b:write"},
					Cursor: "cur", Limit: 50})
			},
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.(*caracal.List[caracal.Grant]).Items) }},
		{name: "Audit", path: z + "/audit", auth: admin, fixture: "audit-list.json",
			query: url.Values{"since": {"2026-08-22T09:00:00.000Z"}, "until": {"2026-08-22T10:30:15.250Z"},
				"request_id": {"req 1"}, "decision": {"deny"}, "event_type": {"token_exchange,exchange_denied"},
				"application_id": {"app-1"}, "session_id": {"sess-1"}, "authority_record_id": {"ar-1"},
				"label": {"reader"}, "cursor": {"c1"}, "limit": {"1000"}},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.Audit(ctx, zoneID, caracal.AuditQuery{Since: since, Until: until, RequestID: "req 1",
					Decision: "deny", EventTypes: []string{"token_exchange", "exchange_denied"}, ApplicationID: "app-1",
					SessionID: "sess-1", AuthorityRecordID: "ar-1", Label: "reader", Cursor: "c1", Limit: 1000})
			},
			check: func(t *testing.T, v any) {
				l := v.(*caracal.List[caracal.AuditRow])
				assert.Len(t, l.Items, 3)
				require.NotNil(t, l.NextCursor)
			}},
		{name: "AuditNoFilters", path: z + "/audit", auth: admin, fixture: "audit-list-by-request.json", query: url.Values{},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.Audit(ctx, zoneID, caracal.AuditQuery{})
			},
			check: func(t *testing.T, v any) { assert.Nil(t, v.(*caracal.List[caracal.AuditRow]).NextCursor) }},
		{name: "AuditByRequest", path: z + "/audit/by-request/req-1", auth: admin, fixture: "audit-by-request.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.AuditByRequest(ctx, zoneID, "req-1")
			},
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.([]caracal.AuditRow)) }},
		{name: "Explain", path: z + "/audit/by-request/req-1/explain", auth: admin, fixture: "explain-deny-role-scope-mismatch.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) { return c.Explain(ctx, zoneID, "req-1") },
			check: func(t *testing.T, v any) {
				e := v.(*caracal.Explain)
				assert.Equal(t, "deny", e.FinalDecision)
				require.NotEmpty(t, e.Denied)
				assert.Equal(t, "role_scope_mismatch", e.Denied[0].Diagnostics[0]["reason"])
			}},
		{name: "AdminAudit", path: z + "/admin-audit", auth: admin, fixture: "admin-audit.json",
			query: url.Values{"since": {"2026-08-22T09:00:00.000Z"}, "actor_id": {"tok-1"}, "entity_type": {"grants"},
				"entity_id": {"g-1"}, "method": {"DELETE"}, "limit": {"10"}},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.AdminAudit(ctx, zoneID, caracal.AdminAuditQuery{Since: since, ActorID: "tok-1",
					EntityType: "grants", EntityID: "g-1", Method: "DELETE", Limit: 10})
			},
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.(*caracal.List[caracal.AdminAuditRow]).Items) }},
		{name: "Sessions", path: z + "/sessions", auth: admin, fixture: "sessions.json",
			query: url.Values{"status": {"active"}, "lifecycle": {"task"}, "application_id": {"app-1"},
				"parent_session_id": {"p-1"}, "subject_id": {"s-1"}, "label": {"reader"}, "cursor": {"c"}, "limit": {"5"}},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.Sessions(ctx, zoneID, caracal.SessionQuery{Status: "active", Lifecycle: "task",
					ApplicationID: "app-1", ParentSessionID: "p-1", SubjectID: "s-1", Label: "reader", Cursor: "c", Limit: 5})
			},
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.(*caracal.List[caracal.Session]).Items) }},
		{name: "AuthorityRecords", path: z + "/authority-records", auth: admin, fixture: "authority-records.json",
			query: url.Values{"authority_record_id": {"ar-1"}, "status": {"revoked"}, "subject_id": {"s-1"}, "kind": {"user"}},
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.AuthorityRecords(ctx, zoneID, caracal.AuthorityRecordQuery{AuthorityRecordID: "ar-1",
					Status: "revoked", SubjectID: "s-1", Kind: "user"})
			},
			check: func(t *testing.T, v any) { assert.NotEmpty(t, v.(*caracal.List[caracal.AuthorityRecord]).Items) }},
		{name: "STSMetrics", path: stsPrefix + "/metrics.json", auth: "Bearer " + metricsTok, fixture: "metrics-sts-opa-compile-errors.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.STSMetrics(ctx) },
			check: func(t *testing.T, v any) { assert.EqualValues(t, 2, v.(*caracal.STSMetrics).OPA.CompileErrors) }},
		{name: "GatewayMetrics", path: gwPrefix + "/metrics.json", auth: "Bearer " + metricsTok, fixture: "metrics-gateway.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.GatewayMetrics(ctx) },
			check: func(t *testing.T, v any) { assert.NotZero(t, v.(*caracal.GatewayMetrics).RequestsTotal) }},
		{name: "AuditMetrics", path: auditPrefix + "/metrics.json", auth: "Bearer " + metricsTok, fixture: "metrics-audit-lag.json",
			call:  func(ctx context.Context, c *caracal.Client) (any, error) { return c.AuditMetrics(ctx) },
			check: func(t *testing.T, v any) { assert.Greater(t, v.(*caracal.AuditMetrics).ConsumerLag, int64(1000)) }},
		{name: "CoordinatorStats", path: coordPrefix + "/stats", auth: "Bearer " + coordTok, fixture: "stats-coordinator.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) { return c.CoordinatorStats(ctx) },
			check: func(t *testing.T, v any) {
				assert.InDelta(t, 812, v.(*caracal.CoordinatorStats).Invocations["succeeded"], 0)
			}},
		{name: "ApprovalStatus", path: stsPrefix + "/approvals/023212d1-fd4f-4a3a-903c-45c52a40871f", fixture: "sts-approval-status.json",
			call: func(ctx context.Context, c *caracal.Client) (any, error) {
				return c.ApprovalStatus(ctx, "023212d1-fd4f-4a3a-903c-45c52a40871f")
			},
			check: func(t *testing.T, v any) { assert.Equal(t, "pending", v.(*caracal.ApprovalStatus).State) }},
	}
}

func TestMethodsAgainstFixtures(t *testing.T) {
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			f := routes(t, map[string]reply{tc.path: {body: fixture(t, tc.fixture)}})
			c := newClient(f)
			v, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			tc.check(t, v)

			hits := f.Hits()
			require.Len(t, hits, 1)
			h := hits[0]
			assert.Equal(t, "GET", h.Method)
			assert.Equal(t, tc.path, h.Path)
			want := tc.query
			if want == nil {
				want = url.Values{}
			}
			assert.Equal(t, want, h.Query)
			assert.Equal(t, tc.auth, h.Header.Get("Authorization"))
			assert.Equal(t, "caracal-bot", h.Header.Get("User-Agent"))
			assert.Equal(t, "application/json", h.Header.Get("Accept"))
		})
	}
}

func TestPolicyWithoutVersions(t *testing.T) {
	body := []byte(`{"id":"p","zone_id":"z","name":"n","description":null,"created_by":null,
		"created_via_operator":false,"updated_by":null,"updated_via_operator":false,
		"created_at":"2026-08-22T09:00:00.000Z","updated_at":null,"versions":[null]}`)
	f := always(t, reply{body: body})
	p, err := newClient(f).Policy(t.Context(), "z", "p")
	require.NoError(t, err)
	assert.NotNil(t, p.Versions)
	assert.Empty(t, p.Versions)
}

func TestMetricsBearerOnlyWhenConfigured(t *testing.T) {
	f := always(t, reply{body: fixture(t, "metrics-sts.json")})
	_, err := newClient(f, func(c *caracal.Config) { c.MetricsBearer = "" }).STSMetrics(t.Context())
	require.NoError(t, err)
	_, err = newClient(f).STSMetrics(t.Context())
	require.NoError(t, err)

	hits := f.Hits()
	require.Len(t, hits, 2)
	_, sent := hits[0].Header["Authorization"]
	assert.False(t, sent, "no bearer configured: no Authorization header")
	assert.Equal(t, "Bearer "+metricsTok, hits[1].Header.Get("Authorization"))
}

func TestMissingCredentialsSendNothing(t *testing.T) {
	f := always(t, reply{body: []byte(`{}`)})
	c := newClient(f, func(c *caracal.Config) { c.CoordinatorToken = ""; c.AdminToken = "" })

	_, err := c.CoordinatorStats(t.Context())
	require.ErrorIs(t, err, caracal.ErrNotConfigured)
	_, err = c.Zones(t.Context())
	require.ErrorIs(t, err, caracal.ErrNotConfigured)
	_, err = c.Explain(t.Context(), zoneID, "r")
	require.ErrorIs(t, err, caracal.ErrNotConfigured)
	assert.Empty(t, f.Hits())
}

func TestMissingOrInvalidURL(t *testing.T) {
	f := always(t, reply{body: []byte(`{}`)})
	for _, raw := range []string{"", "   ", "127.0.0.1:3000", "ftp://x/", "http://", "http://[::1"} {
		c := newClient(f, func(c *caracal.Config) { c.APIURL = raw; c.STSURL = raw })
		_, err := c.Zone(t.Context(), zoneID)
		require.ErrorIs(t, err, caracal.ErrNotConfigured, raw)
		_, err = c.STSMetrics(t.Context())
		require.ErrorIs(t, err, caracal.ErrNotConfigured, raw)
		p := c.Ready(t.Context(), caracal.ServiceAPI)
		assert.False(t, p.Reachable)
		assert.NotEmpty(t, p.Error)
	}
	p := newClient(f).Ready(t.Context(), caracal.Service("nope"))
	assert.False(t, p.Reachable)
	assert.NotEmpty(t, p.Error)
	assert.Empty(t, f.Hits())
}

func TestEmptyIDsAreRefused(t *testing.T) {
	f := always(t, reply{body: []byte(`{}`)})
	c := newClient(f)
	_, err := c.Zone(t.Context(), "")
	require.ErrorIs(t, err, caracal.ErrInvalidArgument)
	_, err = c.Explain(t.Context(), zoneID, "")
	require.ErrorIs(t, err, caracal.ErrInvalidArgument)
	_, err = c.ApprovalStatus(t.Context(), "")
	require.ErrorIs(t, err, caracal.ErrInvalidArgument)
	_, err = c.PolicySetVersion(t.Context(), zoneID, "s", "")
	require.ErrorIs(t, err, caracal.ErrInvalidArgument)
	assert.Empty(t, f.Hits())
}

func TestBaseURLJoining(t *testing.T) {
	f := routes(t, map[string]reply{"/deep/prefix/v1/zones/z": {body: fixture(t, "zone.json")}})
	for _, base := range []string{"/deep/prefix", "/deep/prefix/", "/deep/prefix//"} {
		c := newClient(f, func(c *caracal.Config) { c.APIURL = f.URL + base })
		_, err := c.Zone(t.Context(), "z")
		require.NoError(t, err, base)
	}
	for _, h := range f.Hits() {
		assert.Equal(t, "/deep/prefix/v1/zones/z", h.Path)
	}
}
