package console

import (
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

// wrap splits one line of text into lines at most width columns wide,
// breaking at spaces; a word wider than the line is cut. Runs of spaces
// collapse. It always returns at least one line.
func wrap(s string, width int) []string {
	width = max(width, 10)
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
	}
	for _, word := range strings.Fields(s) {
		ww := chat.DisplayWidth(word)
		for ww > width {
			if curW > 0 {
				flush()
			}
			head, tail := cutWidth(word, width)
			cur.WriteString(head)
			flush()
			word, ww = tail, chat.DisplayWidth(tail)
		}
		if curW > 0 && curW+1+ww > width {
			flush()
		}
		if curW > 0 {
			cur.WriteByte(' ')
			curW++
		}
		cur.WriteString(word)
		curW += ww
	}
	if curW > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// cutWidth splits s after at most width columns (at least one rune).
func cutWidth(s string, width int) (head, tail string) {
	w := 0
	for i, r := range s {
		rw := chat.RuneWidth(r)
		if w+rw > width && i > 0 {
			return s[:i], s[i:]
		}
		w += rw
	}
	return s, ""
}

// truncate cuts s to width columns, ending with "…" when it was cut.
func truncate(s string, width int) string {
	if chat.DisplayWidth(s) <= width {
		return s
	}
	head, _ := cutWidth(s, width-1)
	return strings.TrimRight(head, " ") + "…"
}

// longestWord is the display width of the widest space-separated word of s.
func longestWord(s string) int {
	w := 0
	for _, word := range strings.Fields(s) {
		w = max(w, chat.DisplayWidth(word))
	}
	return w
}
