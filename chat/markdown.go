package chat

import (
	"net/url"
	"strings"
)

// Markdown renders the whole reply as GitHub-flavoured markdown: the root
// message (mark, summary, fields, actions, files), then one "###" heading per
// section. Every text is escaped with EscapeMarkdown; only http(s) Item.URLs
// become links.
func Markdown(r Reply) string {
	var b strings.Builder
	b.WriteString(r.Severity.Emoji() + " **" + EscapeMarkdown(OneLine(summaryOf(r))) + "**\n")
	if r.Ephemeral {
		b.WriteString("\n_Only visible to you._\n")
	}
	if len(r.Fields) > 0 {
		b.WriteByte('\n')
		for _, f := range r.Fields {
			b.WriteString("- **" + EscapeMarkdown(OneLine(f.Label)) + ":** " + EscapeMarkdown(OneLine(f.Value)) + "\n")
		}
	}
	if len(r.Buttons) > 0 {
		labels := make([]string, len(r.Buttons))
		for i, bt := range r.Buttons {
			labels[i] = EscapeMarkdown(OneLine(bt.Label))
		}
		b.WriteString("\n**Actions:** " + strings.Join(labels, " · ") + "\n")
	}
	if len(r.Files) > 0 {
		names := make([]string, len(r.Files))
		for i, f := range r.Files {
			names[i] = EscapeMarkdown(OneLine(f.Name)) + " (" + FileSize(len(f.Data)) + ")"
		}
		b.WriteString("\n**Files:** " + strings.Join(names, ", ") + "\n")
	}
	for _, s := range r.Sections {
		b.WriteString("\n### " + EscapeMarkdown(OneLine(s.Title)) + "\n")
		if text := strings.TrimSpace(StripControl(s.Text)); text != "" {
			b.WriteString("\n" + EscapeMarkdown(text) + "\n")
		}
		if len(s.Items) > 0 {
			b.WriteByte('\n')
			for _, it := range s.Items {
				b.WriteString(markdownItem(it) + "\n")
			}
		}
		if s.Table != nil {
			b.WriteString("\n" + markdownTable(*s.Table))
		}
	}
	return b.String()
}

func markdownItem(it Item) string {
	line := "- "
	if IsNumber(it.Mark) {
		line = it.Mark + " "
	} else if e := MarkEmoji(it.Mark); e != "" {
		line += e + " "
	}
	line += EscapeMarkdown(OneLine(it.Text))
	if u, ok := SafeURL(it.URL); ok {
		line += " ([docs](" + u + "))"
	} else if it.URL != "" {
		line += " (" + EscapeMarkdown(OneLine(it.URL)) + ")"
	}
	return line
}

func markdownTable(t Table) string {
	cols := len(t.Header)
	for _, row := range t.Rows {
		cols = max(cols, len(row))
	}
	if cols == 0 {
		return ""
	}
	var b strings.Builder
	writeRow := func(cells []string) {
		b.WriteString("|")
		for i := range cols {
			cell := ""
			if i < len(cells) {
				cell = EscapeMarkdown(OneLine(cells[i]))
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	writeRow(t.Header)
	b.WriteString(strings.Repeat("| --- ", cols) + "|\n")
	for _, row := range t.Rows {
		writeRow(row)
	}
	return b.String()
}

// SafeURL returns u fit to use as a link target: an absolute http(s) URL with
// a host, re-encoded so it cannot break out of markdown or markup. ok is
// false for anything else (javascript:, relative paths, garbage).
func SafeURL(u string) (string, bool) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil {
		return "", false
	}
	s := p.String()
	return strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20", "|", "%7C", "`", "%60", "\"", "%22", "'", "%27").Replace(s), true
}

// summaryOf is the summary, or a placeholder when the reply has none.
func summaryOf(r Reply) string {
	if strings.TrimSpace(r.Summary) == "" {
		return "(no summary)"
	}
	return r.Summary
}
