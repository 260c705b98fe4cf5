// Package health applies Caracal's Doctor thresholds (API.md §5.2) to
// readiness probes, operator metrics and policy propagation: pure functions
// from readings to checks, shared by the diagnosis (its step 1) and the
// Doctor.
package health

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Check is one finding of a readiness or metrics assessment, with API.md §5.2
// thresholds. Status is ok, warn or fail.
type Check struct {
	Section string `json:"section"`
	Name    string `json:"check"`
	Status  string `json:"status"`
	Detail  string `json:"detail"`
	Source  string `json:"source,omitempty"`
}

// Check statuses, as the Caracal Doctor names them.
const (
	CheckOK   = "ok"
	CheckWarn = "warn"
	CheckFail = "fail"
)

// ProbeDetail renders a probe the way `caracal status` does: "200",
// "503 redis_unreachable", "timeout" or "unreachable".
func ProbeDetail(p caracal.Probe) string {
	switch {
	case !p.Reachable && p.Timeout:
		return "timeout"
	case !p.Reachable:
		return "unreachable"
	case p.Reason != "":
		return fmt.Sprintf("%d %s", p.Status, p.Reason)
	default:
		return fmt.Sprintf("%d", p.Status)
	}
}

// ReadinessChecks turns the five /ready probes into checks.
func ReadinessChecks(ready map[caracal.Service]caracal.Probe) []Check {
	var out []Check
	for _, svc := range caracal.AllServices() {
		p, ok := ready[svc]
		if !ok {
			continue
		}
		c := Check{Section: "readiness", Name: string(svc) + " readiness", Status: CheckOK, Detail: ProbeDetail(p), Source: "GET " + p.URL}
		if !p.OK {
			c.Status = CheckFail
		}
		out = append(out, c)
	}
	return out
}

// Metrics are the operator metrics read; any of them may be nil (not read).
type Metrics struct {
	STS         *caracal.STSMetrics
	Gateway     *caracal.GatewayMetrics
	Audit       *caracal.AuditMetrics
	Coordinator *caracal.CoordinatorStats
}

// MetricsChecks applies the Doctor's §5.2 thresholds plus the checks the
// Console's Doctor does not make (Audit pending age, STS audit spool and
// dropped events, Gateway revocation freshness).
func MetricsChecks(metrics Metrics) []Check {
	var out []Check
	if m := metrics.STS; m != nil {
		c := Check{Section: "readiness", Name: "sts metrics", Status: CheckOK, Source: "GET sts /metrics.json",
			Detail: fmt.Sprintf("opa compile_errors=%d eval_errors=%d max_policy_age_seconds=%.0f audit_dropped=%d audit_replay_pending=%d",
				m.OPA.CompileErrors, m.OPA.EvalErrors, m.OPA.MaxPolicyAgeSeconds, m.AuditDropped, m.STS.AuditReplayPending)}
		switch {
		case m.OPA.CompileErrors > 0 || m.AuditDropped > 0 || m.STS.AuditDropped > 0:
			c.Status = CheckFail
		case m.OPA.EvalErrors > 0 || m.STS.AuditReplayPending > 0:
			c.Status = CheckWarn
		}
		out = append(out, c)
	}
	if m := metrics.Gateway; m != nil {
		c := Check{Section: "readiness", Name: "gateway metrics", Status: CheckOK, Source: "GET gateway /metrics.json",
			Detail: fmt.Sprintf("revocations=%d denied=%d revocation_snapshot_fresh=%d revocation_snapshot_age_seconds=%d audit_dropped=%d",
				m.RevocationsActive, m.RequestsDenied, m.RevocationSnapshotFresh, m.RevocationSnapshotAgeSeconds, m.AuditDropped)}
		switch {
		case m.AuditDropped > 0:
			c.Status = CheckFail
		case m.RevocationSnapshotFresh == 0 || m.STSCircuitOpen > 0 || m.AuditReplayFiles > 0:
			c.Status = CheckWarn
		}
		out = append(out, c)
	}
	if m := metrics.Audit; m != nil {
		c := Check{Section: "readiness", Name: "audit metrics", Status: CheckOK, Source: "GET audit /metrics.json",
			Detail: fmt.Sprintf("consumer_lag=%d pending_age_secs=%d dlq_size=%d tamper_mismatch_total=%d chain_breaks=%d hmac_failures=%d",
				m.ConsumerLag, m.ConsumerPELOldestSecs, m.DLQSize, m.TamperMismatchTotal, m.TamperChainBreaks, m.HMACFailuresTotal)}
		switch {
		case m.TamperMismatchTotal > 0 || m.TamperChainBreaks > 0:
			c.Status = CheckFail
		case m.HMACFailuresTotal > 0 || m.DLQSize > 0 || m.ConsumerLag > 1000 || m.TamperHMACFailures > 0 || m.ConsumerPELOldestSecs > 300:
			c.Status = CheckWarn
		}
		out = append(out, c)
	}
	if m := metrics.Coordinator; m != nil {
		c := Check{Section: "readiness", Name: "coordinator metrics", Status: CheckOK, Source: "GET coordinator /stats",
			Detail: fmt.Sprintf("outbox_pending=%.0f outbox_dead=%.0f invocations_running=%.0f",
				m.Outbox["pending"], m.Outbox["dead"], m.Invocations["running"])}
		if m.Outbox["dead"] > 0 || m.Outbox["pending"] > 500 {
			c.Status = CheckWarn
		}
		out = append(out, c)
	}
	return out
}

// ExtraChecks are the checks Caracal's Doctor does not evaluate (API.md §5.2
// "Not evaluated"). The API outbox is checked only when /ready reported on it
// (OutboxReported).
func ExtraChecks(metrics Metrics, ready map[caracal.Service]caracal.Probe) []Check {
	var out []Check
	if m := metrics.Audit; m != nil {
		c := Check{Section: "readiness", Name: "audit pending age", Status: CheckOK, Detail: fmt.Sprintf("consumer_pel_oldest_secs=%d", m.ConsumerPELOldestSecs), Source: "GET audit /metrics.json"}
		if m.ConsumerPELOldestSecs > 300 {
			c.Status = CheckWarn
		}
		out = append(out, c)
	}
	if m := metrics.Gateway; m != nil {
		c := Check{Section: "readiness", Name: "gateway revocation freshness", Status: CheckOK, Detail: fmt.Sprintf("snapshot age %ds", m.RevocationSnapshotAgeSeconds), Source: "GET gateway /metrics.json"}
		if m.RevocationSnapshotFresh == 0 {
			c.Status, c.Detail = CheckFail, fmt.Sprintf("revocation snapshot stale (age %ds > 70s)", m.RevocationSnapshotAgeSeconds)
		}
		out = append(out, c)
	}
	if p, ok := ready[caracal.ServiceAPI]; ok && OutboxReported(p) {
		c := Check{Section: "readiness", Name: "api outbox", Status: CheckOK, Detail: "no dead outbox rows reported", Source: "GET " + p.URL}
		if !p.OK {
			c.Status, c.Detail = CheckFail, fmt.Sprintf("dead API outbox rows: %v", p.Body["deadCount"])
		}
		out = append(out, c)
	}
	return out
}

// OutboxReported reports whether the API's /ready answer says anything
// about its outbox: it passed every check (the outbox's included), or failed
// on dead outbox rows. Any other answer stopped before the outbox check, or
// never came (API.md §3.2).
func OutboxReported(apiReady caracal.Probe) bool {
	return apiReady.OK || apiReady.Reason == "outbox_dead_messages"
}

// Propagation explains why a policy change is not live on STS, from its
// activation status and whether the API reports dead outbox rows.
func Propagation(a *caracal.ActivationStatus, outboxDead bool) string {
	var parts []string
	if a != nil {
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
	if outboxDead {
		parts = append(parts, "API /ready outbox_dead_messages")
	}
	return strings.Join(parts, ", ")
}
