package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
)

func TestRenderRoot_EmbedAndButtons(t *testing.T) {
	root := RenderRoot(chattest.Deny(), nil)
	require.Len(t, root.Embeds, 1)
	e := root.Embeds[0]
	assert.Equal(t, ColorError, e.Color)
	assert.True(t, strings.HasPrefix(e.Description, "❌ **application billing\\-bot is not granted"), e.Description)
	require.Len(t, e.Fields, 4)
	assert.Equal(t, "Request ID", e.Fields[0].Name)
	assert.Equal(t, "01a028ea\\-d354\\-7443\\-96e4\\-46e5643d943c", e.Fields[0].Value)
	assert.True(t, e.Fields[0].Inline)
	require.Len(t, root.Components, 1)
	row := root.Components[0].(discordgo.ActionsRow)
	require.Len(t, row.Components, 3)
	upload := row.Components[0].(discordgo.Button)
	assert.Equal(t, "Upload bundle to ticket", upload.Label)
	assert.Equal(t, discordgo.PrimaryButton, upload.Style)
	assert.Equal(t, "bundle.upload|01a028ea-d354-7443-96e4-46e5643d943c", upload.CustomID)
	assert.Equal(t, discordgo.SecondaryButton, row.Components[1].(discordgo.Button).Style)
}

func TestRenderRoot_Colours(t *testing.T) {
	tests := map[chat.Severity]int{chat.SeverityOK: ColorOK, chat.SeverityInfo: ColorInfo, chat.SeverityWarning: ColorWarning,
		chat.SeverityError: ColorError, chat.SeverityOutage: ColorOutage, "bogus": ColorInfo}
	for sev, want := range tests {
		assert.Equal(t, want, RenderRoot(chat.Reply{Summary: "x", Severity: sev}, nil).Embeds[0].Color, string(sev))
	}
}

func TestRenderRoot_ManyButtonsAndDuplicates(t *testing.T) {
	var buttons []chat.Button
	for i := range 30 {
		buttons = append(buttons, chat.Button{Action: "a", Label: strings.Repeat("L", 100), Value: fmt.Sprint(i), Style: chat.StyleDanger})
	}
	buttons = append(buttons[:3], append([]chat.Button{buttons[0]}, buttons[3:]...)...)
	root := RenderRoot(chat.Reply{Summary: "x", Buttons: buttons}, nil)
	assertMessageWithinLimits(t, root)
	require.Len(t, root.Components, discordapi.MaxActionRows)
	first := root.Components[0].(discordgo.ActionsRow).Components
	assert.Equal(t, "a|3", first[3].(discordgo.Button).CustomID, "the duplicate of a|0 is left out")
	assert.Equal(t, discordgo.DangerButton, first[0].(discordgo.Button).Style)
	assert.Equal(t, discordapi.MaxButtonLabel, utf8.RuneCountInString(first[0].(discordgo.Button).Label))
}

func TestRenderThread_SectionsAsContent(t *testing.T) {
	thread := RenderThread(chattest.Deny())
	require.Len(t, thread, 4)
	steps := thread[1].Content
	assert.True(t, strings.HasPrefix(steps, "**Steps**\n✅ 1 runtime healthy"), steps)
	for _, mark := range []string{"✅", "❌", "⚠️", "➖"} {
		assert.Contains(t, steps, "\n"+mark+" ")
	}
	next := thread[2].Content
	assert.Contains(t, next, "\n1. Add a grant for resource://pipernet")
	assert.Contains(t, next, " <https://docs.caracal.run/guides/authorize-access/>\n2. ")
	assert.Contains(t, RenderThread(chattest.Trace())[0].Content, "```\nTime          Event")
}

func TestRenderThread_LongSectionSplitAtLines(t *testing.T) {
	var items []chat.Item
	for i := range 120 {
		items = append(items, chat.Item{Mark: chat.MarkPass, Text: fmt.Sprintf("check %03d passed with a fairly long explanation of what was checked", i)})
	}
	thread := RenderThread(chat.Reply{Summary: "x", Sections: []chat.Section{{Title: "Steps", Items: items}}})
	require.Greater(t, len(thread), 3)
	var all []string
	for _, m := range thread {
		assertMessageWithinLimits(t, m)
		assert.Empty(t, m.Files)
		all = append(all, m.Content)
	}
	joined := strings.Join(all, "\n")
	assert.Equal(t, 121, strings.Count(joined, "\n")+1, "every line kept, no line cut")
	assert.Contains(t, thread[1].Content, "✅ check")
}

func TestRenderThread_HugeTableBecomesAFile(t *testing.T) {
	table := &chat.Table{Header: []string{"Time", "Event", "Decision"}}
	for i := range 400 {
		table.Rows = append(table.Rows, []string{fmt.Sprintf("13:02:%02d.%03d", i%60, i), "token_exchange", "deny"})
	}
	r := chat.Reply{Summary: "trace", Sections: []chat.Section{{Title: "Request trace", Table: table}, {Title: "Request trace", Table: table}}}
	thread := RenderThread(r)
	require.Len(t, thread, 2)
	for i, name := range []string{"request-trace.txt", "request-trace-2.txt"} {
		m := thread[i]
		assertMessageWithinLimits(t, m)
		assert.Contains(t, m.Content, "**Request trace**\nThis section is too long for a message")
		assert.Contains(t, m.Content, "attached as "+name)
		require.Len(t, m.Files, 1)
		assert.Equal(t, name, m.Files[0].Name)
		assert.Contains(t, string(m.Files[0].Data), "13:02:39.399  token_exchange  deny")
	}

	// A table just under the threshold is posted in several code blocks,
	// each repeating the header.
	table.Rows = table.Rows[:150]
	thread = RenderThread(chat.Reply{Summary: "trace", Sections: []chat.Section{{Title: "Request trace", Table: table}}})
	require.Greater(t, len(thread), 1)
	for _, m := range thread {
		assertMessageWithinLimits(t, m)
		assert.Contains(t, m.Content, "```\nTime")
		assert.True(t, strings.HasSuffix(m.Content, "\n```"))
	}
}

func TestRenderThread_ReplyFiles(t *testing.T) {
	files := []chat.File{{Name: "a/../b.zip", Data: []byte("zip")}, {Name: "empty.txt"}, {Name: "huge.bin", Data: make([]byte, discordapi.MaxUploadBytes+1)}}
	for i := range 11 {
		files = append(files, chat.File{Name: fmt.Sprintf("f%d.txt", i), Data: []byte("x")})
	}
	thread := RenderThread(chat.Reply{Summary: "x", Files: files})
	require.Len(t, thread, 3)
	assert.Len(t, thread[0].Files, 10)
	assert.Equal(t, "a_.._b.zip", thread[0].Files[0].Name)
	assert.Contains(t, thread[0].Content, "📎 a\\_..\\_b.zip (3 B)")
	assert.Len(t, thread[1].Files, 2)
	assert.Contains(t, thread[2].Content, "empty.txt is empty")
	assert.Contains(t, thread[2].Content, "huge.bin \\(10.0 MiB\\) is over Discord")
}

func TestRenderSingle_EphemeralAndTruncation(t *testing.T) {
	m := RenderSingle(chattest.EphemeralError())
	require.Len(t, m.Embeds, 1)
	assert.Empty(t, m.Components, "no buttons on an ephemeral message")
	assert.Equal(t, EphemeralNote, m.Embeds[0].Footer.Text)
	assert.Contains(t, m.Embeds[0].Description, "**Usage**\n• /caracal why <request\\-id\\> \\[\\-\\-zone <zone\\>\\]")

	var items []chat.Item
	for i := range 300 {
		items = append(items, chat.Item{Text: fmt.Sprintf("line %d of a long help text", i)})
	}
	big := chat.Reply{Summary: "help", Ephemeral: true, Sections: []chat.Section{{Title: "Commands", Items: items}}}
	m = RenderSingle(big)
	assertMessageWithinLimits(t, m)
	assert.Contains(t, m.Embeds[0].Description, "*Truncated: the whole reply is attached as caracal-reply.txt.*")
	require.Len(t, m.Files, 1)
	assert.Contains(t, string(m.Files[0].Data), "line 299 of a long help text")
}

func TestRender_HostileTextIsInert(t *testing.T) {
	r := chattest.Hostile()
	out := Render(r, nil)
	all := allText(append([]Message{out.Root, RenderSingle(r)}, out.Thread...))
	for _, bad := range []string{"@everyone", "@here", "<@&123>", "<@U024BE7LH>", "](https://evil", "https://evil", "www.evil", "\x1b", "\u202e", "<javascript:"} {
		assert.NotContains(t, all, bad)
	}
	assert.Contains(t, all, "<https://docs.caracal.run/reference/errors/?q=a%29b>", "the one safe docs URL is a link")
	assertWithinLimits(t, r)
}

func TestRender_LongVerdictAndFieldsWithinEmbedLimits(t *testing.T) {
	r := chat.Reply{Summary: strings.Repeat("verdict ", 1000), Severity: chat.SeverityWarning}
	for i := range 40 {
		r.Fields = append(r.Fields, chat.Field{Label: strings.Repeat("L", 300), Value: strings.Repeat("v", 2000) + fmt.Sprint(i)})
	}
	r.Fields = append(r.Fields, chat.Field{Label: "Empty"})
	assertWithinLimits(t, r)
	r.Ephemeral = true
	r.Sections = []chat.Section{{Title: "Usage", Text: strings.Repeat("a long line of help\n", 500)}}
	r.Files = make([]chat.File, 12)
	for i := range r.Files {
		r.Files[i] = chat.File{Name: strings.Repeat("n", 150) + fmt.Sprint(i), Data: []byte("x")}
	}
	assertWithinLimits(t, r)
	single := RenderSingle(r)
	assert.Contains(t, single.Embeds[0].Description, "Truncated")
	assert.True(t, strings.HasPrefix(single.Embeds[0].Footer.Text, EphemeralNote+" · "))
	e := RenderRoot(r, nil).Embeds[0]
	assert.True(t, strings.HasSuffix(e.Description, "…**"))
	assert.NotEmpty(t, e.Fields)
}

func TestClipEscaped_NoLoneBackslash(t *testing.T) {
	s := escapeLine(strings.Repeat("*", 20))
	for max := 2; max < 40; max++ {
		got := clipEscaped(s, max)
		assert.LessOrEqual(t, utf8.RuneCountInString(got), max)
		trimmed := strings.TrimSuffix(got, "…")
		n := len(trimmed) - len(strings.TrimRight(trimmed, `\`))
		assert.Equal(t, 0, n%2, "clip %d left a lone backslash: %q", max, got)
	}
}

// allText is every text of the messages a user could see.
func allText(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Content + "\n")
		for _, e := range m.Embeds {
			b.WriteString(e.Title + "\n" + e.Description + "\n")
			for _, f := range e.Fields {
				b.WriteString(f.Name + "\n" + f.Value + "\n")
			}
			if e.Footer != nil {
				b.WriteString(e.Footer.Text + "\n")
			}
		}
		for _, row := range m.Components {
			for _, c := range row.(discordgo.ActionsRow).Components {
				b.WriteString(c.(discordgo.Button).Label + "\n")
			}
		}
	}
	return b.String()
}
