package diagnose

import (
	"fmt"
	"slices"
	"strings"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// buildSteps walks Caracal's eight denied-call checks for a finding.
func buildSteps(ev *Evidence, f finding) []Step {
	steps := []func(*Evidence, finding) (StepStatus, string){
		stepRuntime, stepConfiguration, stepTrace, stepPolicy,
		stepActivation, stepScopes, stepGateway, stepAudit,
	}
	out := make([]Step, len(steps))
	for i, s := range steps {
		st, detail := s(ev, f)
		out[i] = Step{N: i + 1, Name: stepNames[i], Status: st, Detail: detail}
	}
	return out
}

// Step 1: readiness failures and warning metrics are always reported.
func stepRuntime(ev *Evidence, _ finding) (StepStatus, string) {
	var fails, warns []string
	apiDown := false
	if p, ok := ev.Health[caracal.ServiceAPI]; ok && !p.Reachable {
		apiDown = true
		fails = append(fails, "Admin API unreachable: "+health.ProbeDetail(p))
	}
	if len(ev.Ready) == 0 && !apiDown {
		return StepSkip, "readiness could not be probed"
	}
	for _, p := range ev.NotReady() {
		if apiDown && p.Service == caracal.ServiceAPI {
			continue
		}
		fails = append(fails, fmt.Sprintf("%s not ready (%s)", p.Service, health.ProbeDetail(p)))
	}
	for _, c := range health.MetricsChecks(ev.Metrics()) {
		switch c.Status {
		case health.CheckFail:
			fails = append(fails, c.Name+": "+c.Detail)
		case health.CheckWarn:
			warns = append(warns, c.Name+": "+c.Detail)
		}
	}
	switch {
	case len(fails) > 0:
		return StepFail, strings.Join(append(fails, warns...), "; ")
	case len(warns) > 0:
		return StepWarn, strings.Join(warns, "; ")
	}
	return StepPass, fmt.Sprintf("all %d probed services ready", len(ev.Ready))
}

// Step 2: configuration (zone, resource, client config).
func stepConfiguration(ev *Evidence, f finding) (StepStatus, string) {
	wrongZone := ev.TraceZone != "" && ev.AskedZone != "" && ev.TraceZone != ev.AskedZone
	wrongZoneDetail := fmt.Sprintf("wrong_zone: the request was found in zone %s, not in zone %s that was asked", ev.TraceZone, ev.AskedZone)
	switch {
	case ev.UnknownZone:
		return StepFail, fmt.Sprintf("zone %s does not exist (404 zone_not_found)", ev.AskedZone)
	case f.Surface == SurfaceConfig && wrongZone:
		return StepFail, string(f.Cause) + "; " + wrongZoneDetail
	case f.Surface == SurfaceConfig:
		return StepFail, string(f.Cause)
	case wrongZone:
		return StepWarn, wrongZoneDetail
	}
	if ev.Zone == nil && ev.Resources == nil {
		return StepSkip, "zone configuration could not be read"
	}
	parts := []string{"zone " + ev.DiagnosisZone()}
	if ev.Zone != nil {
		parts[0] += " (" + ev.Zone.Name + ")"
	}
	parts = append(parts, fmt.Sprintf("%d resource(s)", len(ev.Resources)))
	return StepPass, strings.Join(parts, ", ")
}

// Step 3: the request trace.
func stepTrace(ev *Evidence, _ finding) (StepStatus, string) {
	switch {
	case ev.HasTrace():
		return StepPass, fmt.Sprintf("%d audit row(s) in zone %s, final_decision %s", len(ev.Trace.Events), ev.TraceZone, ev.Trace.FinalDecision)
	case hasMissing(ev, "request trace"):
		return StepSkip, "the trace could not be read"
	case ev.SearchedOnlyItsZone():
		return StepWarn, fmt.Sprintf("no audit rows for this ID in %s; other zones cannot be searched with this token", quoteList(ev.SearchedZones))
	}
	return StepWarn, fmt.Sprintf("no audit rows for this ID in %s", quoteList(ev.SearchedZones))
}

// Step 4: grant and policy.
func stepPolicy(ev *Evidence, f finding) (StepStatus, string) {
	if row, ok := auditrow.First(ev.Trace, auditrow.ExchangeDeny("complete")); ok {
		return StepFail, "policy denied: " + orDash(auditrow.Reason(row.DiagnosticsJSON))
	}
	if n, ok := f.note(4); ok {
		return n.Status, n.Detail
	}
	if row, ok := auditrow.First(ev.Trace, func(r caracal.AuditRow) bool {
		return r.EventType == "token_exchange" && auditrow.Str(r.Decision) == "allow"
	}); ok {
		return StepPass, "allowed by " + policyNames(row.DeterminingPoliciesJSON)
	}
	if f.Surface == SurfaceSTSPolicy {
		return StepFail, string(f.Cause)
	}
	return StepSkip, "no policy evaluation in the trace"
}

// Step 5: policy-set activation and propagation.
func stepActivation(ev *Evidence, f finding) (StepStatus, string) {
	if n, ok := f.note(5); ok {
		return n.Status, n.Detail
	}
	if ev.PolicySets == nil {
		return StepSkip, "policy sets could not be read"
	}
	ps := ev.ActivePolicySet()
	if ps == nil {
		return StepFail, fmt.Sprintf("%d policy set(s) registered; none active", len(ev.PolicySets))
	}
	a := ev.Activation
	switch {
	case a == nil:
		return StepPass, fmt.Sprintf("policy set %s active (propagation not checked)", ps.Name)
	case a.PropagationStatus == caracal.PropagationLoaded:
		return StepPass, fmt.Sprintf("policy set %s version %s loaded on STS", ps.Name, a.VersionID)
	case a.PropagationStatus == caracal.PropagationFailed:
		return StepFail, fmt.Sprintf("policy set %s: %s", ps.Name, propagationDetail(ev))
	}
	return StepWarn, fmt.Sprintf("policy set %s: %s", ps.Name, propagationDetail(ev))
}

// Step 6: requested scopes against the resource's declared scopes; the
// reserved agent:lifecycle never fails it.
func stepScopes(ev *Evidence, f finding) (StepStatus, string) {
	if n, ok := f.note(6); ok {
		return n.Status, n.Detail
	}
	row, ok := auditrow.ApplicationRow(ev.Trace)
	if !ok {
		return StepSkip, "no scopes in evidence"
	}
	res := ev.ResourceByIdentifier(auditrow.Meta(row.MetadataJSON, "resource"))
	scopes := auditrow.MetaStrings(row.MetadataJSON, "requested_scopes")
	switch {
	case res == nil:
		return StepSkip, "resource not found among the zone's resources"
	case len(scopes) == 0:
		return StepPass, fmt.Sprintf("%s declares %s (no scopes requested on this row)", res.Identifier, quoteList(res.Scopes))
	}
	if miss := undeclared(scopes, res); len(miss) > 0 {
		return StepFail, fmt.Sprintf("%s not declared on %s", quoteList(miss), res.Identifier)
	}
	if slices.Contains(scopes, reservedScope) {
		return StepPass, fmt.Sprintf("%s on %s: %s is reserved and needs no declaration", quoteList(scopes), res.Identifier, reservedScope)
	}
	return StepPass, fmt.Sprintf("%s declared on %s", quoteList(scopes), res.Identifier)
}

// Step 7: the Gateway route or the in-process verifier.
func stepGateway(ev *Evidence, f finding) (StepStatus, string) {
	if f.Surface == SurfaceGatewayVerifier {
		return StepFail, string(f.Cause)
	}
	row, ok := auditrow.First(ev.Trace, auditrow.OfType("gateway_resource_request"))
	if !ok {
		return StepSkip, "no Gateway forward in the trace"
	}
	gw, _ := auditrow.MetaInt(row.MetadataJSON, "gateway_status")
	detail := fmt.Sprintf("Gateway %s, status %d", auditrow.Str(row.EvaluationStatus), gw)
	if gw >= 400 {
		return StepFail, detail
	}
	return StepPass, detail
}

// Step 8: the audit trace itself.
func stepAudit(ev *Evidence, f finding) (StepStatus, string) {
	switch {
	case f.Surface == SurfaceAuditPipeline:
		return StepFail, string(f.Cause)
	case ev.HasTrace():
		last := ev.Trace.Events[len(ev.Trace.Events)-1]
		return StepPass, "audited; last row ingested at " + last.IngestedAt
	case hasMissing(ev, "request trace"):
		return StepSkip, "the trace could not be read"
	}
	return StepWarn, "no audit rows (expected for calls refused before any audited step)"
}

func policyNames(dp []map[string]any) string {
	var names []string
	for _, p := range dp {
		if n := auditrow.Meta(p, "policy"); n != "" {
			names = append(names, n)
		}
	}
	return quoteList(names)
}
