package doctor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect/collecttest"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// The simulator and a client of it.
var sim, newClient = collecttest.Start, collecttest.Client

// newDoctor is a Doctor on the simulator's reference clock, which is also
// the clock of the simulator's Date header: no skew.
func newDoctor(src doctor.Source) *doctor.Doctor {
	return &doctor.Doctor{Source: src, Settings: collecttest.Settings()}
}

func runDoctor(t *testing.T, d *doctor.Doctor, opts doctor.Options) doctor.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := d.Run(ctx, opts)
	assertReportConsistent(t, r)
	return r
}

// assertReportConsistent checks the report's own arithmetic and API.md §5.1's ready rule.
func assertReportConsistent(t *testing.T, r doctor.Report) {
	t.Helper()
	assert.Equal(t, "doctor", r.Command)
	var ok, warn, fail int
	for _, c := range r.Checks {
		switch c.Status {
		case health.CheckOK:
			ok++
		case health.CheckWarn:
			warn++
		case health.CheckFail:
			fail++
		default:
			t.Errorf("check %q has status %q", c.Name, c.Status)
		}
		assert.Contains(t, []string{"health", "readiness", "zones", "preflight"}, c.Section, c.Name)
		assert.NotEmpty(t, c.Name)
	}
	assert.Equal(t, doctor.Summary{OK: ok, Warn: warn, Fail: fail, Total: len(r.Checks)}, r.Summary)
	want := len(r.Checks) > 0 && fail == 0 && (!r.Strict || warn == 0)
	assert.Equal(t, want, r.Ready, "ready = at least one check and no fail (strict: no warn either)")
}

// check finds a check by name.
func check(t *testing.T, r doctor.Report, name string) health.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %s", name, checkNames(r))
	return health.Check{}
}

func checkNames(r doctor.Report) string {
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name+"="+c.Status+" ("+c.Detail+")")
	}
	return strings.Join(names, "; ")
}

func failing(r doctor.Report, status string) []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == status {
			out = append(out, c.Name+": "+c.Detail)
		}
	}
	return out
}

func TestStatus_Healthy(t *testing.T) {
	srv := sim(t)
	r := doctor.Status(context.Background(), newClient(srv))
	assert.True(t, r.Ready())
	assert.Equal(t, "ready", r.Mode)
	require.Len(t, r.Services, 5)
	for i, svc := range caracal.AllServices() {
		s := r.Services[i]
		assert.Equal(t, string(svc), s.Name, "caracal status order")
		assert.True(t, s.OK, s.Name)
		assert.Equal(t, "200", s.Detail, s.Name)
		assert.Equal(t, srv.URL(svc)+"/ready", s.URL)
	}
}

func TestStatus_STSRedisDown(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("sts-redis-down"))
	r := doctor.Status(context.Background(), newClient(srv))
	assert.False(t, r.Ready())
	for _, s := range r.Services {
		if s.Name == string(caracal.ServiceSTS) {
			assert.False(t, s.OK)
			assert.Equal(t, "503 redis_unreachable", s.Detail)
		} else {
			assert.True(t, s.OK, s.Name)
		}
	}
}

func TestStatus_Down(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("api-unreachable"))
	r := doctor.Status(context.Background(), newClient(srv))
	assert.False(t, r.Ready())
	assert.Equal(t, "unreachable", r.Services[0].Detail)

	srv = sim(t)
	srv.Inject("coordinator /ready", caracaltest.Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r = doctor.Status(ctx, newClient(srv))
	assert.False(t, r.Ready())
	assert.Equal(t, "timeout", r.Services[4].Detail)
	assert.True(t, r.Services[0].OK, "other services are still probed")

	assert.False(t, doctor.StatusReport{}.Ready(), "no service probed is not ready")
}

func TestDoctor_Healthy(t *testing.T) {
	srv := sim(t)
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	assert.Empty(t, failing(r, health.CheckFail), "no failures in the healthy world")
	assert.True(t, r.Ready, checkNames(r))
	assert.Equal(t, "system", r.Mode)
	assert.Equal(t, doctor.ZoneContext{ZoneScope: "selected", ZoneIDs: []string{caracaltest.ZoneResearch}}, r.Context)
	assert.Equal(t, health.CheckOK, check(t, r, "api health").Status)
	assert.Equal(t, "2 zone(s) visible", check(t, r, "admin auth").Detail)
	assert.Equal(t, health.CheckOK, check(t, r, caracaltest.ZoneResearch+" lookup").Status)
	for _, svc := range caracal.AllServices() {
		assert.Equal(t, health.CheckOK, check(t, r, string(svc)+" readiness").Status)
	}
	for _, name := range []string{"sts metrics", "gateway metrics", "audit metrics", "coordinator metrics"} {
		check(t, r, name)
	}

	// Check order: health, then zones, then readiness (API.md §5.1).
	order := map[string]int{"health": 0, "zones": 1, "readiness": 2, "preflight": 3}
	for i := 1; i < len(r.Checks); i++ {
		assert.LessOrEqual(t, order[r.Checks[i-1].Section], order[r.Checks[i].Section], "%s before %s", r.Checks[i-1].Name, r.Checks[i].Name)
	}

	strict := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{Strict: true})
	assert.True(t, strict.Strict)
	assert.Equal(t, r.Summary.Warn == 0 && r.Ready, strict.Ready)
}

func TestDoctor_AllZones(t *testing.T) {
	srv := sim(t)
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{AllZones: true})
	assert.Equal(t, "all", r.Context.ZoneScope)
	assert.ElementsMatch(t, []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}, r.Context.ZoneIDs)
	check(t, r, caracaltest.ZoneStaging+" lookup")
	check(t, r, caracaltest.ZoneResearch+" audit query")
}

func TestDoctor_STSRedisDown(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("sts-redis-down"))
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	c := check(t, r, "sts readiness")
	assert.Equal(t, health.CheckFail, c.Status)
	assert.Equal(t, "503 redis_unreachable", c.Detail)
	assert.False(t, r.Ready)
}

// TestDoctor_WarningsAndStrict: audit hmac/dlq/lag are warnings (API.md
// §5.2), so the non-strict result follows the failures alone and --strict
// makes the warnings fail.
func TestDoctor_WarningsAndStrict(t *testing.T) {
	for _, tc := range []struct {
		scenario   string
		warn       string // a check that must warn
		failsToo   []string
		detailHas  string
		readyPlain bool
	}{
		{scenario: "audit-dlq", warn: "audit metrics", detailHas: "dlq_size=42", readyPlain: true},
		{scenario: "audit-lag", warn: "audit metrics", detailHas: "consumer_lag=5230", failsToo: []string{"audit readiness"}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := sim(t, caracaltest.WithScenario(tc.scenario))
			r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
			c := check(t, r, tc.warn)
			assert.Equal(t, health.CheckWarn, c.Status)
			assert.Contains(t, c.Detail, tc.detailHas)
			for _, name := range tc.failsToo {
				assert.Equal(t, health.CheckFail, check(t, r, name).Status, name)
			}
			assert.Equal(t, tc.readyPlain, r.Ready, "non-strict follows the failures: %v", failing(r, health.CheckFail))

			strict := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{Strict: true})
			assert.False(t, strict.Ready, "--strict makes warnings fail")
			assert.Equal(t, r.Summary, strict.Summary, "strict changes the verdict, not the checks")
		})
	}
}

// TestDoctor_ThresholdsOverHTTP checks two §5.2 thresholds end to end; the
// whole threshold table is pinned without HTTP in health_test.go.
func TestDoctor_ThresholdsOverHTTP(t *testing.T) {
	tests := []struct {
		name   string
		change func(w *caracaltest.World)
		check  string
		status string
	}{
		{"audit tamper mismatch fails", func(w *caracaltest.World) { w.AuditMetrics.TamperMismatchTotal = 1 }, "audit metrics", health.CheckFail},
		{"coordinator outbox dead warns", func(w *caracaltest.World) { w.CoordinatorStats.Outbox = map[string]float64{"dead": 1} }, "coordinator metrics", health.CheckWarn},
		{"opa compile errors fail", func(w *caracaltest.World) { w.STSMetrics.OPA.CompileErrors = 1 }, "sts metrics", health.CheckFail},
	}
	srv := sim(t)
	base := srv.World()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := base.Clone()
			tc.change(&w)
			srv.SetWorld(w)
			r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
			assert.Equal(t, tc.status, check(t, r, tc.check).Status, check(t, r, tc.check).Detail)
			if tc.status == health.CheckFail {
				assert.False(t, r.Ready)
			}
			if tc.status == health.CheckWarn {
				assert.Empty(t, failing(r, health.CheckFail))
				assert.True(t, r.Ready, "a warning alone does not fail the plain doctor")
				assert.False(t, runDoctor(t, newDoctor(newClient(srv)), doctor.Options{Strict: true}).Ready)
			}
		})
	}
}

func TestDoctor_APIOutboxDead(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("revoked-policy-not-propagated"))
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	assert.Equal(t, health.CheckFail, check(t, r, "api outbox").Status)
	assert.Equal(t, health.CheckFail, check(t, r, "api readiness").Status)
	assert.NotEqual(t, health.CheckOK, check(t, r, caracaltest.ZoneResearch+" sts policy").Status, "propagation failed")
	assert.False(t, r.Ready)
}

func TestDoctor_ZoneScopedToken(t *testing.T) {
	srv := sim(t, caracaltest.WithZoneScopedToken(caracaltest.ZoneResearch))
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	auth := check(t, r, "admin auth")
	assert.Equal(t, health.CheckOK, auth.Status, "zones cannot be listed with the recommended credential, as expected")
	assert.Contains(t, auth.Detail, "zone-scoped")
	assert.Equal(t, []string{caracaltest.ZoneResearch}, r.Context.ZoneIDs, "the configured zone is still checked")
	assert.Equal(t, health.CheckOK, check(t, r, caracaltest.ZoneResearch+" lookup").Status)
	assert.Equal(t, health.CheckOK, check(t, r, caracaltest.ZoneResearch+" audit query").Status)
	strict := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{Strict: true})
	assert.True(t, strict.Ready, "--strict passes on a healthy stack: %s", checkNames(strict))

	// Another zone is out of the token's reach.
	r = runDoctor(t, newDoctor(newClient(srv)), doctor.Options{Zone: caracaltest.ZoneStaging})
	assert.Equal(t, health.CheckFail, check(t, r, caracaltest.ZoneStaging+" lookup").Status)
	assert.False(t, r.Ready)

	// Without a configured zone there is nothing to check.
	c := newDoctor(newClient(srv))
	c.DefaultZone = ""
	r = runDoctor(t, c, doctor.Options{})
	assert.Equal(t, "none", r.Context.ZoneScope)
	assert.Equal(t, health.CheckWarn, check(t, r, "admin auth").Status)
	assert.Equal(t, health.CheckWarn, check(t, r, "zone inventory").Status)
}

// TestDoctor_DuringAnOutage: reads that hang are missing evidence, not
// failures of what they would have checked. A timed-out zone list says
// nothing about the admin token; an API /ready that did not answer says
// nothing about its outbox; and the clock skew is read from the API's Date
// at the moment its /health answered, not after the hanging probes gave up.
func TestDoctor_DuringAnOutage(t *testing.T) {
	srv := sim(t, caracaltest.WithClock(time.Now), caracaltest.WithScenario("redis-outage-hang"))
	d := newDoctor(newClient(srv))
	d.Now = nil
	start := time.Now()
	r := runDoctor(t, d, doctor.Options{})
	require.GreaterOrEqual(t, time.Since(start), d.CallDeadline(), "the hanging reads ran into the call timeout")

	sk := check(t, r, "clock skew")
	assert.Equal(t, health.CheckOK, sk.Status, "a slow probe elsewhere is no skew: %s", sk.Detail)
	assert.Equal(t, health.CheckOK, check(t, r, "api health").Status)
	assert.Equal(t, "timeout", check(t, r, "api readiness").Detail)
	assert.NotContains(t, checkNames(r), "admin auth=", "a timed-out zone list is not a verdict on the token")
	assert.NotContains(t, checkNames(r), "api outbox=", "/ready did not answer, so nothing is known of the outbox")
	var missing []string
	for _, m := range r.Missing {
		missing = append(missing, m.What+": "+m.Reason)
	}
	assert.Contains(t, missing, "admin auth: timeout")
	assert.Contains(t, missing, "api outbox: API /ready did not answer (timeout)")
	assert.False(t, r.Ready)
}

func TestDoctor_UnknownZone(t *testing.T) {
	srv := sim(t)
	const zone = "019fffff-0000-7000-8000-000000000000"
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{Zone: zone})
	assert.Equal(t, doctor.ZoneContext{ZoneScope: "selected", ZoneIDs: []string{zone}}, r.Context)
	lookup := check(t, r, zone+" lookup")
	assert.Equal(t, health.CheckFail, lookup.Status)
	assert.Contains(t, lookup.Detail, "HTTP 404")
	for _, c := range r.Checks {
		assert.False(t, c.Name == zone+" resources" || c.Name == zone+" audit query", "the zone's other checks are skipped: %s", c.Name)
	}
	assert.False(t, r.Ready)
}

func TestDoctor_APIDown(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("api-unreachable"))
	start := time.Now()
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, health.CheckFail, check(t, r, "api health").Status)
	assert.Equal(t, health.CheckFail, check(t, r, "api readiness").Status)
	assert.NotContains(t, checkNames(r), "admin auth=", "an unreachable API says nothing about the token")
	assert.False(t, r.Ready)
}

// TestDoctor_MetricsProbeErrorsAreChecks: API.md §5.2 gives every metrics
// probe a check even when it fails: warn "protected; managed operator token
// not found" on a 401 without a bearer, fail on other probe errors. A
// metrics endpoint the bot could not read must not vanish from the report.
func TestDoctor_MetricsProbeErrorsAreChecks(t *testing.T) {
	srv := sim(t, caracaltest.WithMetricsBearer("metrics-secret"))
	srv.Inject("coordinator /stats", caracaltest.Fault{Status: 500})
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	for _, name := range []string{"sts metrics", "gateway metrics", "audit metrics"} {
		c := check(t, r, name)
		assert.Equal(t, health.CheckWarn, c.Status, "%s: 401 without a bearer is a warning", name)
	}
	assert.Equal(t, health.CheckFail, check(t, r, "coordinator metrics").Status, "other probe errors fail")
}

func TestDoctor_ClockSkew(t *testing.T) {
	srv := sim(t)
	for _, tc := range []struct {
		offset time.Duration
		status string
	}{
		{0, health.CheckOK},
		{10 * time.Second, health.CheckWarn},
		{-10 * time.Second, health.CheckWarn},
		{time.Minute, health.CheckFail},
	} {
		c := newDoctor(newClient(srv))
		c.Now = func() time.Time { return caracaltest.ReferenceTime().Add(tc.offset) }
		r := runDoctor(t, c, doctor.Options{})
		sk := check(t, r, "clock skew")
		assert.Equal(t, tc.status, sk.Status, "offset %s: %s", tc.offset, sk.Detail)
		assert.Equal(t, "health", sk.Section)
	}

	// No Date header: warn.
	srv.Inject("api GET /health", caracaltest.Fault{Close: true})
	r := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{})
	assert.Equal(t, health.CheckWarn, check(t, r, "clock skew").Status)
	assert.Equal(t, health.CheckFail, check(t, r, "api health").Status)
}

func TestDoctor_AllZonesCoversOnlyTheAllowedZones(t *testing.T) {
	srv := sim(t)
	c := newDoctor(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch}

	r := runDoctor(t, c, doctor.Options{AllZones: true})
	assert.Equal(t, "all", r.Context.ZoneScope)
	assert.Equal(t, []string{caracaltest.ZoneResearch}, r.Context.ZoneIDs)
	assert.Equal(t, "1 zone(s) visible", check(t, r, "admin auth").Detail, "the inventory counts only the allowed zones")
	assert.NotContains(t, checkNames(r), caracaltest.ZoneStaging)
	assert.Empty(t, collecttest.PathsNaming(srv, caracaltest.ZoneStaging))

	open := runDoctor(t, newDoctor(newClient(srv)), doctor.Options{AllZones: true})
	assert.Contains(t, open.Context.ZoneIDs, caracaltest.ZoneStaging, "without AllowedZones every visible zone is checked")
}
