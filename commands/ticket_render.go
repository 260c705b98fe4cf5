package commands

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/redact"
)

// maxTicketTitle bounds a ticket's title (Jira allows 255).
const maxTicketTitle = 200

// ticketText is what a ticket says about a diagnosis, every value
// redacted: the title, the summary and the comment posted when the
// diagnosis of a ticketed request changed. Summary and comment are
// structure (tickets.Doc), not markup: each ticket system's renderer writes
// the bot's headings, lists and labels in its markup and escapes every
// value for it.
type ticketText struct {
	Title         string
	Body, Comment tickets.Doc
}

// renderTicket writes the ticket's title and summary from the diagnosis:
// verdict, surface and cause, the eight steps, next actions and missing
// evidence. Every value goes through the bot's scrubber, so no token
// reaches the ticket system.
func renderTicket(d diagnose.Diagnosis, b *bundle.Bundle, inv chat.Invocation, red *redact.Scrubber) ticketText {
	clean := red.String
	text := func(s string) tickets.Span { return tickets.Text(clean(s)) }
	code := func(s string) tickets.Span { return tickets.Code(clean(orNone(s))) }

	title := chat.OneLine(clean(fmt.Sprintf("[caracal] %s/%s: %s (request %s)", d.Surface, d.Cause, d.Verdict, d.RequestID)))
	if r := []rune(title); len(r) > maxTicketTitle {
		title = string(r[:maxTicketTitle-1]) + "…"
	}

	var body tickets.Doc
	field := func(label string, value ...tickets.Span) {
		body.Bullet(append([]tickets.Span{tickets.Strong(label + ":"), tickets.Text(" ")}, value...)...)
	}
	body.Heading(2, text(d.Verdict))
	field("Request ID", code(d.RequestID))
	field("Zone", code(d.ZoneID))
	field("Surface / cause", code(string(d.Surface)), tickets.Text(" / "), code(string(d.Cause)))
	field("Decision", text(orNone(d.Decision)))
	field("Severity", text(string(d.Severity())))
	field("Bundle", code(b.Name), tickets.Text(fmt.Sprintf(" (%d files, %d redactions)", len(b.Manifest.Files)+1, len(b.Manifest.Redactions))))
	body.Heading(3, tickets.Text("Steps"))
	for _, s := range d.Steps {
		body.Numbered(s.N, tickets.Text(chat.MarkEmoji(string(s.Status))+" "), tickets.Strong(clean(s.Name)), tickets.Text(": "), text(s.Detail))
	}
	if len(d.NextActions) > 0 {
		body.Heading(3, tickets.Text("Next actions"))
		for i, a := range d.NextActions {
			spans := []tickets.Span{text(a.Text)}
			if u, ok := chat.SafeURL(clean(a.Doc)); ok {
				spans = append(spans, tickets.Text(" ("), tickets.Link("docs", u), tickets.Text(")"))
			}
			body.Numbered(i+1, spans...)
		}
	}
	if len(d.MissingEvidence) > 0 {
		body.Heading(3, tickets.Text("Missing evidence"))
		for _, m := range d.MissingEvidence {
			body.Bullet(text(m.What), tickets.Text(": "), text(m.Reason), tickets.Text(" ("), text(m.Source), tickets.Text(")"))
		}
	}
	filed := []tickets.Span{tickets.Text("Filed by caracal-bot from "), text(cmp.Or(inv.Platform, "the command line"))}
	if who := cmp.Or(inv.UserName, inv.UserID); who != "" {
		filed = append(filed, tickets.Text(" by "), text(who))
	}
	body.Paragraph(append(filed, tickets.Text(". Ruleset "), code(b.Manifest.RulesetVersion),
		tickets.Text(", bundle format "), code(b.Manifest.Format), tickets.Text("."))...)

	var comment tickets.Doc
	comment.Heading(3, tickets.Text("The diagnosis of request "), code(d.RequestID), tickets.Text(" changed"))
	comment.Paragraph(tickets.Text("Re-run by caracal-bot; the new bundle "), code(b.Name), tickets.Text(" is attached in the chat thread."))
	comment.Append(body)
	return ticketText{Title: title, Body: body, Comment: comment}
}

// diagnosisHash fingerprints what the ticket reports (see tickets.DiagnosisHash).
func diagnosisHash(d diagnose.Diagnosis) string {
	steps := make([]string, len(d.Steps))
	for i, s := range d.Steps {
		steps[i] = fmt.Sprintf("%d %s %s %s", s.N, s.Name, s.Status, s.Detail)
	}
	return tickets.DiagnosisHash(string(d.Surface), string(d.Cause), d.Verdict, steps)
}

// ticketLabels are the labels the command adds: the bot's and the surface's.
func ticketLabels(d diagnose.Diagnosis) []string {
	labels := []string{"caracal-bot"}
	if d.Surface != "" {
		labels = append(labels, "caracal-"+strings.ReplaceAll(string(d.Surface), " ", "-"))
	}
	return labels
}
