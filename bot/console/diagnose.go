package console

import (
	"io"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

// DiagnoseCommand is the terminal's "Diagnose with Caracal" (Slack's
// message shortcut, Discord's message command): `/diagnose <pasted
// line>` posts the line as the user's message in the channel, then uses
// the action on it, so the answer goes into the message's thread.
const DiagnoseCommand = "diagnose"

// threadGutter is the width of the gutter before an answer drawn in a
// message's thread: "    │ ".
const threadGutter = gutterIndent + 2

// diagnoseUsage answers /diagnose without a message.
const diagnoseUsage = "usage: /diagnose <pasted line>: posts the line as your message, then runs " + chat.DiagnoseLabel + " on it"

// RenderDiagnosis writes user's message and the answer Diagnose with
// Caracal gave it, as a chat channel shows them: the message, then its
// thread holding the answer (the verdict with its fields and buttons,
// then each section); an ephemeral answer (no error in the message, a
// refusal) goes under the message, only visible to the user, as in chat.
// Text is stripped of control characters and wrapped to opt.Width, which
// leaves the answer inside the thread at least Render's narrowest width.
func RenderDiagnosis(w io.Writer, user, message string, r chat.Reply, opt Options) error {
	p := &printer{opt: opt.withDefaults()}
	p.opt.Width = max(p.opt.Width, minWidth+threadGutter)
	p.message(user, message)
	if r.Ephemeral {
		p.root(r)
		p.thread(r.Sections)
	} else {
		// One thread: the verdict behind its gutter, then the sections
		// as a thread shows them.
		p.line("  ", p.paint(sgrDim, "└ thread"))
		bar, width := strings.Repeat(" ", gutterIndent)+p.paint(sgrDim, "│"), p.opt.Width
		p.prefix, p.opt.Width = bar+" ", width-threadGutter
		p.root(r)
		p.prefix, p.opt.Width = bar, width
		if len(r.Sections) > 0 {
			p.line()
			p.sections(r.Sections, "", width-gutterIndent-4)
		}
	}
	_, err := io.WriteString(w, p.b.String())
	return err
}

// message prints a user's message: their name, then its lines wrapped
// beside it (blank lines dropped).
func (p *printer) message(user, text string) {
	name := chat.OneLine(user)
	indent := strings.Repeat(" ", chat.DisplayWidth(name)+2)
	first := true
	for _, para := range strings.Split(strings.TrimSpace(chat.StripControl(text)), "\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		for _, l := range wrap(para, p.opt.Width-len(indent)) {
			if first {
				p.line(p.paint(sgrBold, name), "  ", l)
				first = false
			} else {
				p.line(indent, l)
			}
		}
	}
}
