package console

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

func printed(t *testing.T, r chat.Reply, width int, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Print(&buf, r, width, color))
	return buf.String()
}

func TestPrint_Golden(t *testing.T) {
	for _, s := range chattest.Samples() {
		t.Run(s.Name, func(t *testing.T) {
			golden.Check(t, "plain-"+s.Name+".golden", []byte(printed(t, s.Reply, 80, false)))
		})
	}
	table := wideTable()
	wrapped := chat.Reply{Summary: "2 audit event(s)", Sections: []chat.Section{{Title: "Audit events", Table: &table}}}
	golden.Check(t, "plain-table-wrapped.golden", []byte(printed(t, wrapped, 90, false)))
}

// TestPrint_NoChatChrome: what only makes sense in a chat (the bot's
// name, the thread, buttons, attachments, "only visible to you") is left
// out; the words of the reply are all there.
func TestPrint_NoChatChrome(t *testing.T) {
	for _, s := range chattest.Samples() {
		out := printed(t, s.Reply, 0, false)
		for _, chrome := range []string{"caracal-bot  ", "└ thread", "│", "(only visible to you)", "📎", "[Re-run]", s.Reply.Severity.Emoji()} {
			assert.NotContains(t, out, chrome, s.Name)
		}
		for _, f := range s.Reply.Fields {
			assert.Contains(t, out, chat.OneLine(f.Value), s.Name)
		}
		assert.NotContains(t, out, "\x1b", s.Name)
		assert.NotContains(t, out, "\u202e", s.Name)
	}
}

// wideTable is an audit-like table whose detail column is too wide for
// a terminal but wraps at spaces.
func wideTable() chat.Table {
	return chat.Table{
		Header: []string{"request_id", "decision", "detail"},
		Rows: [][]string{
			{"01a028c5-c1f4-71bb-89ca-bbb2459cf427", "deny", "application_name=research-agent resource=resource://pipernet reason=role_scope_mismatch policy=research-access"},
			{"0d28d1d8-62d9-4254-a601-b5c10f56220a", "allow", "resource=resource://pipernet"},
		},
	}
}

// TestPrint_Width: lines fit the width they are given; with no width (a
// pipe) nothing is wrapped or cut, so a table row stays one line.
func TestPrint_Width(t *testing.T) {
	reply := chattest.Deny()
	table := wideTable()
	reply.Sections = append(reply.Sections, chat.Section{Title: "Audit events", Table: &table})
	for _, width := range []int{90, 120} {
		for _, l := range strings.Split(strings.TrimRight(printed(t, reply, width, false), "\n"), "\n") {
			assert.LessOrEqual(t, chat.DisplayWidth(l), width, "width %d: %q", width, l)
		}
	}
	narrow := printed(t, reply, 60, false)
	for _, l := range strings.Split(strings.TrimRight(narrow, "\n"), "\n") {
		if !strings.HasPrefix(l, "  01a028c5") && !strings.HasPrefix(l, "  0d28d1d8") {
			assert.LessOrEqual(t, chat.DisplayWidth(l), 60, "%q", l)
		}
	}
	assert.Contains(t, narrow, "\n  01a028c5-c1f4-71bb-89ca-bbb2459cf427  deny      "+table.Rows[0][2]+"\n",
		"a table that cannot fit without breaking an ID keeps a row a line")
	unlimited := printed(t, reply, 0, false)
	assert.True(t, strings.HasPrefix(unlimited, chat.OneLine(reply.Summary)+"\n"), "the summary is one line: %s", unlimited)
	assert.Contains(t, unlimited, "\n  01a028c5-c1f4-71bb-89ca-bbb2459cf427  deny      "+table.Rows[0][2]+"\n")
	assert.NotContains(t, unlimited, "…")
}

func TestPrint_ColorOnlyAddsSGR(t *testing.T) {
	for _, s := range chattest.Samples() {
		colored := printed(t, s.Reply, 80, true)
		assert.Contains(t, colored, "\x1b[", s.Name)
		assert.Equal(t, printed(t, s.Reply, 80, false), sgr.ReplaceAllString(colored, ""), s.Name)
	}
}

// TestFitTable: a table too wide for the width narrows its widest columns
// and wraps their cells; every word is still there, in order.
func TestFitTable(t *testing.T) {
	table := wideTable()
	assert.Equal(t, chat.AlignTable(table, chat.OneLine), FitTable(table, 0), "no width: aligned, one line a row")

	lines := FitTable(table, 80)
	for _, l := range lines {
		assert.LessOrEqual(t, chat.DisplayWidth(l), 80, "%q", l)
	}
	assert.Equal(t, "request_id                            decision  detail", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "01a028c5-c1f4-71bb-89ca-bbb2459cf427  deny      application_name=research-agent"), "%q", lines[1])
	var detail []string
	for _, l := range lines[1:] {
		detail = append(detail, strings.Fields(l[min(len(l), 48):])...)
	}
	assert.Equal(t, strings.Fields(table.Rows[0][2]+" "+table.Rows[1][2]), detail, "the detail column wraps, nothing is lost")

	narrow := FitTable(table, 60)
	assert.Equal(t, chat.AlignTable(table, chat.OneLine), narrow,
		"too narrow to fit without breaking an ID: a row a line, as with no width")
}
