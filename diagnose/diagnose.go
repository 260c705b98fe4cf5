// Package diagnose is ROUTER.md's symptom router as a pure function:
// Diagnose turns the Evidence gathered for a Query into a Diagnosis (the
// surface, the cause, the verdict, the eight steps, the facts used and the
// next actions). What the bot knows about a cause is one Entry of the cause
// registry (Causes), in one file per cause family (causes_*.go). Nothing
// here reads Caracal: collection is the collect package's job.
package diagnose

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Diagnose applies ROUTER.md's rules to the evidence. It is a pure function:
// the same evidence always gives the same diagnosis. docsBase is the Caracal
// docs site next actions link to (e.g. https://docs.caracal.run).
func Diagnose(ev *Evidence, docsBase string) Diagnosis {
	f, _ := decide(ev)
	decision := "unknown"
	if ev.HasTrace() && ev.Trace.FinalDecision != "" {
		decision = ev.Trace.FinalDecision
	}
	missing := append([]Missing{}, ev.Missing...)
	return Diagnosis{
		RequestID:       ev.Query.RequestID,
		ZoneID:          ev.DiagnosisZone(),
		Surface:         f.Surface,
		Cause:           f.Cause,
		Verdict:         f.Verdict,
		Decision:        decision,
		Steps:           buildSteps(ev, f),
		Evidence:        facts(ev, f),
		NextActions:     nextActions(ev, f, docsBase),
		MissingEvidence: missing,
	}
}

// facts lists the evidence the diagnosis used, each with its endpoint.
func facts(ev *Evidence, f finding) []Fact {
	out := []Fact{}
	add := func(name, value, source string) {
		if value != "" {
			out = append(out, Fact{Name: name, Value: value, Source: source})
		}
	}
	zone := ev.DiagnosisZone()
	explain := fmt.Sprintf("GET /v1/zones/%s/audit/by-request/%s/explain", zone, ev.Query.RequestID)
	if ev.HasTrace() {
		add("final decision", ev.Trace.FinalDecision, explain)
		if row, ok := auditrow.ApplicationRow(ev.Trace); ok {
			m := row.MetadataJSON
			add("application", joinNonEmpty(applicationOf(ev, row)), explain)
			add("resource", auditrow.Meta(m, "resource"), explain)
			add("subject kind", auditrow.Meta(m, "subject_kind"), explain)
			add("requested scopes", strings.Join(auditrow.MetaStrings(m, "requested_scopes"), " "), explain)
			add("session labels", strings.Join(auditrow.MetaStrings(m, "agent_labels"), " "), explain)
		}
		for _, r := range ev.Trace.Events {
			add("row "+r.EventType, rowSummary(r), explain)
		}
	}
	if ps := ev.ActivePolicySet(); ps != nil {
		add("active policy set", fmt.Sprintf("%s (%s)", ps.Name, auditrow.Str(ps.ActiveVersionID)), fmt.Sprintf("GET /v1/zones/%s/policy-sets", zone))
	}
	if a := ev.Activation; a != nil {
		add("policy propagation", a.PropagationStatus, fmt.Sprintf("GET /v1/zones/%s/policy-sets/%s/activation-status", zone, a.PolicySetID))
	}
	if notReady := ev.NotReady(); len(notReady) > 0 {
		for _, p := range notReady {
			add(string(p.Service)+" /ready", health.ProbeDetail(p), "GET "+p.URL)
		}
	} else if len(ev.Ready) > 0 {
		add("readiness", fmt.Sprintf("all %d services ready", len(ev.Ready)), "GET /ready of each service")
	}
	for _, c := range health.MetricsChecks(ev.Metrics()) {
		if c.Status != health.CheckOK {
			add(c.Name, c.Detail, c.Source)
		}
	}
	if rev := ev.LastRevocation(); rev != nil && f.Surface == SurfaceRevocation {
		add("last revocation", fmt.Sprintf("%s at %s (status %d)", rev.Action, rev.OccurredAt, rev.StatusCode), fmt.Sprintf("GET /v1/zones/%s/admin-audit", zone))
	}
	if n := len(ev.AfterRevocation); n > 0 && f.Surface == SurfaceRevocation {
		add("allowed rows after revocation", fmt.Sprintf("%d", n), fmt.Sprintf("GET /v1/zones/%s/audit", zone))
	}
	if ev.Approval != nil {
		add("approval", fmt.Sprintf("%s is %s (expires %s)", ev.Approval.ID, ev.Approval.State, ev.Approval.ExpiresAt), "GET sts /approvals/"+ev.Approval.ID)
	}
	if h := ev.Query.Hints; h != (Hints{}) {
		add("caller saw", callerSaw(h), "user")
	}
	return out
}

// callerSaw renders the hints: what the caller saw and the symptom reported.
func callerSaw(h Hints) string {
	var parts []string
	if h.Status != 0 || h.ErrorCode != "" || h.Description != "" {
		parts = append(parts, hintLabel(h))
	}
	if h.Symptom != "" {
		parts = append(parts, "symptom "+h.Symptom)
	}
	return strings.Join(parts, ", ")
}

// rowSummary renders one audit row on one line.
func rowSummary(r caracal.AuditRow) string {
	parts := []string{auditrow.Str(r.Decision) + "/" + auditrow.Str(r.EvaluationStatus)}
	if reason := auditrow.Reason(r.DiagnosticsJSON); reason != "" {
		parts = append(parts, "reason "+reason)
	}
	if dp := policyNames(r.DeterminingPoliciesJSON); dp != "(none)" {
		parts = append(parts, "by "+dp)
	}
	if st, ok := auditrow.MetaInt(r.MetadataJSON, "gateway_status"); ok {
		parts = append(parts, fmt.Sprintf("gateway_status %d", st))
	}
	if v := auditrow.Str(r.PolicySetVersionID); v != "" {
		parts = append(parts, "policy-set version "+v)
	}
	return strings.Join(parts, ", ") + " at " + r.OccurredAt
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " (" + b + ")"
}
