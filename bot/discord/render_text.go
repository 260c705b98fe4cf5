package discord

import (
	"strings"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/chat"
)

// runeLen is the length Discord's limits count: Unicode code points.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// escapeLine is one line of untrusted text for Discord markdown: control
// characters stripped, formatting escaped, mentions and URLs defanged, and a
// leading "1." (an ordered list) escaped too.
func escapeLine(s string) string {
	out := chat.EscapeDiscord(s)
	digits := 0
	for digits < len(out) && out[digits] >= '0' && out[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits < len(out) && (out[digits] == '.' || out[digits] == ')') {
		out = out[:digits] + `\` + out[digits:]
	}
	return out
}

// escapeOne is escapeLine for a field, item or title: newlines folded.
func escapeOne(s string) string { return escapeLine(chat.OneLine(s)) }

// clipEscaped shortens escaped markdown to at most max code points, ending
// with "…", without leaving a lone backslash that would escape what follows.
func clipEscaped(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	out := s[:runeIndex(s, max-1)]
	if n := len(out) - len(strings.TrimRight(out, `\`)); n%2 == 1 {
		out = out[:len(out)-1]
	}
	return out + "…"
}

// runeIndex is the byte index of the n-th code point of s (len(s) if s is shorter).
func runeIndex(s string, n int) int {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

// packer splits message content: Discord counts characters.
var packer = chat.Packer{Len: runeLen, Cut: lineCut}

// lineCut is where to cut a line longer than max code points.
func lineCut(line string, max int) int {
	cut := runeIndex(line, max)
	if lt := strings.LastIndexByte(line[:cut], '<'); lt > 0 && !strings.Contains(line[lt:cut], ">") {
		cut = lt // do not split a <url> link
	}
	if sp := strings.LastIndexByte(line[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	if n := len(line[:cut]) - len(strings.TrimRight(line[:cut], `\`)); n%2 == 1 && cut > 1 {
		cut-- // keep "\*" together
	}
	if cut == 0 {
		cut = runeIndex(line, max)
	}
	return cut
}
