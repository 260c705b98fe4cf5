package diagnose

import (
	"cmp"
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

// applicationLabel names the acting application of a row for a verdict, by
// its name: the row's, else the zone's application of the row's id.
func applicationLabel(ev *Evidence, r caracal.AuditRow) string {
	name, id := applicationOf(ev, r)
	switch {
	case name != "":
		return "application " + name
	case id != "":
		return "application " + id
	}
	return "the application"
}

// applicationOf returns the name and the id of a row's acting application:
// application_id, or client_id on replay_detected rows (API.md §7.8); the
// name is the row's application_name, else looked up in the zone's
// applications ("" when unknown).
func applicationOf(ev *Evidence, r caracal.AuditRow) (name, id string) {
	id = cmp.Or(auditrow.Meta(r.MetadataJSON, "application_id"), auditrow.Meta(r.MetadataJSON, "client_id"))
	if name = auditrow.Meta(r.MetadataJSON, "application_name"); name != "" || id == "" {
		return name, id
	}
	for _, a := range ev.Applications {
		if a.ID == id {
			return a.Name, id
		}
	}
	return "", id
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

// reservedScope is the scope of the bootstrap path, which a resource never
// needs to declare (API.md §0, §6.4).
const reservedScope = "agent:lifecycle"

// undeclared returns the scopes asked that the resource does not declare;
// the reserved agent:lifecycle is never one of them.
func undeclared(scopes []string, res *caracal.Resource) []string {
	var out []string
	for _, s := range missingFrom(scopes, res.Scopes) {
		if s != reservedScope {
			out = append(out, s)
		}
	}
	return out
}
