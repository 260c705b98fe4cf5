package chat

import (
	"strings"
	"unicode/utf8"
)

// Packer splits lines into messages within a platform's length limit.
type Packer struct {
	// Len measures text as the platform counts it: bytes (Slack),
	// characters (Discord).
	Len func(string) int
	// Cut is where a line longer than max is cut: an index into line that
	// keeps the platform's markup (links, entities, escapes) whole.
	Cut func(line string, max int) int
}

// Lines joins lines with newlines into chunks of at most max, breaking
// between lines, and inside a line (where Cut says) only when the line
// alone is too long.
func (p Packer) Lines(lines []string, max int) []string {
	var chunks []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			chunks = append(chunks, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	for _, line := range lines {
		for p.Len(line) > max {
			flush()
			cut := p.Cut(line, max)
			if cut <= 0 { // never loop: take at least one character
				_, cut = utf8.DecodeRuneInString(line)
			}
			chunks = append(chunks, line[:cut])
			line = line[cut:]
		}
		n := p.Len(line)
		if cur.Len() > 0 && curLen+1+n > max {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
			curLen++
		}
		cur.WriteString(line)
		curLen += n
	}
	flush()
	return chunks
}

// CodeBlocks lays out aligned table lines (AlignTable with CodeCell) in
// ``` code blocks of at most max, repeating the first line, the header
// when header is set, at the top of each block (unless it would take half
// the block).
func (p Packer) CodeBlocks(lines []string, header bool, max int) []string {
	if len(lines) == 0 {
		return nil
	}
	const open, closing = "```\n", "\n```"
	budget := max - len(open) - len(closing)
	var head []string
	if header && p.Len(lines[0])+1 < budget/2 {
		head, lines = lines[:1], lines[1:]
		budget -= p.Len(head[0]) + 1
	}
	if len(lines) == 0 {
		return []string{open + head[0] + closing}
	}
	var chunks []string
	for _, body := range p.Lines(lines, budget) {
		chunks = append(chunks, open+strings.Join(append(head[:len(head):len(head)], body), "\n")+closing)
	}
	return chunks
}

// CodeCell is one table cell for a code block: one line, defanged, and
// with no run of backticks that could close the block. The zero-width
// spaces take no column, so alignment holds.
func CodeCell(s string) string {
	return strings.ReplaceAll(Defang(OneLine(s)), "`", "`\u200b")
}

// Clip shortens plain text to at most max characters (code points, as chat
// platforms count them), ending with "…" when it was cut.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// CutBytes is the largest index of s at most max that starts a character.
func CutBytes(s string, max int) int {
	if max >= len(s) {
		return len(s)
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return max
}
