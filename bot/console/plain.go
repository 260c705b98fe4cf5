package console

import (
	"io"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

// unlimited is the width of output that is not wrapped (a pipe).
const unlimited = 1 << 30

// minColumn is the narrowest a table column is made to fit the width.
const minColumn = 10

// Print writes the reply as a command-line tool's output: the summary,
// the fields, then each section under its title, indented, with no chat
// chrome (no bot name, thread gutter, buttons, attachments or "only
// visible to you"). Lines are wrapped and tables fitted to width columns;
// width 0 means no limit, for output to a pipe. Text is stripped of
// control characters, and coloured only when color is set.
func Print(w io.Writer, r chat.Reply, width int, color bool) error {
	if width <= 0 {
		width = unlimited
	}
	p := &printer{opt: Options{Color: color, Width: width}}
	summary := chat.OneLine(r.Summary)
	for _, l := range wrap(summary, width) {
		p.line(p.paint(severityColor(r.Severity), l))
	}
	labelW := 0
	for _, f := range r.Fields {
		labelW = max(labelW, chat.DisplayWidth(chat.OneLine(f.Label)))
	}
	if len(r.Fields) > 0 {
		p.line()
	}
	for _, f := range r.Fields {
		p.field("", chat.OneLine(f.Label), chat.OneLine(f.Value), labelW)
	}
	const body = "  "
	avail := width - len(body)
	for _, s := range r.Sections {
		p.line()
		if title := chat.OneLine(s.Title); title != "" {
			p.line(p.paint(sgrBold, title))
		}
		p.paragraphs(body, s.Text, avail)
		for _, it := range s.Items {
			p.item(body, it, avail)
		}
		if s.Table != nil {
			for i, l := range FitTable(*s.Table, avail) {
				if i == 0 && len(s.Table.Header) > 0 {
					l = p.paint(sgrBold, l)
				}
				p.line(body, l)
			}
		}
	}
	_, err := io.WriteString(w, p.b.String())
	return err
}

// FitTable lays a table out in columns two spaces apart, at most width
// columns wide (0: as wide as its cells). When the cells are wider, the
// widest columns are narrowed and their cells wrap onto more lines at
// spaces. No column is narrowed below ten columns or its longest word, so
// IDs and URLs stay whole: a table that cannot fit so keeps a row a line.
// Cells are made one line without control characters; trailing spaces are
// trimmed.
func FitTable(t chat.Table, width int) []string {
	cells, widths := chat.TableGrid(t, chat.OneLine)
	floors := make([]int, len(widths))
	for _, row := range cells {
		for j, c := range row {
			floors[j] = max(floors[j], min(widths[j], max(minColumn, longestWord(c))))
		}
	}
	if !narrowToFit(widths, floors, width) {
		return chat.AlignTable(t, chat.OneLine)
	}
	var lines []string
	for _, row := range cells {
		wrapped := make([][]string, len(row))
		height := 1
		for j, c := range row {
			wrapped[j] = []string{c}
			if chat.DisplayWidth(c) > widths[j] {
				wrapped[j] = wrap(c, widths[j])
			}
			height = max(height, len(wrapped[j]))
		}
		for k := range height {
			var b strings.Builder
			for j, cell := range wrapped {
				text := ""
				if k < len(cell) {
					text = cell[k]
				}
				b.WriteString(text)
				if j < len(wrapped)-1 {
					b.WriteString(strings.Repeat(" ", widths[j]-chat.DisplayWidth(text)+2))
				}
			}
			lines = append(lines, strings.TrimRight(b.String(), " "))
		}
	}
	return lines
}

// narrowToFit narrows the widest column that is above its floor, one
// column at a time, until the widths fit width with two spaces between
// columns. It reports whether they fit.
func narrowToFit(widths, floors []int, width int) bool {
	if width <= 0 {
		return true
	}
	total := 2 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for ; total > width; total-- {
		widest := -1
		for j, w := range widths {
			if w > floors[j] && (widest < 0 || w > widths[widest]) {
				widest = j
			}
		}
		if widest < 0 {
			return false
		}
		widths[widest]--
	}
	return true
}
