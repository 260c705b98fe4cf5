package tickets

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/chat"
)

// zwsp (zero-width space) breaks GitHub's references without changing what
// a reader sees; chat.EscapeMarkdown uses the same for @mentions.
const zwsp = "\u200b"

// Markdown renders d as GitHub-flavoured markdown (GitHub issues and the
// webhook's "markdown"). Echoed text renders literally: markdown, HTML,
// auto-linked URLs and @mentions are escaped by chat.EscapeMarkdown, and
// GitHub's references (#123, owner/repo#1, GH-123) are broken by a
// zero-width space so they link nowhere.
func Markdown(d Doc) string {
	return render(d, markdownBlock)
}

// JiraWiki renders d as Jira wiki markup (REST v2 descriptions and
// comments). Echoed text renders literally (see jiraText): {color} and
// {code} macros, [~user] mentions, [text|url] links and text effects stay
// text. No markdown escape is ever written: the text is never markdown.
func JiraWiki(d Doc) string {
	return render(d, jiraBlock)
}

// render writes one line per block, with a blank line between blocks
// but not between the items of one list.
func render(d Doc, block func(Block) string) string {
	var b strings.Builder
	for i, bl := range d.Blocks {
		if i > 0 {
			b.WriteString("\n")
			if prev := d.Blocks[i-1]; prev.Kind != bl.Kind || (bl.Kind != BlockBullet && bl.Kind != BlockNumbered) {
				b.WriteString("\n")
			}
		}
		b.WriteString(block(bl))
	}
	return b.String()
}

func markdownBlock(bl Block) string {
	text := spans(bl.Spans, markdownSpan)
	switch bl.Kind {
	case BlockHeading:
		return strings.Repeat("#", headingLevel(bl)) + " " + text
	case BlockBullet:
		return "- " + text
	case BlockNumbered:
		return strconv.Itoa(bl.N) + ". " + text
	case BlockRule:
		return "---"
	}
	return text
}

func jiraBlock(bl Block) string {
	text := spans(bl.Spans, jiraSpan)
	switch bl.Kind {
	case BlockHeading:
		return "h" + strconv.Itoa(headingLevel(bl)) + ". " + text
	case BlockBullet:
		return "* " + text
	case BlockNumbered:
		return "# " + text // Jira numbers its items itself
	case BlockRule:
		return "----"
	}
	return text
}

// headingLevel is a heading's level within 1 to 6.
func headingLevel(bl Block) int { return min(max(bl.Level, 1), 6) }

func spans(ss []Span, span func(Span) string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(span(s))
	}
	return b.String()
}

func markdownSpan(s Span) string {
	switch s.Kind {
	case SpanStrong:
		return "**" + markdownText(s.Text) + "**"
	case SpanCode:
		return "`" + strings.ReplaceAll(chat.OneLine(s.Text), "`", "'") + "`"
	case SpanLink:
		if u, ok := chat.SafeURL(s.URL); ok {
			return "[" + markdownText(s.Text) + "](" + u + ")"
		}
	}
	return markdownText(s.Text)
}

func jiraSpan(s Span) string {
	switch s.Kind {
	case SpanStrong:
		return "*" + jiraText(s.Text) + "*"
	case SpanCode:
		return "{{" + jiraText(s.Text) + "}}"
	case SpanLink:
		if u, ok := chat.SafeURL(s.URL); ok {
			return "[" + jiraText(s.Text) + "|" + strings.NewReplacer("[", "%5B", "]", "%5D", "{", "%7B", "}", "%7D").Replace(u) + "]"
		}
	}
	return jiraText(s.Text)
}

// markdownText is one line of literal text in GitHub markdown. The spaces
// around it are kept (chat.EscapeMarkdown drops leading ones).
func markdownText(s string) string {
	s = chat.StripControl(strings.ReplaceAll(s, "\n", " "))
	core := strings.TrimLeft(s, " ")
	return s[:len(s)-len(core)] + breakReferences(chat.EscapeMarkdown(core))
}

// breakReferences puts a zero-width space after every "#" followed by a
// letter or digit (#123, owner/repo#1) and inside every "GH-" followed by a
// digit, so GitHub links no issue.
func breakReferences(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if i+1 >= len(s) {
			break
		}
		next := s[i+1]
		alnum := next >= '0' && next <= '9' || next >= 'a' && next <= 'z' || next >= 'A' && next <= 'Z'
		if s[i] == '#' && alnum || s[i] == '-' && i >= 2 && strings.EqualFold(s[i-2:i], "gh") && next >= '0' && next <= '9' {
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// Characters of Jira's wiki markup: those that open macros, links, images
// and table cells, and those of text effects and lists.
const (
	jiraMarkup  = "{}[]|!"
	jiraEffects = "*_-+^~?#"
)

// jiraText is one line of literal text in Jira wiki markup. Characters
// that open macros ({color}, {code}), links and mentions ([text|url],
// [~user]), images (!) and table cells (|) are escaped with a backslash;
// those of text effects (*bold*, _emphasis_, -deleted-, +inserted+, ^sup^,
// ~sub~, ??cite??) and lists (#) only where Jira could read them as markup,
// not between two letters or digits, so identifiers such as sts_policy or
// zone-a stay as they are. A backslash becomes &#92; ("\\" is a line break).
func jiraText(s string) string {
	rs := []rune(chat.StripControl(strings.ReplaceAll(s, "\n", " ")))
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range rs {
		switch {
		case r == '\\':
			b.WriteString("&#92;")
		case strings.ContainsRune(jiraMarkup, r),
			strings.ContainsRune(jiraEffects, r) && !(i > 0 && i+1 < len(rs) && isAlnum(rs[i-1]) && isAlnum(rs[i+1])):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// measure counts a text the way a ticket system counts its limits.
type measure func(string) int

var (
	// runes is how GitHub counts: characters.
	runes measure = utf8.RuneCountInString
	// utf16Units is how Jira (Java) counts: UTF-16 code units.
	utf16Units measure = func(s string) int {
		n := 0
		for _, r := range s {
			n += utf16.RuneLen(r) // 1 or 2: ranging over a string yields no surrogates
		}
		return n
	}
)

// clip shortens s to at most n, marking the cut with "…".
func (m measure) clip(s string, n int) string {
	if m(s) <= n {
		return s
	}
	var b strings.Builder
	used := m("…")
	for _, r := range s {
		w := m(string(r))
		if used+w > n {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + "…"
}

// fit keeps text within n: whole lines while they fit, then a blank line
// and note, which says where the rest is. A first line longer than n is cut.
func (m measure) fit(text string, n int, note string) string {
	if m(text) <= n {
		return text
	}
	budget := n - m(note) - 2
	end, used := 0, 0
	for line := range strings.Lines(text) {
		if used += m(line); used > budget {
			break
		}
		end += len(line)
	}
	cut := strings.TrimRight(text[:end], "\n")
	if cut == "" {
		first, _, _ := strings.Cut(text, "\n")
		cut = m.clip(first, max(budget, 1))
	}
	return cut + "\n\n" + note
}

// fitText renders body for a system whose texts hold at most limit (as m
// counts): the body cut to what fits before the tail (the lines that must
// survive: where the bundle is, the diagnosis marker), with note after a
// cut. Empty tail parts are left out.
func fitText(m measure, limit int, render func(Doc) string, body, note Doc, tail ...string) string {
	tail = slices.DeleteFunc(slices.Clone(tail), func(s string) bool { return s == "" })
	end := strings.Join(tail, "\n\n")
	if end == "" {
		return m.fit(render(body), limit, render(note))
	}
	return m.fit(render(body), limit-m(end)-2, render(note)) + "\n\n" + end
}

// restNote ends a text cut to a system's limit: "… the rest is in what
// (name)where.", e.g. "… the rest is in the attached bundle (x.zip).".
func restNote(what, name, where string) Doc {
	spans := []Span{Text("… the rest is in " + what)}
	if name != "" {
		spans = append(spans, Text(" ("), Code(name), Text(")"))
	}
	var d Doc
	d.Paragraph(append(spans, Text(where+"."))...)
	return d
}
