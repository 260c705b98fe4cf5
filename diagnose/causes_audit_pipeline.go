package diagnose

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Causes on the audit_pipeline surface: the call worked but left no audit
// trace. The first that holds, in this order, is the cause.
const (
	CauseAuditEvidenceLost Cause = "audit_evidence_lost"
	CauseAuditDLQ          Cause = "audit_dlq"
	CauseAuditLag          Cause = "audit_lag"
	CauseAuditNotReady     Cause = "audit_not_ready"
	CauseNotAuditedPath    Cause = "not_audited_path"
)

func auditEvidenceLost() Entry {
	return unaudited().entry(CauseAuditEvidenceLost, "STS or Gateway audit_dropped > 0, or /ready audit_evidence_lost",
		func(ev *Evidence) bool {
			sts, gw := ev.STSMetrics, ev.GatewayMetrics
			return (sts != nil && (sts.AuditDropped > 0 || sts.STS.AuditDropped > 0)) || (gw != nil && gw.AuditDropped > 0) ||
				ev.readyReasonIs(caracal.ServiceSTS, "audit_evidence_lost") || ev.readyReasonIs(caracal.ServiceGateway, "audit_evidence_lost")
		},
		func(*Evidence) string {
			return "Audit evidence was lost: STS or the Gateway dropped audit events after both Redis and the disk spool failed (audit_dropped > 0, /ready audit_evidence_lost). The call's audit row is gone and the producer stays not-ready until restarted."
		},
		NextAction{Text: "Restore Redis and the producers' replay directory, then restart the producer that reports audit_evidence_lost.", Page: DocObservability},
		NextAction{Text: "Record the gap: the lost rows cannot be recovered.", Page: DocAuditLedger},
	)
}

func auditDLQ() Entry {
	return unaudited().entry(CauseAuditDLQ, "Audit dlq_size > 0 or hmac_failures_total > 0",
		func(ev *Evidence) bool {
			am := ev.AuditMetrics
			return am != nil && (am.DLQSize > 0 || am.HMACFailuresTotal > 0)
		},
		func(ev *Evidence) string {
			am := ev.AuditMetrics
			return fmt.Sprintf("The audit row is most likely in the Audit dead-letter queue (dlq_size=%d, hmac_failures_total=%d): a producer signs with a different AUDIT_HMAC_KEY, or events failed to parse.", am.DLQSize, am.HMACFailuresTotal)
		},
		NextAction{Text: "List the DLQ entries (Audit /api/audit/dlq) and fix the producer's AUDIT_HMAC_KEY if they say hmac_verify_failed.", Page: DocObservability},
		NextAction{Text: "Replay the replayable entries once fixed.", Page: DocAuditLedger},
	)
}

func auditLag() Entry {
	return unaudited().entry(CauseAuditLag, "Audit /ready lag or pending-age threshold, consumer_lag > 1000, or a producer replay spool pending",
		func(ev *Evidence) bool {
			sts, gw, am := ev.STSMetrics, ev.GatewayMetrics, ev.AuditMetrics
			return ev.readyReasonIs(caracal.ServiceAudit, "audit_lag_threshold") || ev.readyReasonIs(caracal.ServiceAudit, "audit_pel_oldest_threshold") ||
				(am != nil && am.ConsumerLag > 1000) || (sts != nil && sts.STS.AuditReplayPending > 0) || (gw != nil && gw.AuditReplayFiles > 0)
		},
		func(ev *Evidence) string {
			var why []string
			if r := ev.readyReason(caracal.ServiceAudit); r != "" {
				why = append(why, "Audit /ready "+r)
			}
			if am := ev.AuditMetrics; am != nil && am.ConsumerLag > 1000 {
				why = append(why, fmt.Sprintf("consumer_lag=%d, oldest pending %ds", am.ConsumerLag, am.ConsumerPELOldestSecs))
			}
			if sts := ev.STSMetrics; sts != nil && sts.STS.AuditReplayPending > 0 {
				why = append(why, fmt.Sprintf("STS replay spool holds %d events (oldest %ds)", sts.STS.AuditReplayPending, sts.STS.AuditReplayOldestAgeSeconds))
			}
			if gw := ev.GatewayMetrics; gw != nil && gw.AuditReplayFiles > 0 {
				why = append(why, fmt.Sprintf("Gateway replay spool holds %d files", gw.AuditReplayFiles))
			}
			return "The audit pipeline is behind (" + strings.Join(why, "; ") + "): the row is probably still on its way and should appear once the backlog drains."
		},
		NextAction{Text: "Wait for the backlog to drain and re-run; check Audit consumer_lag and the producers' replay spools.", Page: DocObservability},
		NextAction{Text: "Check Redis and Postgres health if the lag keeps growing.", Page: DocRedis},
	)
}

func auditNotReady() Entry {
	return unaudited().entry(CauseAuditNotReady, "Audit /ready non-2xx for another reason",
		func(ev *Evidence) bool { return ev.readyReason(caracal.ServiceAudit) != "" },
		func(ev *Evidence) string {
			return fmt.Sprintf("The Audit service is not ready (%s), so events are not being stored; the row will appear once it recovers.", ev.readyReason(caracal.ServiceAudit))
		},
		NextAction{Text: "Fix the Audit service's /ready reason; rows are stored once it recovers.", Page: DocDebugging},
	)
}

func notAuditedPath() Entry {
	e := unaudited().entry(CauseNotAuditedPath, "otherwise (in-process verifier, wrong ID, the call never reached the Gateway)",
		always,
		func(ev *Evidence) string {
			const candidates = "it went to an in-process verifier instead of the Gateway, the request ID is not the Gateway's X-Request-Id, or the call never reached the Gateway."
			if ev.SearchedOnlyItsZone() {
				return notFoundInItsZone(ev) + ". The audit pipeline is healthy, so the call ran in another zone, or never passed an audited step: " + candidates
			}
			return "The audit pipeline is healthy, so this call most likely never passed an audited step: " + candidates
		},
		NextAction{Text: "Check that the call went through the Gateway (it answers with X-Request-Id and X-Caracal-Token-Expires-In).", Page: DocGateway},
		NextAction{Text: "Use the Gateway's X-Request-Id and the right zone.", Page: DocAuditLedger},
		NextAction{Text: "In-process verifiers never write audit rows.", Page: DocConsoleObs},
	)
	e.Actions = append([]NextAction{searchElsewhere()}, e.Actions...)
	return e
}

// unaudited is row 12's guard.
func unaudited() guard {
	return guard{row: 12, surface: SurfaceAuditPipeline, when: "no trace, and the caller says the call worked (no-audit, or a 2xx status)",
		applies: func(ev *Evidence) bool {
			h := ev.Query.Hints
			return !ev.HasTrace() && (h.Symptom == SymptomNoAudit || (h.Status >= 200 && h.Status < 300))
		}}
}
