package diagnose

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Causes on the resource_definition surface: the resource does not declare
// what the call needs.
const (
	CauseScopeNotDeclared          Cause = "scope_not_declared"
	CauseOperationNotPermitted     Cause = "operation_not_permitted"
	CauseUpstreamInsufficientScope Cause = "upstream_insufficient_scope"
)

func scopeNotDeclared() Entry {
	return Entry{
		Cause: CauseScopeNotDeclared, Surface: SurfaceResourceDefinition,
		Rules: []Rule{gateRule(5, "scope_mismatch")},
		Verdict: func(ev *Evidence) string {
			row, _ := gateDenyRow(ev, "scope_mismatch")
			app, res := applicationLabel(ev, row), resourceLabel(row)
			resource := ev.ResourceByIdentifier(auditrow.Meta(row.MetadataJSON, "resource"))
			declared := "unknown (resources could not be read)"
			if resource != nil {
				declared = quoteList(resource.Scopes)
			}
			if scopes := auditrow.MetaStrings(row.MetadataJSON, "requested_scopes"); len(scopes) > 0 && resource != nil {
				if miss := undeclared(scopes, resource); len(miss) > 0 {
					return fmt.Sprintf("%s is not declared on %s (declared: %s), so STS refused to mint it for %s.", scopePhrase(miss), res, declared, app)
				}
			}
			return fmt.Sprintf("%s requested a scope that is not declared on %s (declared: %s), so STS refused to mint before any policy ran.", app, res, declared)
		},
		Actions: undeclaredScopeActions(),
		Steps:   []StepNote{failsStep(6, CauseScopeNotDeclared)},
	}
}

func operationNotPermitted() Entry {
	return Entry{
		Cause: CauseOperationNotPermitted, Surface: SurfaceResourceDefinition,
		Rules: []Rule{gateRule(6, "operation_not_permitted")},
		Verdict: func(ev *Evidence) string {
			row, _ := gateDenyRow(ev, "operation_not_permitted")
			app, res := applicationLabel(ev, row), resourceLabel(row)
			method, path := auditrow.Meta(row.MetadataJSON, "method"), auditrow.Meta(row.MetadataJSON, "path")
			op := strings.TrimSpace(method + " " + path)
			if resource := ev.ResourceByIdentifier(auditrow.Meta(row.MetadataJSON, "resource")); resource != nil {
				for _, o := range resource.Operations {
					if strings.EqualFold(o.Method, method) && o.Path == path {
						return fmt.Sprintf("At the Gateway's re-exchange, operation %s on enforced %s requires scope %s, which the mandate of %s does not carry. A mandate minted for another resource and sent here is refused this way too: the operation check comes first.", op, res, o.Scope, app)
					}
				}
			}
			return fmt.Sprintf("Operation %s is not declared on enforced %s, so STS refused the Gateway's re-exchange for %s (403 operation_not_permitted, passed through by the Gateway).", orDash(op), res, app)
		},
		Actions: []NextAction{
			{Text: "Declare the operation (method and path with its scope) on the enforced resource, or switch it to transport_uniform.", Page: DocGateway},
			{Text: "Mint with the operation's scope.", Page: DocResourceGrant},
		},
		Steps: []StepNote{failsStep(6, CauseOperationNotPermitted)},
	}
}

func upstreamInsufficientScope() Entry {
	return Entry{
		Cause: CauseUpstreamInsufficientScope, Surface: SurfaceResourceDefinition,
		Rules: []Rule{{Row: 14, When: "the trace allows, then gateway_resource_request with upstream status 403",
			Match: func(ev *Evidence) bool {
				row, ok := gatewayAfterAllow(ev)
				st, _ := auditrow.MetaInt(row.MetadataJSON, "upstream_status")
				return ok && st == 403
			}}},
		Verdict: func(ev *Evidence) string {
			row, _ := gatewayAfterAllow(ev)
			return fmt.Sprintf("Caracal allowed the call, but the upstream behind %s answered 403: its route requires a scope the mandate does not carry. Declare that scope on the resource and grant it to the Session's role.",
				resourceLabel(row))
		},
		Actions: undeclaredScopeActions(),
		Steps:   []StepNote{failsStep(6, CauseUpstreamInsufficientScope)},
	}
}

// undeclaredScopeActions fix a scope the resource never declared.
func undeclaredScopeActions() []NextAction {
	return []NextAction{
		{Text: "Declare the scope on the resource (Admin API resources, `scopes`).", Page: DocResourceGrant},
		{Text: "Grant it to the Session's role in the data document and activate a new version.", Page: DocAuthorPolicy},
		{Text: "Mint again; a mandate only carries scopes the resource declared when it was minted.", Page: DocFAQ},
	}
}
