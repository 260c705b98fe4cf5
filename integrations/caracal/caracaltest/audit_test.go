package caracaltest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func auditPath(query string) string { return zonePath(ZoneResearch, "/audit?"+query) }

// The audit list fixtures are exact pages of the simulated Research zone.
func TestAuditListFixtures(t *testing.T) {
	srv := startRef(t)
	cases := []struct{ fixture, path string }{
		{"audit-list.json", auditPath("application_id=" + appResearchAgent + "&until=2026-08-22T09:25:00.000Z&limit=3")},
		{"audit-list-by-request.json", auditPath("request_id=0d28d1d8-62d9-4254-a601-b5c10f56220a")},
		// The fixture index says ?session_id=, but Gateway rows carry no agent_session_id:
		// the page is research-agent's calls after the grant revoke.
		{"audit-list-after-revocation.json", auditPath("application_id=" + appResearchAgent + "&since=2026-08-22T14:01:17.902Z&until=2026-08-22T14:08:00Z")},
		{"audit-list-fields.json", auditPath("request_id=0d28d1d8-62d9-4254-a601-b5c10f56220a&fields=" +
			"occurred_at,event_type,decision,evaluation_status,request_id,determining_policies,resource,requested_scopes,upstream_status")},
		{"audit-by-request.json", zonePath(ZoneResearch, "/audit/by-request/0d28d1d8-62d9-4254-a601-b5c10f56220a")},
		{"admin-audit.json", zonePath(ZoneResearch, "/admin-audit?until=2026-08-22T00:00:00.000Z&since=2026-08-21T00:00:00Z&limit=3")},
		{"admin-audit-grant-revoked.json", zonePath(ZoneResearch, "/admin-audit?since=2026-08-22T13:00:00.000Z")},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			r := api(t, srv, tc.path)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			jsonEqFixture(t, tc.fixture, r.body)
		})
	}
}

func TestAuditListShape(t *testing.T) {
	srv := startRef(t)
	r := api(t, srv, auditPath(""))
	require.Equal(t, http.StatusOK, r.status)
	page := strict[caracal.List[caracal.AuditRow]](t, r.body)
	require.Len(t, page.Items, 100, "default limit")
	require.NotNil(t, page.NextCursor)
	for i := 1; i < len(page.Items); i++ {
		a, b := parseStamp(page.Items[i-1].OccurredAt), parseStamp(page.Items[i].OccurredAt)
		require.False(t, a.Before(b), "newest first")
		if a.Equal(b) {
			require.Greater(t, page.Items[i-1].ID, page.Items[i].ID, "id DESC on ties")
		}
	}
	for _, it := range page.Items {
		if v, ok := it.MetadataJSON["session_id"]; ok {
			require.Equal(t, "[redacted]", v)
		}
	}
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
}

func TestAuditFilters(t *testing.T) {
	srv := startRef(t)
	list := func(q string) []caracal.AuditRow {
		t.Helper()
		r := api(t, srv, auditPath(q+"&limit=1000"))
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		return strict[caracal.List[caracal.AuditRow]](t, r.body).Items
	}
	for _, r := range list("decision=deny") {
		assert.Equal(t, "deny", *r.Decision)
	}
	assert.Empty(t, list("decision=partial"))
	types := map[string]bool{}
	for _, r := range list("event_type=replay_detected,step_up_issued") {
		types[r.EventType] = true
	}
	assert.Equal(t, map[string]bool{"replay_detected": true, "step_up_issued": true}, types)

	// application_id matches metadata.application_id; replay rows carry client_id.
	for _, r := range list("application_id=" + appResearchAgent) {
		assert.Equal(t, appResearchAgent, r.MetadataJSON["application_id"])
		assert.NotEqual(t, "replay_detected", r.EventType)
	}
	for _, r := range list("session_id=" + sessionReader) {
		assert.Equal(t, sessionReader, r.MetadataJSON["agent_session_id"])
	}
	for _, r := range list("label=refunder") {
		assert.Contains(t, r.MetadataJSON["agent_labels"], "refunder")
	}
	// authority_record_id matches the unredacted metadata.session_id.
	byRecord := list("authority_record_id=" + mandateSID)
	require.NotEmpty(t, byRecord)
	for _, r := range byRecord {
		assert.Equal(t, "[redacted]", r.MetadataJSON["session_id"])
	}
	since, until := "2026-08-22T10:00:00Z", "2026-08-22T11:00:00.000Z"
	window := list("since=" + since + "&until=" + until)
	require.NotEmpty(t, window)
	for _, r := range window {
		ts := parseStamp(r.OccurredAt)
		assert.False(t, ts.Before(parseStamp(since)))
		assert.True(t, ts.Before(parseStamp(until)))
	}
	assert.Len(t, list("request_id=01a028ea-d354-7443-96e4-46e5643d943c"), 2)
	assert.Empty(t, list("request_id="+url.QueryEscape("no such id/with slash")), "request_id accepts any characters")
}

func TestAuditInvalidQuery(t *testing.T) {
	srv := startRef(t)
	for _, q := range []string{
		"limit=0", "limit=1001", "limit=ten", "decision=pending", "since=2026-08-22T10:00:00%2B00:00",
		"since=yesterday", "request_id=", "event_type=a,,b", "event_type=" + strings.Repeat("a,", 16) + "a",
		"label=" + strings.Repeat("x", 65), "decision=allow&decision=deny", "format=xml",
	} {
		r := api(t, srv, auditPath(q))
		assert.Equal(t, http.StatusBadRequest, r.status, q)
		assert.Equal(t, "invalid_query", errorCode(t, r.body), q)
	}
	r := api(t, srv, auditPath("fields=id,nope"))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"error":"invalid_fields"}`, string(r.body))
	for _, c := range []string{"!!!", "bm90IGpzb24", base64.RawURLEncoding.EncodeToString([]byte(`{"ts":"x","id":"y"}`))} {
		r := api(t, srv, auditPath("cursor="+c))
		assert.Equal(t, http.StatusBadRequest, r.status, c)
		assert.JSONEq(t, `{"error":"invalid_cursor"}`, string(r.body), c)
	}
}

// Paging walks every row once; next_cursor is non-null exactly when the page
// is full, so an exact multiple ends with one empty page.
func TestAuditCursorPaging(t *testing.T) {
	srv := startRef(t)
	const q = "decision=deny"
	all := strict[caracal.List[caracal.AuditRow]](t, api(t, srv, auditPath(q+"&limit=1000")).body).Items
	require.Greater(t, len(all), 10)

	walk := func(limit int) (ids []string, pages []int) {
		cursor := ""
		for i := 0; i < 100; i++ {
			p := auditPath(q + "&limit=" + itoa(limit))
			if cursor != "" {
				p += "&cursor=" + url.QueryEscape(cursor)
			}
			r := api(t, srv, p)
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			page := strict[caracal.List[caracal.AuditRow]](t, r.body)
			pages = append(pages, len(page.Items))
			for _, it := range page.Items {
				ids = append(ids, it.ID)
			}
			require.Equal(t, len(page.Items) == limit, page.NextCursor != nil, "next_cursor iff the page is full")
			if page.NextCursor == nil {
				return ids, pages
			}
			cursor = *page.NextCursor
		}
		t.Fatal("paging did not end")
		return nil, nil
	}
	var want []string
	for _, r := range all {
		want = append(want, r.ID)
	}
	ids, pages := walk(7)
	assert.Equal(t, want, ids)
	assert.Less(t, pages[len(pages)-1], 7)

	// A limit dividing the total exactly: the last full page is followed by an empty one.
	ids, pages = walk(len(all))
	assert.Equal(t, want, ids)
	assert.Equal(t, []int{len(all), 0}, pages)
}

func TestAuditCSV(t *testing.T) {
	srv := startRef(t)
	r := api(t, srv, auditPath("request_id=0d28d1d8-62d9-4254-a601-b5c10f56220a&format=csv&fields=id,event_type,upstream_status,determining_policies"))
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="audit-`+ZoneResearch+`.csv"`, r.header.Get("Content-Disposition"))
	assert.Equal(t, "id,event_type,upstream_status,determining_policies\r\n"+
		"01a028bf-a423-7cad-ba65-961d5c165db4,gateway_resource_request,200,[]\r\n"+
		"01a028bf-a3ee-72ba-bc46-fd2263609e84,token_exchange,,\"[\"\"caracal-research-agent-use\"\"]\"\r\n", string(r.body))
}

func TestByRequest(t *testing.T) {
	srv := startRef(t)
	r := api(t, srv, zonePath(ZoneResearch, "/audit/by-request/01a02991-2c7c-7814-bff7-2eb48ca6a1d1"))
	require.Equal(t, http.StatusOK, r.status)
	rows := strict[[]caracal.AuditRow](t, r.body)
	require.Len(t, rows, 2)
	assert.Equal(t, "token_exchange", rows[0].EventType, "oldest first")

	for _, path := range []string{
		"/audit/by-request/not-a-real-id", "/audit/by-request/not-a-real-id/explain",
	} {
		r := api(t, srv, zonePath(ZoneResearch, path))
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.JSONEq(t, `{"error":"request_not_found"}`, string(r.body))
	}
	// Zone-scoped: a trace in Staging is not found in Research.
	sc, _ := ScenarioByName("wrong-zone")
	r = api(t, srv, zonePath(ZoneResearch, "/audit/by-request/"+sc.ID+"/explain"))
	assert.Equal(t, http.StatusNotFound, r.status)
	r = api(t, srv, zonePath(ZoneStaging, "/audit/by-request/"+sc.ID+"/explain"))
	assert.Equal(t, http.StatusOK, r.status)
}

func TestAdminAuditFilters(t *testing.T) {
	srv := startRef(t)
	list := func(q string) []caracal.AdminAuditRow {
		r := api(t, srv, zonePath(ZoneResearch, "/admin-audit?"+q))
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		return strict[caracal.List[caracal.AdminAuditRow]](t, r.body).Items
	}
	del := list("method=DELETE")
	require.Len(t, del, 1)
	assert.Equal(t, "grants", *del[0].EntityType)
	assert.Len(t, list("entity_type=policy-sets"), 2)
	assert.Len(t, list("actor_id="+adminTokenID+"&since=2026-08-22T00:00:00Z"), 3, "approval reject, GET 404, grant revoke")
	r := api(t, srv, zonePath(ZoneResearch, "/admin-audit?method=GET"))
	assert.Equal(t, http.StatusBadRequest, r.status, "GET rows cannot be selected")
}

// With the default clock the world is shifted to now: the reference day's
// events happened in the last day.
func TestWorldFollowsClock(t *testing.T) {
	now := time.Date(2027, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	srv := Start(t, WithClock(FixedClock(now)))
	d := now.Sub(ReferenceTime())
	r := api(t, srv, zonePath(ZoneResearch, "/audit/by-request/0d28d1d8-62d9-4254-a601-b5c10f56220a"))
	rows := strict[[]caracal.AuditRow](t, r.body)
	assert.Equal(t, ts(parseStamp("2026-08-22T09:14:03.118Z").Add(d)), rows[0].OccurredAt)
	ov := strict[caracal.ZoneOverview](t, api(t, srv, zonePath(ZoneResearch, "/overview")).body)
	assert.Equal(t, ts(now), ov.GeneratedAt)
	assert.Greater(t, ov.Decisions24h.Allowed, 200)
	sts := strict[caracal.ApprovalStatus](t, get(t, srv.STSURL, "/approvals/023212d1-fd4f-4a3a-903c-45c52a40871f").body)
	assert.Equal(t, parseStamp("2026-08-22T13:32:55Z").Add(d).Truncate(time.Second).Format(layoutSeconds), sts.ExpiresAt)
	pol := strict[caracal.Policy](t, api(t, srv, zonePath(ZoneResearch, "/policies/"+policyGrants)).body)
	assert.True(t, strings.HasSuffix(pol.Versions[0].CreatedAt, "+00:00"), pol.Versions[0].CreatedAt)
	assert.Equal(t, "2027-03-03T", pol.Versions[0].CreatedAt[:11])
}
