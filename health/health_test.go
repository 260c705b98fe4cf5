package health_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// TestMetricsChecks_Thresholds pins API.md §5.2's metric thresholds and the
// checks the Console's Doctor does not make ("Not evaluated"), as the Doctor
// and step 1 both read them.
func TestMetricsChecks_Thresholds(t *testing.T) {
	tests := []struct {
		name   string
		r      reading
		check  string
		status string
	}{
		{"sts clean", sts(func(*caracal.STSMetrics) {}), "sts metrics", health.CheckOK},
		{"opa compile errors fail", sts(func(m *caracal.STSMetrics) { m.OPA.CompileErrors = 1 }), "sts metrics", health.CheckFail},
		{"opa eval errors warn", sts(func(m *caracal.STSMetrics) { m.OPA.EvalErrors = 1 }), "sts metrics", health.CheckWarn},
		{"sts audit dropped fails", sts(func(m *caracal.STSMetrics) { m.STS.AuditDropped = 1 }), "sts metrics", health.CheckFail},
		{"sts replay spool warns", sts(func(m *caracal.STSMetrics) { m.STS.AuditReplayPending = 1 }), "sts metrics", health.CheckWarn},

		{"audit clean", audit(func(*caracal.AuditMetrics) {}), "audit metrics", health.CheckOK},
		{"audit tamper mismatch fails", audit(func(m *caracal.AuditMetrics) { m.TamperMismatchTotal = 1 }), "audit metrics", health.CheckFail},
		{"audit chain break fails", audit(func(m *caracal.AuditMetrics) { m.TamperChainBreaks = 1 }), "audit metrics", health.CheckFail},
		{"audit tamper beats warnings", audit(func(m *caracal.AuditMetrics) { m.TamperChainBreaks, m.DLQSize = 1, 5 }), "audit metrics", health.CheckFail},
		{"audit hmac failures warn", audit(func(m *caracal.AuditMetrics) { m.HMACFailuresTotal = 1 }), "audit metrics", health.CheckWarn},
		{"audit dlq warns", audit(func(m *caracal.AuditMetrics) { m.DLQSize = 1 }), "audit metrics", health.CheckWarn},
		{"audit lag 1000 is ok", audit(func(m *caracal.AuditMetrics) { m.ConsumerLag = 1000 }), "audit metrics", health.CheckOK},
		{"audit lag 1001 warns", audit(func(m *caracal.AuditMetrics) { m.ConsumerLag = 1001 }), "audit metrics", health.CheckWarn},

		{"coordinator clean", coordinator(&caracal.CoordinatorStats{}), "coordinator metrics", health.CheckOK},
		{"coordinator outbox dead warns", coordinator(&caracal.CoordinatorStats{Outbox: map[string]float64{"dead": 1}}), "coordinator metrics", health.CheckWarn},
		{"coordinator pending 500 is ok", coordinator(&caracal.CoordinatorStats{Outbox: map[string]float64{"pending": 500}}), "coordinator metrics", health.CheckOK},
		{"coordinator pending 501 warns", coordinator(&caracal.CoordinatorStats{Outbox: map[string]float64{"pending": 501}}), "coordinator metrics", health.CheckWarn},

		{"gateway fresh", gateway(func(*caracal.GatewayMetrics) {}), "gateway metrics", health.CheckOK},
		{"gateway audit dropped fails", gateway(func(m *caracal.GatewayMetrics) { m.AuditDropped = 1 }), "gateway metrics", health.CheckFail},
		{"gateway circuit open warns", gateway(func(m *caracal.GatewayMetrics) { m.STSCircuitOpen = 1 }), "gateway metrics", health.CheckWarn},

		// Not evaluated by Caracal's Doctor; the bot adds them.
		{"audit pending age 300 is ok", audit(func(m *caracal.AuditMetrics) { m.ConsumerPELOldestSecs = 300 }), "audit pending age", health.CheckOK},
		{"audit pending age 301 warns", audit(func(m *caracal.AuditMetrics) { m.ConsumerPELOldestSecs = 301 }), "audit pending age", health.CheckWarn},
		{"gateway snapshot fresh", gateway(func(*caracal.GatewayMetrics) {}), "gateway revocation freshness", health.CheckOK},
		{"gateway snapshot stale", gateway(func(m *caracal.GatewayMetrics) { m.RevocationSnapshotFresh = 0 }), "gateway revocation freshness", health.CheckFail},
		{"api outbox clean", apiReady(okProbe(caracal.ServiceAPI)), "api outbox", health.CheckOK},
		{"api outbox dead", apiReady(notReady(caracal.ServiceAPI, 503, "outbox_dead_messages")), "api outbox", health.CheckFail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found *health.Check
			for _, c := range append(health.MetricsChecks(tc.r.m), health.ExtraChecks(tc.r.m, tc.r.ready)...) {
				if c.Name == tc.check {
					found = &c
				}
			}
			if assert.NotNil(t, found, "check %q", tc.check) {
				assert.Equal(t, tc.status, found.Status, found.Detail)
				assert.Equal(t, "readiness", found.Section)
				assert.NotEmpty(t, found.Source)
			}
		})
	}
}

func TestReadinessChecks(t *testing.T) {
	ready := map[caracal.Service]caracal.Probe{}
	for _, svc := range caracal.AllServices() {
		ready[svc] = okProbe(svc)
	}
	ready[caracal.ServiceSTS] = notReady(caracal.ServiceSTS, 503, "redis_unreachable")
	ready[caracal.ServiceAudit] = caracal.Probe{Service: caracal.ServiceAudit, URL: "http://audit.test/ready", Timeout: true}
	checks := health.ReadinessChecks(ready)
	assert.Len(t, checks, 5)
	got := map[string]health.Check{}
	for _, c := range checks {
		got[c.Name] = c
	}
	assert.Equal(t, health.CheckOK, got["api readiness"].Status)
	assert.Equal(t, health.CheckFail, got["sts readiness"].Status)
	assert.Equal(t, "503 redis_unreachable", got["sts readiness"].Detail)
	assert.Equal(t, health.CheckFail, got["audit readiness"].Status)
	assert.Equal(t, "timeout", got["audit readiness"].Detail)
}

// reading is what the checks read: operator metrics and /ready probes.
type reading struct {
	m     health.Metrics
	ready map[caracal.Service]caracal.Probe
}

func sts(f func(*caracal.STSMetrics)) reading {
	m := &caracal.STSMetrics{}
	f(m)
	return reading{m: health.Metrics{STS: m}}
}

// gateway starts from a fresh revocation snapshot.
func gateway(f func(*caracal.GatewayMetrics)) reading {
	m := &caracal.GatewayMetrics{RevocationSnapshotFresh: 1, RevocationSnapshotAgeSeconds: 12}
	f(m)
	return reading{m: health.Metrics{Gateway: m}}
}

func audit(f func(*caracal.AuditMetrics)) reading {
	m := &caracal.AuditMetrics{}
	f(m)
	return reading{m: health.Metrics{Audit: m}}
}

func coordinator(s *caracal.CoordinatorStats) reading {
	return reading{m: health.Metrics{Coordinator: s}}
}

func apiReady(p caracal.Probe) reading {
	return reading{ready: map[caracal.Service]caracal.Probe{caracal.ServiceAPI: p}}
}

func okProbe(svc caracal.Service) caracal.Probe {
	return caracal.Probe{Service: svc, URL: "http://" + string(svc) + ".test/ready", Reachable: true, Status: 200, OK: true}
}

func notReady(svc caracal.Service, status int, why string) caracal.Probe {
	return caracal.Probe{Service: svc, URL: "http://" + string(svc) + ".test/ready", Reachable: true, Status: status, Reason: why}
}
