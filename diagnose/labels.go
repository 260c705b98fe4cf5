package diagnose

import (
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// engineError returns the engine message of a policy_eval_failed row.
func engineError(diags []map[string]any) string {
	for _, d := range diags {
		if s := auditrow.Meta(d, "error"); s != "" {
			return s
		}
	}
	return ""
}

// applicationLabel names the acting application of a row for a verdict.
func applicationLabel(r caracal.AuditRow) string {
	name := auditrow.Meta(r.MetadataJSON, "application_name")
	if name == "" {
		name = auditrow.Meta(r.MetadataJSON, "application_id")
	}
	if name == "" {
		name = auditrow.Meta(r.MetadataJSON, "client_id")
	}
	if name == "" {
		return "the application"
	}
	return "application " + name
}

// resourceLabel names the resource of a row for a verdict.
func resourceLabel(r caracal.AuditRow) string {
	if res := auditrow.Meta(r.MetadataJSON, "resource"); res != "" {
		return "resource " + res
	}
	if req := auditrow.MetaStrings(r.MetadataJSON, "requested"); len(req) > 0 {
		return "resource " + strings.Join(req, ", ")
	}
	return "the resource"
}

func quoteList(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, ", ")
}

// missingFrom returns the scopes of want that are not in have.
func missingFrom(want, have []string) []string {
	set := make(map[string]bool, len(have))
	for _, h := range have {
		set[h] = true
	}
	var out []string
	for _, w := range want {
		if !set[w] {
			out = append(out, w)
		}
	}
	return out
}
