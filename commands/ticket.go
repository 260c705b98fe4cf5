package commands

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// ticketsNotConfigured is the answer when no ticket system is set up.
const ticketsNotConfigured = "tickets are not configured: set JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT, " +
	"or GITHUB_REPO and GITHUB_TOKEN, or TICKET_WEBHOOK_URL (see the tickets: section of the README)"

// TicketData is the `ticket --format json` contract.
type TicketData struct {
	// Ticket is the ticket filed or found; null when spooled or pending.
	Ticket    *tickets.Ref `json:"ticket"`
	Created   bool         `json:"created"`
	Commented bool         `json:"commented"`
	Spooled   bool         `json:"spooled"`
	Pending   bool         `json:"pending"`
	// Bundle is the bundle's file name (its manifest's name).
	Bundle    string `json:"bundle"`
	Key       string `json:"key"`
	SpoolFile string `json:"spool_file,omitempty"`
	Error     string `json:"error,omitempty"`
	Warning   string `json:"warning,omitempty"`
}

func ticketCommand() *Command {
	return &Command{
		Name:    "ticket",
		Summary: "File an escalation ticket for a request (Jira, GitHub Issues or a webhook) with a readable summary and the redacted diagnostic bundle; a second click answers with the same ticket.",
		Usage:   "ticket <request-id> [--zone Z] [--to jira|github|webhook] | ticket --retry-spooled",
		flags: withHelp(zoneFlag(),
			flagSpec{name: "to", takes: true, usage: "ticket system: jira, github or webhook (default: the configured one)", example: "jira"},
			flagSpec{name: "retry-spooled", usage: "retry now the tickets that could not be delivered and wait in the spool directory"}),
		run: runTicket,
	}
}

func runTicket(ctx context.Context, env *Env, inv chat.Invocation, a args) (Result, error) {
	svc := env.Tickets
	if svc == nil {
		return Result{}, &UnavailableError{Msg: ticketsNotConfigured}
	}
	if a.has("retry-spooled") {
		switch {
		case len(a.rest) > 0 || a.has("zone") || a.has("to"):
			return Result{}, usageErrorf("ticket --retry-spooled takes no request ID, --zone or --to")
		case env.bound:
			// The spool holds the tickets of every zone, and the answer lists them.
			return Result{}, usageErrorf("ticket --retry-spooled retries the tickets of every zone: run it on the command line or in a channel not bound to zones (the bot also retries them in the background)")
		}
		return retrySpooled(ctx, svc)
	}
	if len(a.rest) != 1 {
		return Result{}, usageErrorf("ticket needs exactly one request ID (usage: ticket <request-id> [--zone Z] [--to jira|github|webhook])")
	}
	to := strings.ToLower(a.str("to"))
	switch {
	case a.has("to") && !slices.Contains(tickets.Systems(), to):
		return Result{}, usageErrorf("--to must be jira, github or webhook, got %q", clip(a.str("to"), 32))
	case to != "" && !slices.Contains(svc.Systems(), to):
		return Result{}, usageErrorf("--to %s: that ticket system is not configured (configured: %s)", to, strings.Join(svc.Systems(), ", "))
	}
	zone, err := env.zoneFor(a)
	if err != nil {
		return Result{}, err
	}
	b, d, err := env.buildBundle(ctx, a.rest[0], zone)
	if err != nil {
		return Result{}, err
	}
	text := renderTicket(d, b, inv, env.Scrubber)
	out, err := svc.Submit(ctx, tickets.Request{
		System: to, Zone: cmp.Or(d.ZoneID, zone), RequestID: cmp.Or(d.RequestID, a.rest[0]),
		RulesetVersion: b.Manifest.RulesetVersion,
		Ticket: tickets.Ticket{Title: text.Title, Body: text.Body, Labels: ticketLabels(d),
			Attachment: &tickets.Attachment{Name: b.Name, ContentType: bundle.ContentTypeZip, Data: b.Zip}},
		DiagnosisHash: diagnosisHash(d), Comment: text.Comment,
	})
	var se *tickets.SystemError
	switch {
	case errors.As(err, &se):
		return Result{}, &UsageError{Msg: "--to " + se.Error()}
	case err != nil:
		return Result{}, &UnavailableError{Msg: "could not look up or record the ticket: " + err.Error()}
	}
	return ticketResult(out, b, d, cmp.Or(to, svc.Default())), nil
}

// ticketResult renders what Submit did: the ticket link as an item, the
// bundle as a file (so the thread has it) unless the ticket already had
// this diagnosis.
func ticketResult(out tickets.Outcome, b *bundle.Bundle, d diagnose.Diagnosis, system string) Result {
	data := TicketData{Created: out.Created, Commented: out.Commented, Spooled: out.Spooled, Pending: out.Pending,
		Bundle: b.Name, Key: out.Key, SpoolFile: out.SpoolFile, Warning: out.Warning}
	if out.Err != nil {
		data.Error = out.Err.Error()
	}
	reply := chat.Reply{Severity: chat.SeverityInfo, Fields: []chat.Field{
		{Label: "Request ID", Value: orNone(d.RequestID)}, {Label: "Zone", Value: orNone(d.ZoneID)},
		{Label: "Ticket system", Value: systemName(cmp.Or(out.Ref.System, system))}, {Label: "Bundle", Value: b.Name},
	}}
	file := []chat.File{{Name: b.Name, ContentType: bundle.ContentTypeZip, Data: b.Zip}}
	req := orNone(d.RequestID)
	if out.Ref.ID != "" {
		ref := out.Ref
		data.Ticket = &ref
		reply.Sections = []chat.Section{{Title: "Ticket", Items: []chat.Item{{Text: ref.String(), URL: ref.URL}}}}
	}
	switch {
	case out.Created:
		reply.Summary = fmt.Sprintf("Ticket %s created in %s for request %s", refID(out.Ref), systemName(out.Ref.System), req)
		reply.Files = file
	case out.Existing && out.Commented:
		reply.Summary = fmt.Sprintf("Ticket %s already exists for request %s; the diagnosis changed, so it was added as a comment", refID(out.Ref), req)
		reply.Files = file
	case out.Existing && out.Err != nil:
		reply.Severity = chat.SeverityWarning
		reply.Summary = fmt.Sprintf("Ticket %s already exists for request %s; the diagnosis changed but the comment could not be added: %s",
			refID(out.Ref), req, clip(out.Err.Error(), 300))
		reply.Files = file
	case out.Existing:
		reply.Summary = fmt.Sprintf("Ticket %s already exists for request %s (same diagnosis)", refID(out.Ref), req)
	case out.Pending:
		reply.Ephemeral = true
		reply.Summary = fmt.Sprintf("A ticket for request %s is being created right now (another click); its link will appear in the thread", req)
	case out.Spooled:
		reply.Severity = chat.SeverityWarning
		reply.Summary = fmt.Sprintf("The ticket could not be created in %s: %s. The bundle is attached to this thread and spooled; it will be retried",
			systemName(system), clip(errText(out.Err), 300))
		reply.Sections = append(reply.Sections, chat.Section{Title: "Spooled",
			Text: "The ticket request and the bundle wait in the bot's spool directory (" + filepath.Base(out.SpoolFile) + ") and are retried in the background; run ticket --retry-spooled to retry now."})
		reply.Files = file
	}
	if out.Warning != "" {
		reply.Severity = chat.SeverityWarning
		reply.Sections = append(reply.Sections, chat.Section{Title: "Warning", Text: out.Warning + ". The bundle is attached to this thread."})
	}
	if out.KeptBundle != "" {
		reply.Sections = append(reply.Sections, chat.Section{Title: "Bundle",
			Text: systemName(out.Ref.System) + " takes no attachments: the ticket says the bundle is in this thread; a copy is kept in the bot's spool directory (kept/" + filepath.Base(out.KeptBundle) + ")."})
	}
	return Result{Reply: reply, Data: data, OK: out.Ref.ID != ""}
}

// retrySpooled runs one retry pass over the spool.
func retrySpooled(ctx context.Context, svc *tickets.Service) (Result, error) {
	rep, err := svc.RetrySpooled(ctx)
	if err != nil && len(rep.Delivered)+len(rep.Failed) == 0 {
		return Result{}, &UnavailableError{Msg: "could not read the ticket spool: " + err.Error()}
	}
	type failed struct {
		Key      string `json:"key"`
		System   string `json:"system"`
		Attempts int    `json:"attempts"`
		Error    string `json:"error"`
	}
	data := struct {
		Delivered []tickets.Ref `json:"delivered"`
		Failed    []failed      `json:"failed"`
	}{Delivered: []tickets.Ref{}, Failed: []failed{}}
	var items []chat.Item
	for _, dl := range rep.Delivered {
		data.Delivered = append(data.Delivered, dl.Ref)
		items = append(items, chat.Item{Mark: chat.MarkPass, Text: dl.Ref.String() + ": " + dl.Item.Ticket.Title, URL: dl.Ref.URL})
	}
	for _, f := range rep.Failed {
		data.Failed = append(data.Failed, failed{Key: f.Item.Key, System: f.Item.System, Attempts: f.Item.Attempts, Error: f.Err.Error()})
		items = append(items, chat.Item{Mark: chat.MarkFail, Text: fmt.Sprintf("%s (%s, %d attempts): %s", f.Item.Ticket.Title, f.Item.System, f.Item.Attempts, clip(f.Err.Error(), 200))})
	}
	reply := chat.Reply{Severity: chat.SeverityOK, Summary: fmt.Sprintf("Spooled tickets: %d delivered, %d still waiting", len(rep.Delivered), len(rep.Failed))}
	if len(rep.Failed) > 0 {
		reply.Severity = chat.SeverityWarning
	}
	if len(rep.Delivered)+len(rep.Failed) == 0 {
		reply.Summary = "No spooled tickets: every ticket was delivered"
	}
	if len(items) > 0 {
		reply.Sections = []chat.Section{{Title: "Spooled tickets", Items: items}}
	}
	return Result{Reply: reply, Data: data, OK: len(rep.Failed) == 0}, nil
}

// systemName is a ticket system's name for people.
func systemName(s string) string {
	switch s {
	case tickets.SystemJira:
		return "Jira"
	case tickets.SystemGitHub:
		return "GitHub Issues"
	case tickets.SystemWebhook:
		return "the ticket webhook"
	}
	return s
}

// refID is a ticket's identifier as its system shows it: OPS-12, #12.
func refID(r tickets.Ref) string {
	if r.System == tickets.SystemGitHub {
		return "#" + r.ID
	}
	return r.ID
}

func errText(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}
