package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func auditCommand() *Command {
	return &Command{
		Name:    "audit",
		Summary: "Recent audit events of a zone, newest first.",
		Usage:   "audit [--decision allow|deny] [--since 24h] [--application APP_ID] [--limit N] [--zone Z]",
		flags: withHelp(zoneFlag(),
			flagSpec{name: "decision", takes: true, usage: "allow or deny", example: "deny"},
			flagSpec{name: "since", takes: true, usage: "how far back, e.g. 30m, 24h, 7d (default 24h)", example: "24h"},
			flagSpec{name: "application", takes: true, usage: "application ID", example: "019f230e-d6df-74ba-b084-de0d74d7d04b"},
			flagSpec{name: "limit", takes: true, usage: "rows to show, 1-1000 (default 20)", example: "50"}),
		run: runAudit,
	}
}

func runAudit(ctx context.Context, env *Env, inv chat.Invocation, a args) (Result, error) {
	if len(a.rest) > 0 {
		return Result{}, usageErrorf("audit takes only flags (usage: audit [--decision allow|deny] [--since 24h] [--application A] [--limit N])")
	}
	q := caracal.AuditQuery{ApplicationID: a.str("application")}
	if d := a.str("decision"); d != "" {
		if d != "allow" && d != "deny" {
			return Result{}, usageErrorf("--decision must be allow or deny, got %q", clip(d, 16))
		}
		q.Decision = d
	}
	since, err := a.duration("since", 24*time.Hour, 90*24*time.Hour)
	if err != nil {
		return Result{}, err
	}
	if q.Limit, err = a.intIn("limit", 1, 1000, 20); err != nil {
		return Result{}, err
	}
	if len(q.ApplicationID) > 128 {
		return Result{}, usageErrorf("--application is at most 128 characters")
	}
	zone, err := env.zoneFor(a)
	if err != nil {
		return Result{}, err
	}
	if zone == "" {
		return Result{}, usageErrorf("audit needs a zone: pass --zone or set CARACAL_ZONE_ID")
	}
	q.Since = env.Now().Add(-since).UTC()
	ctx, cancel := context.WithTimeout(ctx, env.timeout())
	defer cancel()
	page, err := env.Caracal.Audit(ctx, zone, q)
	if err != nil {
		if e, ok := caracal.AsError(err); ok && e.Status == 401 {
			return Result{}, &UnavailableError{Msg: "Caracal rejected the bot's admin token (401 invalid_admin_token): set CARACAL_ADMIN_TOKEN to a valid read-only token"}
		}
		return Result{}, &UnavailableError{Msg: "could not read the audit list: " + err.Error()}
	}
	if len(page.Items) == 0 {
		if err := env.zoneMustExist(ctx, zone); err != nil {
			return Result{}, err
		}
	}
	reply := chat.Reply{
		Summary:  fmt.Sprintf("%d audit event(s) in zone %s since %s.", len(page.Items), zone, q.Since.Format(time.RFC3339)),
		Severity: chat.SeverityInfo,
		// The command line shows each event's request ID, to run why on.
		Sections: []chat.Section{{Title: "Audit events", Table: auditTable(page.Items, inv.Platform == PlatformCLI)}},
	}
	if page.NextCursor != nil {
		reply.Sections = append(reply.Sections, chat.Section{Text: fmt.Sprintf("More events exist; raise --limit (now %d) or narrow --since.", q.Limit)})
	}
	return Result{Reply: reply, Data: page, OK: true}, nil
}
