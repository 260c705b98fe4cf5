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

// ticketText is what a ticket says about a diagnosis, every value redacted
// and escaped: the title, the summary markdown and the comment posted when
// the diagnosis of a ticketed request changed.
type ticketText struct {
	Title, Markdown, Comment string
}

// renderTicket writes the ticket's title and summary from the diagnosis:
// verdict, surface and cause, the eight steps, next actions and missing
// evidence. Every value goes through the bot's scrubber first, then
// markdown escaping, so neither a token nor markup in Caracal data reaches
// the ticket system.
func renderTicket(d diagnose.Diagnosis, b *bundle.Bundle, inv chat.Invocation, red *redact.Scrubber) ticketText {
	clean := red.String
	txt := func(s string) string { return chat.EscapeMarkdown(chat.OneLine(clean(s))) }
	code := func(s string) string {
		return "`" + strings.ReplaceAll(chat.StripControl(chat.OneLine(clean(orNone(s)))), "`", "'") + "`"
	}

	title := chat.OneLine(clean(fmt.Sprintf("[caracal] %s/%s: %s (request %s)", d.Surface, d.Cause, d.Verdict, d.RequestID)))
	if r := []rune(title); len(r) > maxTicketTitle {
		title = string(r[:maxTicketTitle-1]) + "…"
	}

	var body strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&body, format+"\n", a...) }
	line("## %s", txt(d.Verdict))
	line("")
	line("- **Request ID:** %s", code(d.RequestID))
	line("- **Zone:** %s", code(d.ZoneID))
	line("- **Surface / cause:** %s / %s", code(string(d.Surface)), code(string(d.Cause)))
	line("- **Decision:** %s", txt(orNone(d.Decision)))
	line("- **Severity:** %s", txt(string(d.Severity())))
	line("- **Bundle:** %s (%d files, %d redactions)", code(b.Name), len(b.Manifest.Files)+1, len(b.Manifest.Redactions))
	line("")
	line("### Steps")
	line("")
	for _, s := range d.Steps {
		line("%d. %s **%s**: %s", s.N, chat.MarkEmoji(string(s.Status)), txt(s.Name), txt(s.Detail))
	}
	if len(d.NextActions) > 0 {
		line("")
		line("### Next actions")
		line("")
		for i, a := range d.NextActions {
			docs := ""
			if u, ok := chat.SafeURL(clean(a.Doc)); ok {
				docs = " ([docs](" + u + "))"
			}
			line("%d. %s%s", i+1, txt(a.Text), docs)
		}
	}
	if len(d.MissingEvidence) > 0 {
		line("")
		line("### Missing evidence")
		line("")
		for _, m := range d.MissingEvidence {
			line("- %s: %s (%s)", txt(m.What), txt(m.Reason), txt(m.Source))
		}
	}
	line("")
	who := cmp.Or(inv.UserName, inv.UserID)
	if who != "" {
		who = " by " + txt(who)
	}
	line("_Filed by caracal-bot from %s%s. Ruleset %s, bundle format %s._", txt(cmp.Or(inv.Platform, "the command line")), who,
		code(b.Manifest.RulesetVersion), code(b.Manifest.Format))
	md := body.String()
	comment := "### The diagnosis of request " + code(d.RequestID) + " changed\n\nRe-run by caracal-bot; the new bundle " +
		code(b.Name) + " is attached in the chat thread.\n\n" + md
	return ticketText{Title: title, Markdown: md, Comment: comment}
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
