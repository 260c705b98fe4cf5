package diagnose

import (
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow/auditrowtest"
)

// Hand-made Caracal values for the pure Diagnose tests. Every helper returns
// fresh values, so a test can change what it gets without affecting others.

const (
	testDocsBase = "https://docs.caracal.run"
	testZone     = auditrowtest.Zone                      // the zone asked
	otherZone    = "019f65c1-6140-7a97-be6c-e3fe9d1847eb" // another visible zone
	testReqID    = auditrowtest.RequestID
)

// The row builders are shared with the digest's tests.
var (
	sp       = auditrowtest.Ptr
	row      = auditrowtest.Row
	mintMeta = auditrowtest.MintMeta
	reason   = auditrowtest.Reason
	denyRow  = auditrowtest.DenyRow
	gateRow  = auditrowtest.GateRow
)

// closingRow is the exchange_denied row that closes a denial.
func closingRow() caracal.AuditRow {
	return row("token_exchange", "deny", "exchange_denied", map[string]any{"requested": []any{"resource://pipernet"}})
}

func allowRow() caracal.AuditRow {
	r := row("token_exchange", "allow", "complete", mintMeta("pipernet:read"))
	r.DeterminingPoliciesJSON = []map[string]any{{"policy": "caracal-billing-use"}}
	return r
}

// gatewayRow is a gateway_resource_request row.
func gatewayRow(status string, gatewayStatus, upstreamStatus int, errorKind string) caracal.AuditRow {
	m := map[string]any{
		"resource":       "resource://pipernet",
		"upstream_host":  "pipernet-mcp:9000",
		"gateway_status": float64(gatewayStatus),
	}
	if upstreamStatus != 0 {
		m["upstream_status"] = float64(upstreamStatus)
	}
	if errorKind != "" {
		m["error_kind"] = errorKind
	}
	r := row("gateway_resource_request", "allow", status, m)
	r.OccurredAt, r.IngestedAt = "2026-08-22T14:09:20.300Z", "2026-08-22T14:09:20.500Z"
	return r
}

// trace wraps rows in an explain answer of the asked zone.
func trace(final string, rows ...caracal.AuditRow) *caracal.Explain {
	return &caracal.Explain{RequestID: testReqID, ZoneID: testZone, FinalDecision: final, Events: rows}
}

func okProbe(svc caracal.Service, path string) caracal.Probe {
	return caracal.Probe{Service: svc, URL: "http://" + string(svc) + ".test" + path, Reachable: true, Status: 200, OK: true}
}

func notReady(svc caracal.Service, status int, why string) caracal.Probe {
	return caracal.Probe{Service: svc, URL: "http://" + string(svc) + ".test/ready", Reachable: true, Status: status, Reason: why}
}

// healthy is evidence of a healthy stack with no trace, asked in testZone.
func healthy() *Evidence {
	ev := &Evidence{
		Query:         Query{RequestID: testReqID, ZoneID: testZone},
		AskedZone:     testZone,
		Ready:         map[caracal.Service]caracal.Probe{},
		Health:        map[caracal.Service]caracal.Probe{},
		SearchedZones: []string{testZone, otherZone},
	}
	ev.CrossZoneSearch = true
	for _, svc := range caracal.AllServices() {
		ev.Ready[svc] = okProbe(svc, "/ready")
		ev.Health[svc] = okProbe(svc, "/health")
	}
	return ev
}

// with applies changes to healthy evidence.
func with(changes ...func(*Evidence)) *Evidence {
	ev := healthy()
	for _, c := range changes {
		c(ev)
	}
	return ev
}

func hints(status int, code, desc string) func(*Evidence) {
	return func(ev *Evidence) { ev.Query.Hints = Hints{Status: status, ErrorCode: code, Description: desc} }
}

func symptom(s string) func(*Evidence) {
	return func(ev *Evidence) { ev.Query.Hints.Symptom = s }
}

func withTrace(t *caracal.Explain) func(*Evidence) {
	return func(ev *Evidence) { ev.Trace, ev.TraceZone = t, t.ZoneID }
}

func ready(p caracal.Probe) func(*Evidence) {
	return func(ev *Evidence) { ev.Ready[p.Service] = p }
}

func stsMetrics(f func(*caracal.STSMetrics)) func(*Evidence) {
	return func(ev *Evidence) {
		if ev.STSMetrics == nil {
			ev.STSMetrics = &caracal.STSMetrics{}
		}
		f(ev.STSMetrics)
	}
}

func gwMetrics(f func(*caracal.GatewayMetrics)) func(*Evidence) {
	return func(ev *Evidence) {
		if ev.GatewayMetrics == nil {
			ev.GatewayMetrics = &caracal.GatewayMetrics{RevocationSnapshotFresh: 1, RevocationSnapshotAgeSeconds: 12}
		}
		f(ev.GatewayMetrics)
	}
}

func auditMetrics(f func(*caracal.AuditMetrics)) func(*Evidence) {
	return func(ev *Evidence) {
		if ev.AuditMetrics == nil {
			ev.AuditMetrics = &caracal.AuditMetrics{}
		}
		f(ev.AuditMetrics)
	}
}

// revocationAt records a successful revocation call in admin-audit.
func revocationAt(method, path, entityType, at string) func(*Evidence) {
	return func(ev *Evidence) {
		r := caracal.AdminAuditRow{ID: "aa-" + method + path, Action: method + " " + path, Method: method, Path: path,
			StatusCode: 200, OccurredAt: at}
		if entityType != "" {
			r.EntityType = sp(entityType)
		}
		ev.AdminAudit = append(ev.AdminAudit, r)
	}
}

func grantRevoke(at string) func(*Evidence) {
	return revocationAt("DELETE", "/v1/zones/"+testZone+"/grants/g1", "grants", at)
}

func killSwitch(at string) func(*Evidence) {
	return revocationAt("POST", "/v1/zones/"+testZone+"/subjects/revoke", "subjects", at)
}

func activation(status string) func(*Evidence) {
	return func(ev *Evidence) {
		ev.Activation = &caracal.ActivationStatus{ZoneID: testZone, PolicySetID: "ps1", VersionID: "v4", Active: true,
			PropagationStatus: status, Outbox: caracal.OutboxStatus{State: "dead", Attempts: 5}}
	}
}

func missing(what, reason string) func(*Evidence) {
	return func(ev *Evidence) { ev.AddMissing(what, "GET somewhere", reason) }
}
