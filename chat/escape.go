package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// zwsp (zero-width space) is slipped into text to break mentions and
// auto-links without changing what a reader sees.
const zwsp = "\u200b"

// StripControl makes text safe to print: invalid UTF-8 and control
// characters (ANSI escapes, bidi overrides, NUL...) become U+FFFD, tabs become
// spaces, carriage returns are dropped; newlines are kept.
func StripControl(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r':
		case r == utf8.RuneError && size == 1, isControl(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
	}
	return b.String()
}

// OneLine is StripControl with newlines folded into spaces, for fields,
// list items and table cells.
func OneLine(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(StripControl(s), "\n", " "))
}

func isClean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r == '\t' || r == '\r' || (r != '\n' && isControl(r)) {
			return false
		}
	}
	return true
}

// isControl reports C0/C1 controls, DEL and the bidirectional formatting
// characters that can reorder what a terminal or chat client shows.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7F && r < 0xA0) || (r >= 0x202A && r <= 0x202E) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// NeutralizeMentions breaks every mention so no one is pinged: "@everyone",
// "@here", "@channel", "@name" get a zero-width space after the "@", and the
// Slack and Discord forms "<@U123>", "<!channel>", "<#C1>", "<@&role>" one
// after the "<".
func NeutralizeMentions(s string) string {
	if !strings.ContainsAny(s, "@!#") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		b.WriteByte(c)
		if i+1 >= len(s) {
			break
		}
		next := s[i+1]
		if (c == '@' && isWordByte(next)) || (c == '<' && (next == '@' || next == '!' || next == '#')) {
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// Defang neutralises mentions and breaks auto-linking of URLs: "https://",
// "http://", "ftp://" and "www." get a zero-width space, so a pasted URL
// reads the same but is not a link. Other schemes (resource://) are kept.
func Defang(s string) string {
	s = NeutralizeMentions(s)
	if strings.Contains(s, "://") {
		var b strings.Builder
		for {
			i := strings.Index(s, "://")
			if i < 0 {
				break
			}
			b.WriteString(s[:i+1])
			if hasLinkScheme(s[:i]) {
				b.WriteString(zwsp)
			}
			s = s[i+1:]
		}
		b.WriteString(s)
		s = b.String()
	}
	return breakWWW(s)
}

// hasLinkScheme reports whether s ends with a scheme chat clients and
// markdown auto-link (http, https, ftp); "resource://" stays intact.
func hasLinkScheme(s string) bool {
	for _, scheme := range []string{"https", "http", "ftp"} {
		if len(s) >= len(scheme) && strings.EqualFold(s[len(s)-len(scheme):], scheme) {
			return true
		}
	}
	return false
}

// EscapeMarkdown escapes text for GitHub-flavoured markdown so it renders
// literally: no emphasis, code, links, images, HTML, tables, headings,
// lists or quotes, no auto-linked URLs and no @mentions. Newlines are kept;
// leading indentation is dropped (it would start a code block).
func EscapeMarkdown(s string) string {
	lines := strings.Split(StripControl(s), "\n")
	for i, line := range lines {
		lines[i] = escapeMarkdownLine(strings.TrimLeft(line, " "))
	}
	return strings.Join(lines, "\n")
}

func escapeMarkdownLine(line string) string {
	var b strings.Builder
	b.Grow(len(line) + 8)
	if line != "" && strings.IndexByte("#-+=", line[0]) >= 0 {
		b.WriteByte('\\')
	}
	digits := 0
	for digits < len(line) && line[digits] >= '0' && line[digits] <= '9' {
		digits++
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case strings.IndexByte("\\`*_[]<>&|~$", c) >= 0:
			b.WriteByte('\\')
		case i == digits && digits > 0 && (c == '.' || c == ')'):
			b.WriteByte('\\') // "1." would start an ordered list
		case c == '/' && i > 0 && line[i-1] == ':' && hasLinkScheme(line[:i-1]):
			b.WriteByte('\\') // "https:\//" is not auto-linked
		case c == '.' && i >= 3 && strings.EqualFold(line[i-3:i], "www"):
			b.WriteByte('\\') // "www\." is not auto-linked
		}
		b.WriteByte(c)
		if c == '@' && i+1 < len(line) && isWordByte(line[i+1]) {
			b.WriteString(zwsp) // no @mention, no e-mail auto-link
		}
	}
	return b.String()
}

// EscapeSlack escapes text for Slack mrkdwn: "&", "<" and ">" become
// entities (so "<!channel>", "<@U123>", "<url|text>" and a quote are
// inert), the formatting characters "*", "_", "~" and "`" look-alikes
// (see neutralizeSlackMarkup), and mentions and URLs are defanged.
func EscapeSlack(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(StripControl(s))
	return Defang(neutralizeSlackMarkup(s))
}

// EscapeDiscord escapes text for Discord markdown: formatting characters
// get a backslash (no masked links, code, spoilers, quotes or headings), and
// mentions and URLs are defanged.
func EscapeDiscord(s string) string {
	var b strings.Builder
	for _, r := range StripControl(s) {
		if r < utf8.RuneSelf && strings.ContainsRune("\\*_~`|>[]()#-", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return Defang(b.String())
}

func isWordByte(c byte) bool {
	return c == '_' || c >= utf8.RuneSelf || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}

// breakWWW puts a zero-width space inside every "www." (any case).
func breakWWW(s string) string {
	var b strings.Builder
	last := 0
	for i := 3; i < len(s); i++ {
		if s[i] == '.' && strings.EqualFold(s[i-3:i], "www") {
			b.WriteString(s[last:i])
			b.WriteString(zwsp)
			last = i
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
