// Package console is the terminal chat: it draws a chat.Reply the way a chat
// channel would (a root message, then its thread) and runs an interactive or
// scripted session against a command handler. `caracal-bot demo` and the
// CLI's text output use it.
package console

import (
	"io"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Options shape the terminal output.
type Options struct {
	Color  bool   // ANSI colours and bold
	Width  int    // wrap width in columns; 0 means 100
	User   string // who is typing; "" means "you"
	Prompt string // input prompt; "" means "<user>> "
}

const (
	botName      = "caracal-bot"
	defaultWidth = 100
	minWidth     = 40
)

// rootIndent lines the root message's fields up under its text:
// len(botName) plus two spaces.
const rootIndent = "             "

// ANSI SGR codes used by the renderer.
const (
	sgrBold      = "1"
	sgrDim       = "2"
	sgrNote      = "2;3"
	sgrBot       = "1;36"
	sgrURL       = "4;34"
	sgrPrimary   = "1;36"
	sgrDanger    = "1;31"
	sgrButton    = "36"
	sgrGreen     = "32"
	sgrRed       = "31"
	sgrYellow    = "33"
	sgrBlue      = "34"
	sgrOutage    = "1;35"
	gutterIndent = 4 // columns before the thread's "│"
)

func (o Options) withDefaults() Options {
	if o.Width <= 0 {
		o.Width = defaultWidth
	}
	o.Width = max(o.Width, minWidth)
	if o.User == "" {
		o.User = "you"
	}
	if o.Prompt == "" {
		o.Prompt = o.User + "> "
	}
	return o
}

// Render writes the reply as a chat message: "caracal-bot  <mark> <summary>",
// the fields, buttons and files under it, then "└ thread" with each section
// behind a "│" gutter. Text is stripped of control characters, wrapped to
// opt.Width, and coloured only when opt.Color is set.
func Render(w io.Writer, r chat.Reply, opt Options) error {
	p := &printer{opt: opt.withDefaults()}
	p.root(r)
	p.thread(r.Sections)
	_, err := io.WriteString(w, p.b.String())
	return err
}

// printer accumulates the rendered lines of one reply.
type printer struct {
	opt Options
	b   strings.Builder
	// prefix starts every line: the gutter of the thread a reply is
	// drawn in (see RenderDiagnosis); opt.Width leaves room for it.
	prefix string
}

func (p *printer) line(parts ...string) {
	p.b.WriteString(strings.TrimRight(p.prefix+strings.Join(parts, ""), " "))
	p.b.WriteByte('\n')
}

// paint wraps s in an SGR code when colour is on.
func (p *printer) paint(code, s string) string {
	if !p.opt.Color || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) root(r chat.Reply) {
	mark := r.Severity.Emoji()
	summary := chat.OneLine(r.Summary)
	if summary == "" {
		summary = "(no summary)"
	}
	textCol := len(rootIndent) + chat.DisplayWidth(mark) + 1
	for i, l := range wrap(summary, p.opt.Width-textCol) {
		if i == 0 {
			p.line(p.paint(sgrBot, botName), "  ", mark, " ", p.paint(severityColor(r.Severity), l))
		} else {
			p.line(strings.Repeat(" ", textCol), p.paint(severityColor(r.Severity), l))
		}
	}
	if r.Ephemeral {
		p.line(rootIndent, p.paint(sgrNote, "(only visible to you)"))
	}
	labelW := 0
	for _, f := range r.Fields {
		labelW = max(labelW, chat.DisplayWidth(chat.OneLine(f.Label)))
	}
	for _, f := range r.Fields {
		p.field(rootIndent, chat.OneLine(f.Label), chat.OneLine(f.Value), labelW)
	}
	p.buttons(r.Buttons)
	for _, f := range r.Files {
		p.line(rootIndent, "📎 ", chat.OneLine(f.Name), "  ", p.paint(sgrDim, chat.FileSize(len(f.Data))))
	}
}

// field prints "Label  value" after indent, with the value wrapped beside
// the label, or under it when one of its words (an ID, say) would
// otherwise be cut.
func (p *printer) field(indent, label, value string, labelW int) {
	beside := p.opt.Width - len(indent) - labelW - 2
	under := p.opt.Width - len(indent) - 2
	if w := longestWord(value); w > beside && w <= under {
		p.line(indent, p.paint(sgrDim, label))
		for _, l := range wrap(value, under) {
			p.line(indent, "  ", l)
		}
		return
	}
	pad := strings.Repeat(" ", labelW-chat.DisplayWidth(label)+2)
	for i, l := range wrap(value, beside) {
		if i == 0 {
			p.line(indent, p.paint(sgrDim, label), pad, l)
		} else {
			p.line(indent, strings.Repeat(" ", labelW+2), l)
		}
	}
}

// buttons lays "[Label]" boxes out on as few lines as fit the width.
func (p *printer) buttons(bs []chat.Button) {
	var cur []string
	curW := 0
	flush := func() {
		if len(cur) > 0 {
			p.line(rootIndent, strings.Join(cur, " "))
		}
		cur, curW = nil, 0
	}
	for _, b := range bs {
		box := "[" + chat.OneLine(b.Label) + "]"
		w := chat.DisplayWidth(box)
		if curW > 0 && curW+1+w > p.opt.Width-len(rootIndent) {
			flush()
		}
		cur = append(cur, p.paint(buttonColor(b.Style), box))
		curW += w + min(curW, 1)
	}
	flush()
}

func (p *printer) thread(sections []chat.Section) {
	if len(sections) == 0 {
		return
	}
	p.line("  ", p.paint(sgrDim, "└ thread"))
	p.sections(sections, strings.Repeat(" ", gutterIndent)+p.paint(sgrDim, "│"), p.opt.Width-gutterIndent-4)
}

// sections prints sections after bar, each under its title with its body
// indented, wrapped to avail columns, a bar alone between two.
func (p *printer) sections(sections []chat.Section, bar string, avail int) {
	gutter, body := bar+" ", bar+"   "
	for i, s := range sections {
		if i > 0 {
			p.line(bar)
		}
		if title := chat.OneLine(s.Title); title != "" {
			p.line(gutter, p.paint(sgrBold, title))
		}
		p.paragraphs(body, s.Text, avail)
		for _, it := range s.Items {
			p.item(body, it, avail)
		}
		if s.Table != nil {
			p.table(body, *s.Table, avail)
		}
	}
}

// paragraphs prints text's lines after body, each wrapped to avail
// columns; blank lines are dropped.
func (p *printer) paragraphs(body, text string, avail int) {
	for _, para := range strings.Split(strings.TrimSpace(chat.StripControl(text)), "\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		for _, l := range wrap(para, avail) {
			p.line(body, l)
		}
	}
}

func (p *printer) item(body string, it chat.Item, avail int) {
	mark := chat.MarkSymbol(it.Mark)
	hang := strings.Repeat(" ", chat.DisplayWidth(mark)+1)
	for i, l := range wrap(chat.OneLine(it.Text), avail-len(hang)) {
		if i == 0 {
			p.line(body, p.paint(markColor(it.Mark), mark), " ", l)
		} else {
			p.line(body, hang, l)
		}
	}
	if u := chat.OneLine(it.URL); u != "" {
		p.line(body, hang, p.paint(sgrDim, "↳ "), p.paint(sgrURL, u))
	}
}

func (p *printer) table(body string, t chat.Table, avail int) {
	lines := chat.AlignTable(t, chat.OneLine)
	for i, l := range lines {
		l = truncate(l, avail)
		if i == 0 && len(t.Header) > 0 {
			ruleW := 0
			for _, l := range lines {
				ruleW = max(ruleW, min(chat.DisplayWidth(l), avail))
			}
			p.line(body, p.paint(sgrBold, l))
			p.line(body, p.paint(sgrDim, strings.Repeat("─", ruleW)))
			continue
		}
		p.line(body, l)
	}
}

func severityColor(s chat.Severity) string {
	switch s {
	case chat.SeverityOK:
		return sgrBold + ";" + sgrGreen
	case chat.SeverityWarning:
		return sgrBold + ";" + sgrYellow
	case chat.SeverityError:
		return sgrBold + ";" + sgrRed
	case chat.SeverityOutage:
		return sgrOutage
	default:
		return sgrBold + ";" + sgrBlue
	}
}

func markColor(mark string) string {
	switch mark {
	case chat.MarkPass:
		return sgrGreen
	case chat.MarkFail:
		return sgrRed
	case chat.MarkWarn:
		return sgrYellow
	case "":
		return sgrDim
	case chat.MarkSkip:
		return sgrDim
	}
	return sgrBold
}

func buttonColor(style string) string {
	switch style {
	case chat.StylePrimary:
		return sgrPrimary
	case chat.StyleDanger:
		return sgrDanger
	}
	return sgrButton
}
