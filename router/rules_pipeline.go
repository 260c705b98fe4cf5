package router

import (
	"fmt"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// auditPipelineCause picks row 12's cause: the first that holds.
func auditPipelineCause(ev *Evidence) (string, string) {
	sts, gw, am := ev.STSMetrics, ev.GatewayMetrics, ev.AuditMetrics
	switch {
	case (sts != nil && (sts.AuditDropped > 0 || sts.STS.AuditDropped > 0)) || (gw != nil && gw.AuditDropped > 0) ||
		ev.readyReasonIs(caracal.ServiceSTS, "audit_evidence_lost") || ev.readyReasonIs(caracal.ServiceGateway, "audit_evidence_lost"):
		return "audit_evidence_lost", "Audit evidence was lost: STS or the Gateway dropped audit events after both Redis and the disk spool failed (audit_dropped > 0, /ready audit_evidence_lost). The call's audit row is gone and the producer stays not-ready until restarted."
	case am != nil && (am.DLQSize > 0 || am.HMACFailuresTotal > 0):
		return "audit_dlq", fmt.Sprintf("The audit row is most likely in the Audit dead-letter queue (dlq_size=%d, hmac_failures_total=%d): a producer signs with a different AUDIT_HMAC_KEY, or events failed to parse.", am.DLQSize, am.HMACFailuresTotal)
	case ev.readyReasonIs(caracal.ServiceAudit, "audit_lag_threshold") || ev.readyReasonIs(caracal.ServiceAudit, "audit_pel_oldest_threshold") ||
		(am != nil && am.ConsumerLag > 1000) || (sts != nil && sts.STS.AuditReplayPending > 0) || (gw != nil && gw.AuditReplayFiles > 0):
		return "audit_lag", auditLagVerdict(ev)
	case ev.readyReason(caracal.ServiceAudit) != "":
		return "audit_not_ready", fmt.Sprintf("The Audit service is not ready (%s), so events are not being stored; the row will appear once it recovers.", ev.readyReason(caracal.ServiceAudit))
	}
	return "not_audited_path", "The audit pipeline is healthy, so this call most likely never passed an audited step: it went to an in-process verifier instead of the Gateway, the request ID is not the Gateway's X-Request-Id, or the call never reached the Gateway."
}

func auditLagVerdict(ev *Evidence) string {
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
}

// Row 13: access continues after a revocation.
func ruleRevocation(ev *Evidence) (finding, bool) {
	rev := ev.LastRevocation()
	allowedAfter := rev != nil && ev.HasTrace() && ev.Trace.FinalDecision == "allow" && traceAfter(ev.Trace, rev.OccurredAt)
	if ev.Query.Hints.Symptom != "revoked" && !allowedAfter {
		return finding{}, false
	}
	what := "the revocation"
	if rev != nil {
		what = fmt.Sprintf("the revocation %s at %s", rev.Action, rev.OccurredAt)
	}
	act := ev.Activation
	switch {
	case (act != nil && act.PropagationStatus != caracal.PropagationLoaded) || ev.readyReasonIs(caracal.ServiceAPI, "outbox_dead_messages"):
		return finding{SurfaceRevocation, "policy_not_propagated", fmt.Sprintf(
			"Access continues after %s because the change has not reached STS: %s.", what, propagationDetail(ev))}, true
	case (ev.GatewayMetrics != nil && ev.GatewayMetrics.RevocationSnapshotFresh == 0) || ev.readyReasonIs(caracal.ServiceGateway, "revocation_snapshot_stale"):
		age := "unknown"
		if ev.GatewayMetrics != nil {
			age = fmt.Sprintf("%ds", ev.GatewayMetrics.RevocationSnapshotAgeSeconds)
		}
		return finding{SurfaceRevocation, "revocation_snapshot_stale", fmt.Sprintf(
			"Access continues after %s because the Gateway's revocation snapshot is stale (age %s, fresh means ≤ 70 s): it has not seen the revocation.", what, age)}, true
	case rev != nil && rev.Method == "DELETE" && str(rev.EntityType) == "grants":
		return finding{SurfaceRevocation, "grant_revoke_not_effective", fmt.Sprintf(
			"Access continues after %s because a /grants revoke only revokes the consenting user's authority records: %s still holds the policy grant, and the policy data is unchanged.", what, traceSubject(ev))}, true
	}
	return finding{SurfaceRevocation, "verifier_without_revocation",
		"Access continues after the revocation, and STS and the Gateway look current: the calls most likely reach an in-process verifier whose revocation store is not fed by caracal.sessions.revoke, so revoked mandates work until they expire (at most 15 min)."}, true
}

// LastRevocation returns the newest successful revocation call in admin-audit:
// a grant revoke, a subject kill switch, or an application archive.
func (ev *Evidence) LastRevocation() *caracal.AdminAuditRow {
	var last *caracal.AdminAuditRow
	for i := range ev.AdminAudit {
		r := &ev.AdminAudit[i]
		if r.StatusCode >= 400 || !isRevocation(r) {
			continue
		}
		if last == nil || laterThan(r.OccurredAt, last.OccurredAt) {
			last = r
		}
	}
	return last
}

func isRevocation(r *caracal.AdminAuditRow) bool {
	et := str(r.EntityType)
	switch {
	case r.Method == "DELETE" && (et == "grants" || et == "applications"):
		return true
	case r.Method == "POST" && strings.HasSuffix(r.Path, "/subjects/revoke"):
		return true
	}
	return false
}

// traceAfter reports whether the trace's first row happened after ts.
func traceAfter(t *caracal.Explain, ts string) bool {
	return len(t.Events) > 0 && laterThan(t.Events[0].OccurredAt, ts)
}

// laterThan compares two Caracal timestamps; unparseable ones are never later.
func laterThan(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.After(tb)
}

func traceSubject(ev *Evidence) string {
	row, ok := traceApplicationRow(ev.Trace)
	if !ok {
		return "the application"
	}
	label := applicationLabel(row)
	if kind := metaString(row.MetadataJSON, "subject_kind"); kind != "" {
		label += " (subject kind " + kind + ")"
	}
	return label
}

// propagationDetail explains why a policy change is not live on STS.
func propagationDetail(ev *Evidence) string {
	var parts []string
	if a := ev.Activation; a != nil {
		parts = append(parts, "activation-status "+a.PropagationStatus)
		if a.Outbox.State != "" && a.Outbox.State != "dispatched" {
			p := fmt.Sprintf("outbox row %s after %d attempt(s)", a.Outbox.State, a.Outbox.Attempts)
			if a.Outbox.LastError != nil {
				p += fmt.Sprintf(" (last error %q)", *a.Outbox.LastError)
			}
			parts = append(parts, p)
		}
		if a.STS.State != "" && a.STS.State != "loaded" {
			parts = append(parts, "STS "+a.STS.State)
		} else if a.STS.PolicySetVersionID != "" && a.STS.PolicySetVersionID != a.VersionID {
			parts = append(parts, fmt.Sprintf("STS still runs version %s", a.STS.PolicySetVersionID))
		}
	}
	if ev.readyReasonIs(caracal.ServiceAPI, "outbox_dead_messages") {
		parts = append(parts, "API /ready outbox_dead_messages")
	}
	return strings.Join(parts, ", ")
}
