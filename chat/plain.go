package chat

import "strings"

// PlainText renders the whole reply as plain text with no ANSI or markup:
// the root message, then each section under its title with items indented
// and tables aligned. Text is stripped of control characters and defanged
// (no live mentions or auto-links); Item.URLs are printed as they are.
func PlainText(r Reply) string {
	var b strings.Builder
	b.WriteString(r.Severity.Emoji() + " " + plain(summaryOf(r)) + "\n")
	if r.Ephemeral {
		b.WriteString("(only visible to you)\n")
	}
	for _, f := range r.Fields {
		b.WriteString(plain(f.Label) + ": " + plain(f.Value) + "\n")
	}
	if len(r.Buttons) > 0 {
		labels := make([]string, len(r.Buttons))
		for i, bt := range r.Buttons {
			labels[i] = "[" + plain(bt.Label) + "]"
		}
		b.WriteString("Actions: " + strings.Join(labels, " ") + "\n")
	}
	for _, f := range r.Files {
		b.WriteString("File: " + plain(f.Name) + " (" + FileSize(len(f.Data)) + ")\n")
	}
	for _, s := range r.Sections {
		b.WriteString("\n" + plain(s.Title) + "\n")
		if text := strings.TrimSpace(StripControl(s.Text)); text != "" {
			for _, line := range strings.Split(text, "\n") {
				b.WriteString(strings.TrimRight("  "+Defang(line), " ") + "\n")
			}
		}
		for _, it := range s.Items {
			mark := MarkSymbol(it.Mark)
			b.WriteString("  " + mark + " " + plain(it.Text) + "\n")
			if u := OneLine(it.URL); u != "" {
				b.WriteString(strings.Repeat(" ", 3+DisplayWidth(mark)) + u + "\n")
			}
		}
		if s.Table != nil {
			for _, line := range AlignTable(*s.Table, plain) {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	return b.String()
}

// plain is one line of untrusted text, safe to post: no controls, no mentions, no links.
func plain(s string) string { return Defang(OneLine(s)) }

// AlignTable lays a table out in columns two spaces apart, each cell passed
// through cell first; trailing spaces are trimmed. Used by text renderers.
func AlignTable(t Table, cell func(string) string) []string {
	cells, widths := TableGrid(t, cell)
	lines := make([]string, len(cells))
	for i, row := range cells {
		var b strings.Builder
		for j, c := range row {
			b.WriteString(c)
			if j < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-DisplayWidth(c)+2))
			}
		}
		lines[i] = strings.TrimRight(b.String(), " ")
	}
	return lines
}

// TableGrid returns the table's rows, the header first, each cell passed
// through cell, and the display width of each column.
func TableGrid(t Table, cell func(string) string) (cells [][]string, widths []int) {
	rows := make([][]string, 0, len(t.Rows)+1)
	if len(t.Header) > 0 {
		rows = append(rows, t.Header)
	}
	rows = append(rows, t.Rows...)
	cells = make([][]string, len(rows))
	for i, row := range rows {
		cells[i] = make([]string, len(row))
		for j, c := range row {
			cells[i][j] = cell(c)
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], DisplayWidth(cells[i][j]))
		}
	}
	return cells, widths
}
