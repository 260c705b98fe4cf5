package collect_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/collect/collecttest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// Collect over real HTTP against the simulator, with Caracal down, slow or
// answering errors and garbage: the diagnosis always comes back, naming what
// is missing, and the bot never writes.

const docsBase = "https://docs.caracal.run"

// explainRoute matches the trace lookup in every zone.
const explainRoute = "api GET /v1/zones/*/audit/by-request/*/explain"

// The simulator, a client of it and a collector on the reference clock.
var sim, newClient = collecttest.Start, collecttest.Client

func collector(src collect.Source) *collect.Collector {
	return &collect.Collector{Readers: collect.ReadersOf(src), Settings: collecttest.Settings()}
}

func scenario(t *testing.T, name string) caracaltest.Scenario {
	t.Helper()
	sc, ok := caracaltest.ScenarioByName(name)
	require.True(t, ok, "scenario %s", name)
	return sc
}

// query is what a user asks about a scenario.
func query(sc caracaltest.Scenario) diagnose.Query {
	return diagnose.Query{RequestID: sc.ID, ZoneID: sc.AskZone, Hints: diagnose.Hints{
		Status: sc.Hints.Status, ErrorCode: sc.Hints.ErrorCode, Description: sc.Hints.Description, Symptom: sc.Hints.Symptom,
	}}
}

func gather(t *testing.T, c *collect.Collector, q diagnose.Query) (*diagnose.Evidence, diagnose.Diagnosis) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ev := c.Collect(ctx, q)
	require.NotNil(t, ev)
	d := diagnose.Diagnose(ev, docsBase)
	require.Len(t, d.Steps, 8)
	require.NotEmpty(t, d.Verdict)
	require.NotEmpty(t, d.NextActions)
	return ev, d
}

// missingEntry returns the missing_evidence entry named what.
func missingEntry(d diagnose.Diagnosis, what string) (diagnose.Missing, bool) {
	for _, m := range d.MissingEvidence {
		if m.What == what {
			return m, true
		}
	}
	return diagnose.Missing{}, false
}

func requireMissing(t *testing.T, d diagnose.Diagnosis, what string) diagnose.Missing {
	t.Helper()
	m, ok := missingEntry(d, what)
	require.True(t, ok, "missing_evidence names %q: %+v", what, d.MissingEvidence)
	assert.NotEmpty(t, m.Source)
	assert.NotEmpty(t, m.Reason)
	return m
}

func TestCollect_HealthyBaseline(t *testing.T) {
	srv := sim(t)
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.Equal(t, sc.Surface, d.Surface)
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Empty(t, d.MissingEvidence, "nothing is missing in a healthy world")
	assert.True(t, ev.CrossZoneSearch)
	assert.Equal(t, caracaltest.ZoneResearch, ev.TraceZone)
	assert.NotNil(t, ev.STSMetrics)
	assert.NotNil(t, ev.CoordinatorStats)
	assert.Equal(t, diagnose.StepPass, d.Steps[0].Status)
}

func TestCollect_MetricsUnauthorized(t *testing.T) {
	srv := sim(t, caracaltest.WithMetricsBearer("metrics-secret"))
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, collector(newClient(srv)), query(sc))

	assert.Equal(t, sc.Surface, d.Surface, "the diagnosis does not need metrics")
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Nil(t, ev.STSMetrics)
	for _, what := range []string{"STS metrics", "Gateway metrics", "Audit metrics"} {
		m := requireMissing(t, d, what)
		assert.Contains(t, m.Reason, "HTTP 401", what)
		assert.Contains(t, m.Reason, "metrics bearer", what)
	}
	assert.Equal(t, "sts GET /metrics.json", requireMissing(t, d, "STS metrics").Source)
	_, ok := missingEntry(d, "Coordinator stats")
	assert.False(t, ok, "the Coordinator uses its own token")

	// With the bearer, nothing is missing.
	ev, d = gather(t, collector(newClient(srv, func(c *caracal.Config) { c.MetricsBearer = "metrics-secret" })), query(sc))
	assert.Empty(t, d.MissingEvidence)
	assert.NotNil(t, ev.STSMetrics)
}

func TestCollect_ExplainServerError(t *testing.T) {
	srv := sim(t)
	srv.Inject(explainRoute, caracaltest.Fault{Status: 500})
	sc := scenario(t, "unknown")
	ev, d := gather(t, collector(newClient(srv)), query(sc))

	assert.Nil(t, ev.Trace)
	require.NotNil(t, ev.AdminAPIError)
	assert.Equal(t, 500, ev.AdminAPIError.Status)
	m := requireMissing(t, d, "request trace")
	assert.Contains(t, m.Reason, "HTTP 500")
	assert.Equal(t, []string{caracaltest.ZoneResearch}, ev.SearchedZones, "an erroring Admin API is not asked about other zones")
	// ROUTER.md row 3: "the Admin API answers /v1 reads with 5xx" is a service not ready.
	assert.Equal(t, diagnose.SurfaceInfrastructure, d.Surface, "verdict: %s", d.Verdict)
	assert.Equal(t, diagnose.CauseServiceNotReady, d.Cause)
	assert.Contains(t, d.Verdict, "500")
	assert.Equal(t, "unknown", d.Decision)
}

func TestCollect_ExplainServerErrorOnADeny(t *testing.T) {
	srv := sim(t)
	srv.Inject(explainRoute, caracaltest.Fault{Status: 503})
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.Nil(t, ev.Trace)
	require.NotNil(t, ev.AdminAPIError)
	assert.Equal(t, 503, ev.AdminAPIError.Status)
	assert.Equal(t, diagnose.SurfaceInfrastructure, d.Surface, "verdict: %s", d.Verdict)
	assert.Equal(t, diagnose.CauseServiceNotReady, d.Cause)
	assert.Contains(t, d.Verdict, "403 access_denied", "the caller's error is mentioned as a consequence")
}

func TestCollect_ExplainGarbage(t *testing.T) {
	srv := sim(t)
	srv.Inject(explainRoute, caracaltest.Fault{Garbage: true})
	sc := scenario(t, "unknown")
	ev, d := gather(t, collector(newClient(srv)), query(sc))

	assert.Nil(t, ev.Trace)
	assert.Nil(t, ev.AdminAPIError, "a 200 with a bad body is no API error")
	m := requireMissing(t, d, "request trace")
	assert.Contains(t, m.Reason, "unreadable response")
	assert.Equal(t, diagnose.SurfaceUnknown, d.Surface)
	assert.Equal(t, diagnose.CauseUnknown, d.Cause)
	assert.Equal(t, "unknown", d.Decision)
	assert.Contains(t, d.Verdict, "could not be read")
	assert.Equal(t, diagnose.StepSkip, d.Steps[2].Status)
}

func TestCollect_ExplainGarbageOnADeny(t *testing.T) {
	srv := sim(t)
	srv.Inject(explainRoute, caracaltest.Fault{Garbage: true})
	sc := scenario(t, "deny-no-grant")
	_, d := gather(t, collector(newClient(srv)), query(sc))
	requireMissing(t, d, "request trace")
	// Without the trace the caller's 403 decides (row 18).
	assert.Equal(t, diagnose.SurfaceSTSPolicy, d.Surface)
	assert.Equal(t, diagnose.CauseDeniedBeforePolicy, d.Cause)
}

func TestCollect_RateLimitedOnceThenFound(t *testing.T) {
	srv := sim(t)
	srv.Inject(explainRoute, caracaltest.Fault{Status: 429, RetryAfter: "0", Times: 1})
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, collector(newClient(srv)), query(sc))

	require.True(t, ev.HasTrace(), "the client retried the 429")
	assert.Nil(t, ev.AdminAPIError)
	_, ok := missingEntry(d, "request trace")
	assert.False(t, ok)
	assert.Equal(t, sc.Surface, d.Surface)
	assert.Equal(t, sc.Cause, d.Cause)
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/audit/by-request/"+sc.ID+"/explain") {
			n++
		}
	}
	assert.Equal(t, 2, n, "one 429, one retry")
}

func TestCollect_RateLimitedForever(t *testing.T) {
	srv := sim(t)
	srv.Inject(explainRoute, caracaltest.Fault{Status: 429, RetryAfter: "0"})
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.Nil(t, ev.Trace)
	require.NotNil(t, ev.AdminAPIError)
	assert.Equal(t, 429, ev.AdminAPIError.Status)
	assert.Contains(t, requireMissing(t, d, "request trace").Reason, "HTTP 429")
}

func TestCollect_SlowCallTimesOut(t *testing.T) {
	for _, tc := range []struct {
		name              string
		clientCallTimeout time.Duration
	}{
		{"collector deadline first", 2 * time.Second},
		{"client attempt deadline first", 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sim(t)
			srv.Inject("sts GET /metrics.json", caracaltest.Fault{Latency: 10 * time.Second})
			srv.Inject(explainRoute, caracaltest.Fault{Latency: 10 * time.Second})
			c := collector(newClient(srv, func(c *caracal.Config) { c.CallTimeout = tc.clientCallTimeout }))
			c.Timeout, c.CallTimeout = 1500*time.Millisecond, 300*time.Millisecond

			sc := scenario(t, "deny-no-grant")
			start := time.Now()
			ev, d := gather(t, c, query(sc))
			elapsed := time.Since(start)

			assert.Less(t, elapsed, c.Timeout+500*time.Millisecond, "Collect respects its overall deadline")
			assert.Equal(t, "timeout", requireMissing(t, d, "STS metrics").Reason)
			assert.Equal(t, "timeout", requireMissing(t, d, "request trace").Reason)
			assert.Nil(t, ev.Trace)
			assert.NotNil(t, ev.GatewayMetrics, "other calls are not held up")
			assert.Equal(t, diagnose.SurfaceSTSPolicy, d.Surface, "the caller's 403 decides; verdict: %s", d.Verdict)
		})
	}
}

func TestCollect_HangingServiceIsBoundedByTheOverallTimeout(t *testing.T) {
	srv := sim(t)
	srv.Inject("*", caracaltest.Fault{Hang: true})
	c := collector(newClient(srv))
	c.Timeout, c.CallTimeout = 800*time.Millisecond, 800*time.Millisecond
	start := time.Now()
	ev, d := gather(t, c, query(scenario(t, "deny-no-grant")))
	assert.Less(t, time.Since(start), c.Timeout+700*time.Millisecond)
	assert.Nil(t, ev.Trace)
	assert.Equal(t, diagnose.SurfaceInfrastructure, d.Surface, "the Admin API /health did not answer in time; verdict: %s", d.Verdict)
	assert.Equal(t, diagnose.CauseAPIUnreachable, d.Cause)
	assert.Contains(t, d.Verdict, "did not answer in time")
}

func TestCollect_ConnectionClosed(t *testing.T) {
	srv := sim(t)
	srv.Inject("audit GET /metrics.json", caracaltest.Fault{Close: true})
	_, d := gather(t, collector(newClient(srv)), query(scenario(t, "deny-no-grant")))
	assert.Equal(t, "unreachable", requireMissing(t, d, "Audit metrics").Reason)
	assert.Equal(t, diagnose.CauseResourceNotGranted, d.Cause)
}

func TestCollect_CoordinatorTokenNotConfigured(t *testing.T) {
	srv := sim(t)
	c := collector(newClient(srv, func(c *caracal.Config) { c.CoordinatorToken = "" }))
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, c, query(sc))
	m := requireMissing(t, d, "Coordinator stats")
	assert.Contains(t, m.Reason, "not configured")
	assert.Nil(t, ev.CoordinatorStats)
	assert.Equal(t, sc.Cause, d.Cause)
	for _, r := range srv.Requests() {
		assert.False(t, r.Service == caracal.ServiceCoordinator && r.Path == "/stats", "no /stats call without a token")
	}
}

func TestCollect_ZoneScopedToken(t *testing.T) {
	srv := sim(t, caracaltest.WithZoneScopedToken(caracaltest.ZoneResearch))
	sc := scenario(t, "unknown")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.False(t, ev.CrossZoneSearch)
	assert.Equal(t, []string{caracaltest.ZoneResearch}, ev.SearchedZones)
	m := requireMissing(t, d, "other zones")
	assert.Contains(t, m.Reason, "zone-scoped")
	assert.Contains(t, m.Reason, "only zone "+caracaltest.ZoneResearch+" was searched")
	assert.Contains(t, m.Reason, "other zones cannot be searched with this token")
	assert.True(t, ev.ZoneScopedToken)
	assert.Equal(t, diagnose.SurfaceUnknown, d.Surface)

	// A trace in the scoped zone is still found, and then no other zone
	// needed searching: nothing is missing.
	sc = scenario(t, "deny-no-grant")
	ev, d = gather(t, collector(newClient(srv)), query(sc))
	assert.True(t, ev.HasTrace())
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Empty(t, d.MissingEvidence, "the other zones line appears only when the request was not found")
}

func TestCollect_WrongZoneOverHTTP(t *testing.T) {
	srv := sim(t)
	sc := scenario(t, "wrong-zone")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.Equal(t, sc.Zone, d.ZoneID)
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Equal(t, diagnose.StepWarn, d.Steps[1].Status)
	assert.Contains(t, d.Steps[1].Detail, "wrong_zone")
	assert.Contains(t, d.Steps[1].Detail, sc.AskZone)
	assert.ElementsMatch(t, []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}, ev.SearchedZones)
	require.NotNil(t, ev.Zone)
	assert.Equal(t, sc.Zone, ev.Zone.ID, "the configuration read is the trace zone's")
}

func TestCollect_APIUnreachable(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("api-unreachable"))
	sc := scenario(t, "api-unreachable")
	start := time.Now()
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.Less(t, time.Since(start), 2*time.Second, "a closed API fails fast")
	assert.Equal(t, diagnose.SurfaceInfrastructure, d.Surface)
	assert.Equal(t, diagnose.CauseAPIUnreachable, d.Cause)
	assert.Equal(t, diagnose.StepFail, d.Steps[0].Status)
	assert.Nil(t, ev.Trace)
	assert.NotEmpty(t, d.MissingEvidence)
	for _, m := range d.MissingEvidence {
		assert.NotEmpty(t, m.Reason, m.What)
	}
}

func TestCollect_APIURLNotConfigured(t *testing.T) {
	srv := sim(t)
	c := collector(newClient(srv, func(c *caracal.Config) { c.APIURL = "" }))
	_, d := gather(t, c, query(scenario(t, "deny-no-grant")))
	assert.Equal(t, diagnose.SurfaceInfrastructure, d.Surface)
	assert.Equal(t, diagnose.CauseAPIUnreachable, d.Cause)
	assert.Contains(t, requireMissing(t, d, "request trace").Reason, "not configured")
}

func TestCollect_ReadinessProbe5xxWithGarbageBody(t *testing.T) {
	srv := sim(t)
	srv.Inject("audit GET /ready", caracaltest.Fault{Status: 503, Body: "<html>oops</html>"})
	sc := scenario(t, "unknown")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.False(t, ev.Ready[caracal.ServiceAudit].OK)
	assert.Equal(t, diagnose.SurfaceInfrastructure, d.Surface)
	assert.Equal(t, diagnose.CauseServiceNotReady, d.Cause)
	assert.Contains(t, d.Verdict, "audit")
	assert.Equal(t, diagnose.StepFail, d.Steps[0].Status)
}

func TestCollect_EveryEvidenceCallFails(t *testing.T) {
	srv := sim(t)
	srv.Inject("api /v1/**", caracaltest.Fault{Status: 401})
	srv.Inject("* /metrics.json", caracaltest.Fault{Garbage: true})
	srv.Inject("coordinator /stats", caracaltest.Fault{Status: 403})
	sc := scenario(t, "deny-no-grant")
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	assert.Nil(t, ev.Trace)
	for _, what := range []string{"request trace", "zone", "resources", "policy sets", "STS metrics", "Coordinator stats"} {
		requireMissing(t, d, what)
	}
	_, otherZones := missingEntry(d, "other zones")
	assert.False(t, otherZones, "the trace could not be read, so no other zone was to be searched")
	assert.Contains(t, requireMissing(t, d, "request trace").Reason, "HTTP 401 invalid_admin_token")
	assert.Contains(t, requireMissing(t, d, "STS metrics").Reason, "unreadable response")
	assert.Contains(t, requireMissing(t, d, "Coordinator stats").Reason, "HTTP 403")
	// No trace, the caller saw 403: row 18.
	assert.Equal(t, diagnose.SurfaceSTSPolicy, d.Surface, "verdict: %s", d.Verdict)
}

func TestCollect_CancelledContext(t *testing.T) {
	srv := sim(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ev := collector(newClient(srv)).Collect(ctx, query(scenario(t, "deny-no-grant")))
	require.NotNil(t, ev)
	d := diagnose.Diagnose(ev, docsBase)
	assert.Len(t, d.Steps, 8)
	assert.NotEmpty(t, d.Cause)
}

func TestCollect_UnknownZoneAsked(t *testing.T) {
	srv := sim(t)
	const zone = "019fffff-0000-7000-8000-000000000000"

	// Caracal never saw the ID: the zone is flagged unknown.
	q := query(scenario(t, "unknown"))
	q.ZoneID = zone
	ev, d := gather(t, collector(newClient(srv)), q)
	assert.True(t, ev.UnknownZone)
	assert.Contains(t, requireMissing(t, d, "zone").Reason, "HTTP 404 zone_not_found")
	assert.Equal(t, zone, d.ZoneID)

	// The ID lives in another zone: it is found there and diagnosed there.
	sc := scenario(t, "deny-no-grant")
	q = query(sc)
	q.ZoneID = zone
	ev, d = gather(t, collector(newClient(srv)), q)
	assert.True(t, ev.UnknownZone, "the zone asked still does not exist")
	assert.Equal(t, caracaltest.ZoneResearch, ev.TraceZone, "the trace was found where it lives")
	assert.Equal(t, caracaltest.ZoneResearch, d.ZoneID)
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Equal(t, diagnose.StepFail, d.Steps[1].Status)
	assert.Contains(t, d.Steps[1].Detail, zone)
	assert.Empty(t, d.MissingEvidence, "the unknown zone's missing configuration is dropped once the trace is elsewhere")
}

func TestCollect_RequestIDOutsideExplainCharsetGoesToTheAuditList(t *testing.T) {
	srv := sim(t)
	const id = "gw:req/../zones?x=1#frag%2F;a"
	require.NoError(t, diagnose.ValidateRequestID(id))
	ev, d := gather(t, collector(newClient(srv)), diagnose.Query{RequestID: id, ZoneID: caracaltest.ZoneResearch})
	assert.Nil(t, ev.Trace)
	assert.Equal(t, id, d.RequestID)
	n := 0
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Path, "/audit/by-request/", "explain refuses this ID (API.md §2.1), so it is not called")
		if r.Path == "/v1/zones/"+caracaltest.ZoneResearch+"/audit" && strings.Contains(r.Query, "request_id=") {
			n++
			v, err := url.ParseQuery(r.Query)
			require.NoError(t, err)
			assert.Equal(t, id, v.Get("request_id"), "the ID travels whole as one query value")
		}
	}
	assert.Positive(t, n)
	assert.Equal(t, diagnose.SurfaceUnknown, d.Surface)
}

// TestCollect_GatewayRequestIDOutsideExplainCharset: the Gateway keeps any
// printable-ASCII X-Request-Id, but explain only accepts
// ^[A-Za-z0-9_.\-:]{1,128}$; API.md §2.1 says "for other IDs use GET
// .../audit?request_id=". The bot accepts such IDs, so it should find
// their rows that way.
func TestCollect_GatewayRequestIDOutsideExplainCharset(t *testing.T) {

	srv := sim(t)
	sc := scenario(t, "deny-no-grant")
	const id = "gw/req+42"
	w := srv.World()
	z := w.ZoneByID(caracaltest.ZoneResearch)
	var rows []caracal.AuditRow
	for _, r := range z.Audit {
		if r.RequestID != nil && *r.RequestID == sc.ID {
			r.ID += "-copy"
			r.RequestID = new(string)
			*r.RequestID = id
			rows = append(rows, r)
		}
	}
	require.NotEmpty(t, rows)
	z.AddAudit(rows...)
	srv.SetWorld(w)
	q := query(sc)
	q.RequestID = id
	ev, d := gather(t, collector(newClient(srv)), q)
	assert.True(t, ev.HasTrace())
	assert.Equal(t, sc.Cause, d.Cause)
}

// TestCollect_CallsRunInParallel: with 150 ms on every Admin API read, a
// collection costs a few round trips (the phases), not one per call.
func TestCollect_CallsRunInParallel(t *testing.T) {
	srv := sim(t)
	srv.Inject("api /v1/**", caracaltest.Fault{Latency: 150 * time.Millisecond})
	sc := scenario(t, "deny-no-grant")
	start := time.Now()
	ev, d := gather(t, collector(newClient(srv)), query(sc))
	elapsed := time.Since(start)
	assert.Equal(t, sc.Cause, d.Cause)
	assert.NotNil(t, ev.ActiveVersion, "phase 2 ran")
	v1 := 0
	for _, r := range srv.Requests() {
		if r.Service == caracal.ServiceAPI && strings.HasPrefix(r.Path, "/v1/") {
			v1++
		}
	}
	require.Greater(t, v1, 8)
	assert.Less(t, elapsed, time.Duration(v1)*150*time.Millisecond/2, "%d Admin API reads in %s", v1, elapsed)
	assert.Less(t, elapsed, 1500*time.Millisecond, "%d Admin API reads in %s", v1, elapsed)
}
