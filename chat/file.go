package chat

import (
	"strconv"
	"strings"
)

// SectionFile renders a section too long for a chat message as a plain-text
// file: title, paragraph, marked list lines with their URLs, and the aligned
// table. used makes names unique within a reply ("request-trace.txt",
// "request-trace-2.txt"). Chat adapters attach it instead of the section.
func SectionFile(s Section, used map[string]int) File {
	var b strings.Builder
	if title := OneLine(s.Title); title != "" {
		b.WriteString(title + "\n\n")
	}
	if text := strings.TrimSpace(StripControl(s.Text)); text != "" {
		b.WriteString(text + "\n\n")
	}
	for _, it := range s.Items {
		b.WriteString(MarkSymbol(it.Mark) + " " + OneLine(it.Text) + "\n")
		if u := OneLine(it.URL); u != "" {
			b.WriteString("  " + u + "\n")
		}
	}
	if s.Table != nil {
		for _, line := range AlignTable(*s.Table, OneLine) {
			b.WriteString(line + "\n")
		}
	}
	base := slug(s.Title)
	used[base]++
	if n := used[base]; n > 1 {
		base += "-" + strconv.Itoa(n)
	}
	return File{Name: base + ".txt", ContentType: "text/plain; charset=utf-8", Data: []byte(b.String())}
}

// slug is a file-name-safe form of a title: lowercase ASCII letters and
// digits joined by single dashes, at most 60 bytes, "section" if empty.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}
