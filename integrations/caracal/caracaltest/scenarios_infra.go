package caracaltest

import (
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Rows 1 and 3: the platform itself is down or not ready.
func infrastructureScenarios() []Scenario {
	return []Scenario{
		{
			ID: "01a029cd-37a8-7c9d-ac65-a99205dab970", Name: "api-unreachable", Row: 1,
			Title:   "The Admin API is down: every connection to it closes without an answer",
			Surface: diagnose.SurfaceInfrastructure, Cause: diagnose.CauseAPIUnreachable, AskZone: ZoneResearch,
			WorldChanges: []string{"API: down (connections closed without an answer)"},
			mutate:       func(w *World) { w.API.Down = true },
		},
		{
			ID: "01a21f00-7c3d-7e55-9b10-4d2f6a8e3c11", Name: "sts-redis-down", Row: 3,
			Title:   "STS cannot reach its Redis: mints fail with 429 provider_rate_limited and no audit row",
			Surface: diagnose.SurfaceInfrastructure, Cause: diagnose.CauseServiceNotReady, AskZone: ZoneResearch,
			Hints:        Hints{Status: 429, ErrorCode: "provider_rate_limited", Description: "authentication rate limit unavailable"},
			CallerSaw:    fixtureBody("error-429-sts-redis-down.json"),
			WorldChanges: []string{"STS /ready: 503 redis_unreachable (ready-sts-redis-down.json)"},
			mutate:       func(w *World) { w.STS.Ready = fixtureReply(503, "ready-sts-redis-down.json") },
		},
		{
			ID: "c0d3564e-c3af-4dda-a58d-7c079ef3ff47", Name: "gateway-revocation-stale", Row: 3,
			Title:   "The Gateway's revocation snapshot is stale, so it refuses every call with 503 before STS",
			Surface: diagnose.SurfaceInfrastructure, Cause: diagnose.CauseServiceNotReady, AskZone: ZoneResearch,
			Hints:     Hints{Status: 503, ErrorCode: "sts_unavailable", Description: "revocation state unavailable"},
			CallerSaw: fixtureBody("error-503-gateway-revocation-unavailable.json"),
			WorldChanges: []string{
				"Gateway /ready: 503 revocation_snapshot_stale (ready-gateway-revocation-stale.json)",
				"Gateway /metrics.json: metrics-gateway-revocation-stale.json",
			},
			mutate: gatewaySnapshotStale,
		},
		{
			ID: "01a029cd-d537-7c4a-9b07-681eb72d442b", Name: "redis-outage", Row: 3,
			Title:   "Redis is down for the whole stack: STS answers 429, the Admin API answers 500",
			Surface: diagnose.SurfaceInfrastructure, Cause: diagnose.CauseServiceNotReady, AskZone: ZoneResearch,
			Hints:     Hints{Status: 429, ErrorCode: "provider_rate_limited", Description: "authentication rate limit unavailable"},
			CallerSaw: goError("provider_rate_limited", "authentication rate limit unavailable", "01a029cd-d537-7c4a-9b07-681eb72d442b"),
			WorldChanges: []string{
				"API and Coordinator /ready: 500 internal_error (ready-api-redis-down-live.json)",
				"STS and Gateway /ready: 503 redis_unreachable",
				"Audit /health and /ready: 503 consumer_unhealthy",
				"every Admin API /v1 read: 500 internal_error",
			},
			mutate: func(w *World) {
				redisDown(w)
				w.API.Ready = fixtureReply(500, "ready-api-redis-down-live.json")
				w.Coordinator.Ready = fixtureReply(500, "ready-api-redis-down-live.json")
				w.AdminAPIFailure = fixtureReply(500, "error-500-internal.json")
			},
		},
		{
			ID: "01a029ce-0b41-7a3e-8f52-3c9e1d7a6b20", Name: "redis-outage-hang", Row: 3,
			Title:   "Redis is down and the Admin API's reads hang instead of answering 500",
			Surface: diagnose.SurfaceInfrastructure, Cause: diagnose.CauseServiceNotReady, AskZone: ZoneResearch,
			Hints:     Hints{Status: 429, ErrorCode: "provider_rate_limited", Description: "authentication rate limit unavailable"},
			CallerSaw: goError("provider_rate_limited", "authentication rate limit unavailable", "01a029ce-0b41-7a3e-8f52-3c9e1d7a6b20"),
			WorldChanges: []string{
				"API and Coordinator /ready: no answer (they hang, as they sometimes do past 20 s: API.md §0)",
				"every Admin API /v1 read: no answer",
				"STS and Gateway /ready: 503 redis_unreachable",
				"Audit /health and /ready: 503 consumer_unhealthy",
			},
			mutate: func(w *World) {
				redisDown(w)
				w.API.Ready, w.Coordinator.Ready, w.AdminAPIFailure = &Reply{Hang: true}, &Reply{Hang: true}, &Reply{Hang: true}
			},
		},
	}
}

// redisDown is what a Redis outage does to the Go services: STS and the
// Gateway are not ready, the Audit consumer is unhealthy (API.md §0).
func redisDown(w *World) {
	w.STS.Ready = goNotReady("redis_unreachable")
	w.Gateway.Ready = goNotReady("redis_unreachable")
	w.Audit.Health = fixtureReply(503, "health-audit-consumer-unhealthy.json")
	w.Audit.Ready = fixtureReply(503, "ready-audit-consumer-unhealthy.json")
}

// gatewaySnapshotStale makes the Gateway's revocation snapshot stale.
func gatewaySnapshotStale(w *World) {
	w.Gateway.Ready = fixtureReply(503, "ready-gateway-revocation-stale.json")
	w.GatewayMetrics = decodeFixture[caracal.GatewayMetrics]("metrics-gateway-revocation-stale.json")
}

// Row 12: the call worked but left no audit row.
func auditPipelineScenarios() []Scenario {
	worked := Hints{Status: 200, Symptom: SymptomNoAudit}
	noAudit := Hints{Symptom: SymptomNoAudit}
	return []Scenario{
		{
			ID: "573d711b-01c2-426e-9cdb-0fa0d4548a80", Name: "audit-evidence-lost", Row: 12,
			Title:   "STS lost audit events on both Redis and its disk spool; the call's row is gone",
			Surface: diagnose.SurfaceAuditPipeline, Cause: diagnose.CauseAuditEvidenceLost, AskZone: ZoneResearch, Hints: worked,
			WorldChanges: []string{
				"STS /ready: 503 audit_evidence_lost (ready-sts-audit-evidence-lost.json)",
				"STS /metrics.json: audit_dropped 7, audit_sink_errors 31",
			},
			mutate: func(w *World) {
				w.STS.Ready = fixtureReply(503, "ready-sts-audit-evidence-lost.json")
				w.STSMetrics.AuditDropped, w.STSMetrics.STS.AuditDropped, w.STSMetrics.STS.AuditSinkErrors = 7, 7, 31
			},
		},
		{
			ID: "2e3f5f66-df12-40eb-aebd-025acebfd093", Name: "audit-dlq", Row: 12,
			Title:   "A producer signs audit events with another HMAC key; they land in the Audit DLQ",
			Surface: diagnose.SurfaceAuditPipeline, Cause: diagnose.CauseAuditDLQ, AskZone: ZoneResearch, Hints: noAudit,
			WorldChanges: []string{"Audit /metrics.json: metrics-audit-dlq-hmac.json (dlq_size 42, hmac_failures_total 42)"},
			mutate: func(w *World) {
				w.AuditMetrics = decodeFixture[caracal.AuditMetrics]("metrics-audit-dlq-hmac.json")
			},
		},
		{
			ID: "b2c0ba4a-d537-4f08-aaf8-0cd9d683fb4d", Name: "audit-lag", Row: 12,
			Title:   "The Audit consumer is 5230 events behind; the row has not been stored yet",
			Surface: diagnose.SurfaceAuditPipeline, Cause: diagnose.CauseAuditLag, AskZone: ZoneResearch, Hints: worked,
			WorldChanges: []string{
				"Audit /ready: 503 audit_lag_threshold (ready-audit-lag-threshold.json)",
				"Audit /metrics.json: metrics-audit-lag.json (consumer_lag 5230)",
			},
			mutate: func(w *World) {
				w.Audit.Ready = fixtureReply(503, "ready-audit-lag-threshold.json")
				w.AuditMetrics = decodeFixture[caracal.AuditMetrics]("metrics-audit-lag.json")
			},
		},
		{
			ID: "a0cdf5d0-262b-4a89-adfb-343cf43c4e98", Name: "audit-not-ready", Row: 12,
			Title:   "The Audit stream consumer is unhealthy, so nothing is being stored",
			Surface: diagnose.SurfaceAuditPipeline, Cause: diagnose.CauseAuditNotReady, AskZone: ZoneResearch, Hints: noAudit,
			WorldChanges: []string{"Audit /health and /ready: 503 consumer_unhealthy"},
			mutate: func(w *World) {
				w.Audit.Health = fixtureReply(503, "health-audit-consumer-unhealthy.json")
				w.Audit.Ready = fixtureReply(503, "ready-audit-consumer-unhealthy.json")
			},
		},
		{
			ID: "b0436a5f-e623-4db9-a295-4dfbeb452367", Name: "audit-not-audited-path", Row: 12,
			Title:   "The call went straight to an in-process verifier, which never writes audit rows",
			Surface: diagnose.SurfaceAuditPipeline, Cause: diagnose.CauseNotAuditedPath, AskZone: ZoneResearch, Hints: worked,
		},
	}
}
