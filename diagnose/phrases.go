package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// How verdicts name what they are about.

// hintLabel renders what the caller saw, e.g. `403 access_denied "policy denied"`.
func hintLabel(h Hints) string {
	var parts []string
	if h.Status != 0 {
		parts = append(parts, fmt.Sprintf("%d", h.Status))
	}
	if h.ErrorCode != "" {
		parts = append(parts, h.ErrorCode)
	}
	if h.Description != "" {
		parts = append(parts, fmt.Sprintf("%q", h.Description))
	}
	if len(parts) == 0 {
		return "an error"
	}
	return strings.Join(parts, " ")
}

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

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func hasMissing(ev *Evidence, what string) bool {
	for _, m := range ev.Missing {
		if m.What == what {
			return true
		}
	}
	return false
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

// appIDsKey finds, best effort, the key that binds an application id in the
// app_ids of the loaded data documents (`"key": "<id>"`).
func appIDsKey(ev *Evidence, id string) (string, bool) {
	if id == "" {
		return "", false
	}
	for _, d := range ev.PolicyDocuments {
		key, found := "", false
		scanDataDocument(d.Content, func(e dataEntry) {
			if !found && !e.IsList && e.Value == id {
				key, found = e.Key, true
			}
		})
		if found {
			return key, true
		}
	}
	return "", false
}

// rolesGranting finds, best effort, the role names whose scope list
// (`"role": ["scope", ...]`) in the loaded data documents covers every
// scope asked.
func rolesGranting(ev *Evidence, scopes []string) []string {
	if len(scopes) == 0 || len(ev.PolicyDocuments) == 0 {
		return nil
	}
	found := map[string]bool{}
	for _, d := range ev.PolicyDocuments {
		scanDataDocument(d.Content, func(e dataEntry) {
			if e.IsList && !found[e.Key] && len(missingFrom(scopes, e.List)) == 0 {
				found[e.Key] = true
			}
		})
	}
	out := make([]string, 0, len(found))
	for r := range found {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// notFoundInItsZone says that the request was looked up in the asked zone
// only, because the bot's token is zone-scoped (Evidence.SearchedOnlyItsZone).
func notFoundInItsZone(ev *Evidence) string {
	return fmt.Sprintf("Request %s was not found in zone %s, and other zones cannot be searched with this token (it is zone-scoped)", ev.Query.RequestID, ev.AskedZone)
}

// searchElsewhere is the first fix when the request was not found in the
// only zone the bot's token can search.
func searchElsewhere() NextAction {
	return NextAction{Text: "Ask in the zone where the call ran (`why {{request}} --zone <zone>`), or give the bot a global read-only token so that it searches every zone.",
		Page: DocAuditLedger, When: (*Evidence).SearchedOnlyItsZone}
}

// The exchanges STS decides (exchangePath).
const (
	gatewayPath = "the Gateway's re-exchange" // of a mandate presented to the Gateway
	mintPath    = "the mint"
)

// exchangePath names the exchange STS decided: gatewayPath, mintPath, or ""
// when the evidence cannot tell. The
// Gateway's path shows in the trace (a gateway_resource_request row, a
// mandate-use policy, a gate only the Gateway's exchange has, a
// mandate_target_mismatch) or in the request ID: the Gateway generates
// UUIDv4-form IDs, STS UUIDv7 ones, and the SDK sends none (API.md §2.1,
// §7.5–7.7; inferred from the ID when the trace does not say).
func exchangePath(ev *Evidence) string {
	for _, r := range traceRows(ev) {
		switch {
		case r.EventType == "gateway_resource_request",
			strings.HasSuffix(policyNames(r.DeterminingPoliciesJSON), "-use"),
			auditrow.Reason(r.DiagnosticsJSON) == string(CauseMandateTargetMismatch):
			return gatewayPath
		}
		switch Cause(auditrow.Str(r.EvaluationStatus)) {
		case CauseOperationNotPermitted, CauseProviderUnavailable, CauseProviderCredentialUnavailable:
			return gatewayPath
		}
	}
	switch uuidVersion(ev.Query.RequestID) {
	case '4':
		return gatewayPath
	case '7':
		return mintPath
	}
	return ""
}

// traceRows are the trace's rows, none without a trace.
func traceRows(ev *Evidence) []caracal.AuditRow {
	if ev.Trace == nil {
		return nil
	}
	return ev.Trace.Events
}

// uuidVersion returns the version digit of a UUID, 0 for anything else.
func uuidVersion(id string) byte {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return 0
	}
	return id[14]
}

// onPath is " at <the exchange>" for a verdict, "" when the path is unknown.
func onPath(ev *Evidence) string {
	if p := exchangePath(ev); p != "" {
		return " at " + p
	}
	return ""
}
