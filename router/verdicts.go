package router

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// policySetLabel names the active policy set for a verdict.
func policySetLabel(ev *Evidence) string {
	if ps := ev.ActivePolicySet(); ps != nil {
		if ev.ActiveVersion != nil {
			return fmt.Sprintf("policy set %s (version %d)", ps.Name, ev.ActiveVersion.Version)
		}
		return "policy set " + ps.Name
	}
	return "the active policy set"
}

func policyDenyVerdict(ev *Evidence, row caracal.AuditRow, reason string) string {
	app, res := applicationLabel(row), resourceLabel(row)
	scopes := metaStrings(row.MetadataJSON, "requested_scopes")
	labels := metaStrings(row.MetadataJSON, "agent_labels")
	switch reason {
	case "resource_not_granted":
		identifier := metaString(row.MetadataJSON, "resource")
		if identifier != "" && policyMentions(ev, `"`+identifier+`"`) {
			return fmt.Sprintf("%s grants %s to an application key that is not bound to %s in app_ids.", policySetLabel(ev), res, app)
		}
		return fmt.Sprintf("%s has no grant for %s that binds %s: add a grants entry and bind the application in app_ids.", policySetLabel(ev), res, app)
	case "role_scope_mismatch":
		v := fmt.Sprintf("No label of the Session (%s) maps to a role that grants %s on %s in %s.",
			quoteList(labels), scopePhrase(scopes), res, policySetLabel(ev))
		if roles := rolesGranting(ev, scopes); len(roles) > 0 {
			v += fmt.Sprintf(" Role(s) %s grant it.", strings.Join(roles, ", "))
		}
		return v
	case "no_active_policy_set":
		return fmt.Sprintf("Zone %s has no active policy-set version, so STS denies every exchange (deny-all fallback); %s was refused %s.", ev.DiagnosisZone(), app, res)
	case "no_rule_matched":
		return noRuleMatchedVerdict(row, app, res, scopes)
	case "delegation_scope_exceeded":
		return fmt.Sprintf("%s requested %s on %s, outside the Delegation's scopes.", app, scopePhrase(scopes), res)
	case "confinement_violation":
		return fmt.Sprintf("A confinement rule for the Session's label prefix (%s) caps the scopes below %s on %s.", quoteList(labels), scopePhrase(scopes), res)
	case "restriction_active":
		return fmt.Sprintf("A restrict entry in %s freezes the zone: every exchange is denied until it is removed.", policySetLabel(ev))
	case "malformed_risk_data":
		return fmt.Sprintf("A risk entry in %s is not a {scope, tier} pair of strings, so STS denies.", policySetLabel(ev))
	case "malformed_approval_data":
		return fmt.Sprintf("An approval_tiers entry in %s is invalid (tier, approver, privacy or ttl_seconds), so STS denies.", policySetLabel(ev))
	case "mandate_target_mismatch":
		return fmt.Sprintf("The mandate presented to the Gateway does not target %s: it was minted for another resource, or X-Caracal-Resource is wrong.", res)
	}
	return fmt.Sprintf("The policy engine denied %s on %s with reason %s.", app, res, reason)
}

func noRuleMatchedVerdict(row caracal.AuditRow, app, res string, scopes []string) string {
	hasLifecycle := false
	for _, s := range scopes {
		if s == "agent:lifecycle" {
			hasLifecycle = true
		}
	}
	session := metaString(row.MetadataJSON, "agent_session_id")
	edge := metaString(row.MetadataJSON, "delegation_edge_id")
	var missed string
	switch {
	case hasLifecycle && len(scopes) > 1:
		missed = "agent:lifecycle may only be requested alone (the bootstrap path)"
	case session == "" || edge == "":
		missed = "business scopes need the delegated-mint path (a Session plus a Delegation); a plain client-secret exchange matches no allow rule"
	default:
		missed = "it fits none of the allow paths (bootstrap, delegated mint, mandate use, workload mint)"
	}
	return fmt.Sprintf("The request shape of %s for %s on %s matched no allow rule: %s.", app, scopePhrase(scopes), res, missed)
}

func gateVerdict(ev *Evidence, row caracal.AuditRow, status string) string {
	app, res := applicationLabel(row), resourceLabel(row)
	identifier := metaString(row.MetadataJSON, "resource")
	resource := ev.ResourceByIdentifier(identifier)
	switch status {
	case "scope_mismatch":
		declared := "unknown (resources could not be read)"
		if resource != nil {
			declared = quoteList(resource.Scopes)
		}
		if scopes := metaStrings(row.MetadataJSON, "requested_scopes"); len(scopes) > 0 && resource != nil {
			if miss := missingFrom(scopes, resource.Scopes); len(miss) > 0 {
				return fmt.Sprintf("%s is not declared on %s (declared: %s), so STS refused to mint it for %s.", scopePhrase(miss), res, declared, app)
			}
		}
		return fmt.Sprintf("%s requested a scope that is not declared on %s (declared: %s), so STS refused to mint before any policy ran.", app, res, declared)
	case "operation_not_permitted":
		return operationVerdict(row, resource, app, res)
	case "resource_not_found":
		known := "unknown"
		if ev.Resources != nil {
			known = quoteList(resourceIdentifiers(ev.Resources))
		}
		return fmt.Sprintf("%s asked for %s, which does not exist in zone %s (known: %s).", app, orDash(identifier), ev.DiagnosisZone(), known)
	case "rate_limited":
		return fmt.Sprintf("STS's mint rate limit for %s on %s was exceeded (STS_MINT_RATE_LIMIT_PER_MIN, default 1000/min, counts mints and Gateway re-exchanges), or Redis was unavailable for the counter; the caller saw 403 \"policy denied\", not 429.", app, res)
	}
	v := fmt.Sprintf("STS's %s gate denied %s on %s before or around policy", status, app, res)
	if reason := metaString(row.MetadataJSON, "reason"); reason != "" {
		v += " (reason " + reason + ")"
	}
	return v + "."
}

func operationVerdict(row caracal.AuditRow, resource *caracal.Resource, app, res string) string {
	method, path := metaString(row.MetadataJSON, "method"), metaString(row.MetadataJSON, "path")
	op := strings.TrimSpace(method + " " + path)
	if resource != nil {
		for _, o := range resource.Operations {
			if strings.EqualFold(o.Method, method) && o.Path == path {
				return fmt.Sprintf("Operation %s on enforced %s requires scope %s, which the mandate of %s does not carry.", op, res, o.Scope, app)
			}
		}
	}
	return fmt.Sprintf("Operation %s is not declared on enforced %s, so the Gateway refused %s (403 operation_not_permitted).", orDash(op), res, app)
}

func approvalVerdict(ev *Evidence, state string) string {
	row, ok := firstRow(ev.Trace, eventType("step_up_issued"))
	if !ok {
		return fmt.Sprintf("The mint is held for human approval (401 interaction_required); the approval is %s.", state)
	}
	m := row.MetadataJSON
	return fmt.Sprintf("The mint of %s is held for human approval (tier %s, approver %s); approval %s is %s and expires at %s.",
		applicationLabel(row), orDash(metaString(m, "tier")), orDash(metaString(m, "approver_class")),
		orDash(metaString(m, "challenge_id")), state, orDash(metaString(m, "expires_at")))
}

func verifierVerdict(h Hints) string {
	base := fmt.Sprintf("The resource server's in-process verifier refused the call (%s) and wrote no audit row", hintLabel(h))
	switch h.ErrorCode {
	case "insufficient_scope":
		return base + ": the route requires a scope the mandate does not carry. Declare it on the resource, grant it to the Session's role and mint again."
	case "invalid_zone":
		return base + ": the mandate's zone_id differs from the verifier's configured zone."
	case "missing_token":
		return base + ": the request carried no bearer token."
	case "delegation_stale":
		return base + ": the Delegation graph changed after the mandate was minted; mint again."
	}
	return base + "."
}

func unknownVerdict(ev *Evidence) string {
	where := "zone " + ev.AskedZone
	if len(ev.SearchedZones) > 1 {
		where = fmt.Sprintf("%d zones", len(ev.SearchedZones))
	}
	if ev.Trace == nil && hasMissing(ev, "request trace") {
		return fmt.Sprintf("The request trace for %s could not be read, and nothing else decides the cause; retry, or add the HTTP status and error code the caller saw (--status, --error).", ev.Query.RequestID)
	}
	return fmt.Sprintf("Caracal has no audit rows for %s in %s and nothing else points to a cause. Add what the caller saw (--status 403 --error access_denied) or whether the call worked (--symptom no-audit or revoked).", ev.Query.RequestID, where)
}

func hasMissing(ev *Evidence, what string) bool {
	for _, m := range ev.Missing {
		if m.What == what {
			return true
		}
	}
	return false
}

func scopePhrase(scopes []string) string {
	switch len(scopes) {
	case 0:
		return "the requested scopes"
	case 1:
		return "scope " + scopes[0]
	}
	return "scopes " + strings.Join(scopes, ", ")
}

func resourceIdentifiers(rs []caracal.Resource) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Identifier)
	}
	return out
}

// policyMentions reports whether any loaded policy data document contains s.
func policyMentions(ev *Evidence, s string) bool {
	for _, d := range ev.PolicyDocuments {
		if strings.Contains(d.Content, s) {
			return true
		}
	}
	return false
}

// roleEntry matches `"role": ["scope", ...]` in a Rego data document.
func roleEntry() *regexp.Regexp {
	return regexp.MustCompile(`"([^"\n]{1,128})"\s*:\s*\[([^\]]{0,1000})\]`)
}

// rolesGranting finds, best effort, the role names whose scope list in the
// loaded data documents covers every scope asked.
func rolesGranting(ev *Evidence, scopes []string) []string {
	if len(scopes) == 0 || len(ev.PolicyDocuments) == 0 {
		return nil
	}
	re := roleEntry()
	found := map[string]bool{}
	for _, d := range ev.PolicyDocuments {
		for _, m := range re.FindAllStringSubmatch(d.Content, -1) {
			if len(missingFrom(scopes, quotedStrings(m[2]))) == 0 {
				found[m[1]] = true
			}
		}
	}
	out := make([]string, 0, len(found))
	for r := range found {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func quotedStrings(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.Trim(strings.TrimSpace(part), `"`); p != "" {
			out = append(out, p)
		}
	}
	return out
}
