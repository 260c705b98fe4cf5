package slack

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
)

func TestRender_Root(t *testing.T) {
	root := RenderRoot(chattest.Deny())
	require.Len(t, root.Blocks, 3)
	summary := root.Blocks[0].(*slackapi.SectionBlock)
	assert.Equal(t, BlockIDSummary, summary.BlockID)
	assert.Equal(t, "❌ *application billing-bot is not granted resource://pipernet: no policy in the active set prod-v3 grants it*", summary.Text.Text)
	assert.True(t, summary.Text.Verbatim, "no auto-linking in our text")
	fields := root.Blocks[1].(*slackapi.SectionBlock)
	assert.Equal(t, BlockIDFields, fields.BlockID)
	require.Len(t, fields.Fields, 4)
	assert.Equal(t, "*Request ID*\n01a028ea-d354-7443-96e4-46e5643d943c", fields.Fields[0].Text)

	actions := root.Blocks[2].(*slackapi.ActionBlock)
	assert.Equal(t, BlockIDActions, actions.BlockID)
	require.Len(t, actions.Elements.ElementSet, 3)
	b := actions.Elements.ElementSet[0].(*slackapi.ButtonBlockElement)
	assert.Equal(t, "bundle.upload", b.ActionID)
	assert.Equal(t, "01a028ea-d354-7443-96e4-46e5643d943c", b.Value)
	assert.Equal(t, slackapi.StylePrimary, b.Style)
	assert.Equal(t, "Upload bundle to ticket", b.Text.Text)
	assert.Empty(t, actions.Elements.ElementSet[1].(*slackapi.ButtonBlockElement).Style)
	assert.NotEmpty(t, root.Text)
}

func TestRender_RootLimits(t *testing.T) {
	var fields []chat.Field
	for i := range 23 {
		fields = append(fields, chat.Field{Label: "Label", Value: string(rune('a' + i))})
	}
	fields = append(fields, chat.Field{Label: "Empty", Value: "  "})
	long := string(bytes.Repeat([]byte("v"), 5000))
	r := chat.Reply{Summary: string(bytes.Repeat([]byte("<!channel> "), 400)), Fields: fields,
		Buttons: []chat.Button{{Action: "why", Label: string(bytes.Repeat([]byte("L"), 100)), Value: long, Style: chat.StyleDanger}}}
	root := RenderRoot(r)
	require.Len(t, root.Blocks, 5, "summary, three field blocks of at most ten, actions")
	assert.Equal(t, BlockIDFields+"_2", root.Blocks[2].(*slackapi.SectionBlock).BlockID)
	assert.Len(t, root.Blocks[3].(*slackapi.SectionBlock).Fields, 3, "the empty field is left out")
	b := root.Blocks[4].(*slackapi.ActionBlock).Elements.ElementSet[0].(*slackapi.ButtonBlockElement)
	assert.Len(t, b.Value, blockkit.MaxButtonValue)
	assert.Len(t, []rune(b.Text.Text), blockkit.MaxButtonText)
	assert.Equal(t, slackapi.StyleDanger, b.Style)
	assertWithinLimits(t, r)
}

func TestRender_RepeatedActionsGetTheirOwnBlock(t *testing.T) {
	r := chat.Reply{Summary: "two requests", Buttons: []chat.Button{
		{Action: "why", Label: "Re-run A", Value: "a"}, {Action: "trace", Label: "Trace A", Value: "a"},
		{Action: "why", Label: "Re-run B", Value: "b"}}}
	root := RenderRoot(r)
	require.Len(t, root.Blocks, 3)
	first, second := root.Blocks[1].(*slackapi.ActionBlock), root.Blocks[2].(*slackapi.ActionBlock)
	assert.Equal(t, BlockIDActions, first.BlockID)
	assert.Len(t, first.Elements.ElementSet, 2)
	assert.Equal(t, BlockIDActions+"_2", second.BlockID)
	assert.Equal(t, "b", second.Elements.ElementSet[0].(*slackapi.ButtonBlockElement).Value)
}

func TestRender_HostileTextIsInert(t *testing.T) {
	r := chattest.Hostile()
	all := string(renderingJSON(t, r))
	r.Ephemeral = true
	all += string(renderingJSON(t, r))
	for _, bad := range []string{"<!channel>", "<@U024BE7LH>", "<@&123>", "<script>", "<b>", "https://evil", "www.evil",
		"bob@evil", "@everyone", "@here", "<javascript:", "|click", "\x1b", "\u202e"} {
		assert.NotContains(t, all, bad)
	}
	assert.Contains(t, all, "<https://docs.caracal.run/reference/errors/?q=a%29b|docs>", "the docs link is the one link")
	assert.Contains(t, all, "(javascript:alert(1))", "an unsafe URL is shown as text")
	assert.Contains(t, all, "&lt;script&gt;")
}

func TestRender_LongSectionSplitsAtLineBoundaries(t *testing.T) {
	var items []chat.Item
	for i := range 120 {
		items = append(items, chat.Item{Mark: chat.MarkPass, Text: "step " + string(rune('A'+i%26)) + " & <checked> " + string(bytes.Repeat([]byte("x"), 60))})
	}
	r := chat.Reply{Summary: "long", Sections: []chat.Section{{Title: "Steps", Items: items}}}
	thread := RenderThread(r)
	require.Len(t, thread, 2, "about 11,000 characters of lines take two messages")
	assert.Equal(t, "Steps (continued)", thread[1].Text)
	require.Greater(t, len(thread[0].Blocks), 2, "several blocks in a message")
	lines := 0
	for _, m := range thread {
		for _, b := range m.Blocks {
			text := b.(*slackapi.SectionBlock).Text.Text
			assert.LessOrEqual(t, len(text), blockkit.MaxSectionText)
			for _, line := range regexp.MustCompile("\n").Split(text, -1) {
				if line != "*Steps*" {
					assert.Regexp(t, `^✅ step [A-Z] &amp; &lt;checked&gt; x{60}$`, line, "every line whole")
					lines++
				}
			}
		}
	}
	assert.Equal(t, 120, lines)
	assertWithinLimits(t, r)
}

func TestRender_OverlongLineIsCutSafely(t *testing.T) {
	text := string(bytes.Repeat([]byte("a&b<c "), 1500)) // escapes to about 19 KB in one paragraph line
	r := chat.Reply{Summary: "s", Sections: []chat.Section{{Title: "Text", Text: text[:7000]}}}
	for _, m := range RenderThread(r) {
		for _, b := range m.Blocks {
			s := b.(*slackapi.SectionBlock).Text.Text
			assert.LessOrEqual(t, len(s), blockkit.MaxSectionText)
			assert.NotRegexp(t, `&[a-z]{0,3}$`, s, "no entity cut in half")
		}
	}
}

func TestRender_HugeTableBecomesFile(t *testing.T) {
	r := hugeTrace(600)
	out := Render(r)
	require.Len(t, out.Files, 1)
	f := out.Files[0]
	assert.Equal(t, "request-trace.txt", f.Name)
	assert.Equal(t, "text/plain; charset=utf-8", f.ContentType)
	assert.Equal(t, 600+3, bytes.Count(f.Data, []byte("\n")), "title, blank line, header and every row")
	assert.Contains(t, string(f.Data), "row-599")
	require.Len(t, out.Thread, 1)
	note := out.Thread[0].Blocks[0].(*slackapi.SectionBlock).Text.Text
	assert.Contains(t, note, "*Request trace*\nThis section is too long for a message (")
	assert.Contains(t, note, "attached below as `request-trace.txt`")

	single := RenderSingle(r)
	_, err := blockkit.Check(single.Text, single.Blocks)
	require.NoError(t, err)
	assert.Contains(t, string(mustJSON(t, single.Blocks)), "row-0 ", "the table's first rows are shown")
	assert.NotContains(t, string(mustJSON(t, single.Blocks)), "row-599")
	assert.Contains(t, string(mustJSON(t, single.Blocks)), "…\\n```", "the cut is marked and the code block closed")
	assert.Contains(t, string(mustJSON(t, single.Blocks)), "Shortened to fit one message: Request trace.")
}

func TestRender_TableChunksRepeatHeaderAndStayClosed(t *testing.T) {
	r := hugeTrace(60) // about 6 KB: posted, in two or more code blocks
	out := Render(r)
	require.Empty(t, out.Files)
	blocks := out.Thread[0].Blocks[1:]
	require.Greater(t, len(blocks), 1)
	for _, b := range blocks {
		text := b.(*slackapi.SectionBlock).Text.Text
		assert.Regexp(t, "^```\nTime +Event +Decision +Detail\n", text)
		assert.Regexp(t, "\n```$", text)
		assert.LessOrEqual(t, len(text), blockkit.MaxSectionText)
	}
}

func TestRender_TableCellsCannotCloseTheCodeBlock(t *testing.T) {
	r := chat.Reply{Summary: "s", Sections: []chat.Section{{Table: &chat.Table{Rows: [][]string{{"```<!here>"}}}}}}
	text := RenderThread(r)[0].Blocks[0].(*slackapi.SectionBlock).Text.Text
	assert.Equal(t, "```\n`\u200b`\u200b`\u200b&lt;\u200b!here&gt;\n```", text)
}

func hugeTrace(rows int) chat.Reply {
	t := &chat.Table{Header: []string{"Time", "Event", "Decision", "Detail"}}
	for i := range rows {
		t.Rows = append(t.Rows, []string{"13:02:11.204", "token_exchange", "deny",
			"row-" + strconv.Itoa(i) + " resource=resource://pipernet reason=resource_not_granted"})
	}
	return chat.Reply{Summary: "trace", Severity: chat.SeverityInfo,
		Fields:   []chat.Field{{Label: "Request ID", Value: "01a028c5-c1f4-71bb-89ca-bbb2459cf427"}},
		Sections: []chat.Section{{Title: "Request trace", Table: t}}}
}

// assertWithinLimits checks every Slack limit on every message a reply
// renders to: root, thread, and the single message with and without a
// reason to end its note with.
func assertWithinLimits(t *testing.T, r chat.Reply) {
	t.Helper()
	out := Render(r)
	msgs := append([]Message{out.Root, RenderSingle(r), renderSingle(r, cannotPost("not_in_channel", "caracal-bot"))}, out.Thread...)
	for i, m := range msgs {
		assert.NotEmpty(t, m.Text)
		_, err := blockkit.Check(m.Text, m.Blocks)
		assert.NoError(t, err, "message %d", i)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
