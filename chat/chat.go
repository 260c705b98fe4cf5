// Package chat is the platform-neutral message model: a Reply (one root
// message plus a thread of sections) that each adapter draws natively, and the
// Invocation an adapter builds from a platform event.
//
// Every text field of a Reply is untrusted: it may echo what a user typed or
// pasted. Renderers escape it for their medium so it can never become a
// mention, a link or markup. Only Item.URL is rendered as a link, and only
// when it is an http(s) URL.
package chat

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Severity grades a reply: how urgently the channel should read it.
type Severity string

// Severities, from calm to urgent.
const (
	SeverityOK      Severity = "ok"
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
	SeverityOutage  Severity = "outage"
)

// Emoji is the severity's mark for the root message; unknown severities read as info.
func (s Severity) Emoji() string {
	switch s {
	case SeverityOK:
		return "✅"
	case SeverityWarning:
		return "⚠️"
	case SeverityError:
		return "❌"
	case SeverityOutage:
		return "🔥"
	default:
		return "ℹ️"
	}
}

// Reply is one answer of the bot: a root message and its thread.
type Reply struct {
	Summary   string    // the one-line root message (verdict)
	Severity  Severity  // drives the root message's mark and colour
	Fields    []Field   // shown with the root: Request ID, Zone, Surface, Cause...
	Sections  []Section // the thread, in order
	Buttons   []Button  // actions offered under the root message
	Files     []File    // attachments (e.g. a diagnostic bundle)
	Ephemeral bool      // only the invoking user sees it (errors, usage, acks)
}

// Field is one labelled value shown with the root message.
type Field struct{ Label, Value string }

// Section is one part of the thread: a title, then a paragraph, list lines
// and an optional table, in that order.
type Section struct {
	Title string
	Text  string // paragraph, plain text (renderers escape it)
	Items []Item // list lines
	Table *Table // optional table (e.g. a request trace)
}

// Item marks for step outcomes; "" is a plain bullet and "1.", "2."... (see
// Numbered) an ordered list.
const (
	MarkPass = "pass"
	MarkFail = "fail"
	MarkWarn = "warn"
	MarkSkip = "skip"
)

// Item is one list line of a section.
type Item struct {
	Mark string // MarkPass, MarkFail, MarkWarn, MarkSkip, "" (bullet) or "1." style numbering
	Text string
	URL  string // optional link (docs page)
}

// Table is a small grid, e.g. the rows of a request trace.
type Table struct {
	Header []string
	Rows   [][]string
}

// Button styles.
const (
	StylePrimary = "primary"
	StyleDanger  = "danger"
)

// Button actions: each runs the command of its name with the button's
// Value as its text, from the message the button sits on.
const (
	// ActionRerun runs the diagnosis again; its reply replaces the message.
	ActionRerun = "why"
	// ActionTrace shows the request's trace in the message's thread.
	ActionTrace = "trace"
	// ActionTicket files a ticket with the bundle, in the message's thread.
	ActionTicket = "ticket"
)

// Button is an action offered under the root message. Action names the
// handler (ActionRerun, ActionTrace, ActionTicket), Value carries its
// argument (e.g. the request ID).
type Button struct {
	Action, Label, Value string
	Style                string // "", StylePrimary or StyleDanger
}

// File is an attachment.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Invocation is one command typed by a user on any platform.
type Invocation struct {
	Platform    string // "slack", "discord", "console", "cli"
	Command     string // "why", "status", ...
	Text        string // everything after the command word, raw
	UserID      string
	UserName    string
	ChannelID   string
	ThreadID    string
	TriggeredAt time.Time
	// Args are the arguments of a command typed on the command line, each
	// whole as the shell passed it (spaces and newlines kept); commands
	// parse them instead of splitting Text. Chat platforms leave it nil.
	Args []string
}

// Numbered returns copies of items marked "1.", "2.", ... for an ordered list.
func Numbered(items ...Item) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		it.Mark = strconv.Itoa(i+1) + "."
		out[i] = it
	}
	return out
}

// IsNumber reports whether mark is an ordered-list number such as "3.".
func IsNumber(mark string) bool {
	if len(mark) < 2 || len(mark) > 5 || mark[len(mark)-1] != '.' {
		return false
	}
	for _, c := range mark[:len(mark)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MarkEmoji is an item's mark in rich text (markdown, chat): ✅ ❌ ⚠️ ➖, the
// number itself for numbered items, "" for bullets and unknown marks.
func MarkEmoji(mark string) string {
	switch mark {
	case MarkPass:
		return "✅"
	case MarkFail:
		return "❌"
	case MarkWarn:
		return "⚠️"
	case MarkSkip:
		return "➖"
	}
	if IsNumber(mark) {
		return mark
	}
	return ""
}

// MarkSymbol is an item's mark in monospace text: ✓ ✗ ⚠ –, the number for
// numbered items, • for bullets and unknown marks. Each is one column wide
// except numbers.
func MarkSymbol(mark string) string {
	switch mark {
	case MarkPass:
		return "✓"
	case MarkFail:
		return "✗"
	case MarkWarn:
		return "⚠"
	case MarkSkip:
		return "–"
	}
	if IsNumber(mark) {
		return mark
	}
	return "•"
}

// FileSize formats a byte count for people: "512 B", "12.3 KiB", "4.0 MiB".
func FileSize(n int) string {
	switch {
	case n < 1024:
		return strconv.Itoa(n) + " B"
	case n < 1024*1024:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
	default:
		return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MiB"
	}
}

// maxRequestIDLen bounds RequestID, which ends up in logs and thread names.
const maxRequestIDLen = 128

// RequestID is the value of the reply's "Request ID" field on one line,
// at most 128 bytes, or "" when the reply has none.
func (r Reply) RequestID() string {
	for _, f := range r.Fields {
		if strings.EqualFold(strings.TrimSpace(f.Label), "request id") {
			id := OneLine(f.Value)
			for len(id) > maxRequestIDLen {
				_, size := utf8.DecodeLastRuneInString(id)
				id = id[:len(id)-size]
			}
			return id
		}
	}
	return ""
}
