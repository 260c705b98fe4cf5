package blockkit

import (
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func section(s string) slack.Block { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

func button(action, label, value string) slack.BlockElement {
	return slack.NewButtonBlockElement(action, value, plain(label))
}

func TestLen(t *testing.T) {
	assert.Equal(t, 3, Len("abc"))
	assert.Equal(t, 1, Len("✅"), "one character of the Basic Multilingual Plane")
	assert.Equal(t, 2, Len("🔥"), "outside it: two UTF-16 code units")
	assert.Equal(t, 5, Len("&amp;"), "entities count as sent")
	assert.Equal(t, 1, Len("\xff"), "invalid UTF-8 is one replacement character")
}

func TestCheck_MeasuresEveryTextObject(t *testing.T) {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Header")),
		slack.NewSectionBlock(mrkdwn("Section"), []*slack.TextBlockObject{mrkdwn("F1"), mrkdwn("Field2")}, nil, slack.SectionBlockOptionBlockID("s")),
		slack.NewContextBlock("c", mrkdwn("Context")),
		slack.NewDividerBlock(),
		slack.NewActionBlock("a", button("why", "Re-run", "id --zone z"), button("trace", "Show trace", "id")),
	}
	stats, err := Check("fallback", blocks)
	require.NoError(t, err)
	assert.Equal(t, Stats{Text: 6 + 7 + 2 + 6 + 7 + 6 + 10, Blocks: 5, Fallback: 8, LargestSection: 7, MostFields: 2,
		LargestField: 6, MostContext: 1, LargestContext: 7, LargestHeader: 6, MostActions: 2, LargestButton: 10,
		LargestValue: 11, LargestActionID: 5, LargestBlockID: 1}, stats)
	assert.Equal(t, stats.Text, TextLen(blocks...))
}

func TestCheck_RefusesWhatSlackRefuses(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	many := func(n int, b func(i int) slack.Block) []slack.Block {
		out := make([]slack.Block, n)
		for i := range out {
			out[i] = b(i)
		}
		return out
	}
	fields := func(n, size int) []*slack.TextBlockObject {
		out := make([]*slack.TextBlockObject, n)
		for i := range out {
			out[i] = mrkdwn(long(size))
		}
		return out
	}
	buttons := func(n int) []slack.BlockElement {
		out := make([]slack.BlockElement, n)
		for i := range out {
			out[i] = button("a"+strconv.Itoa(i), "b", "v")
		}
		return out
	}
	tests := []struct {
		name, text string
		blocks     []slack.Block
		code, want string
	}{
		{"nothing", "", nil, CodeNoText, "neither text nor blocks"},
		{"51 blocks", "t", many(51, func(int) slack.Block { return slack.NewDividerBlock() }), CodeInvalidBlocks, "blocks: 51 > 50"},
		{"long fallback", long(3001), nil, CodeInvalidBlocks, "top-level text: 3001 > 3000"},
		{"long section", "t", []slack.Block{section(long(3001))}, CodeInvalidBlocks, "block 0 text: 3001 > 3000"},
		{"empty section", "t", []slack.Block{section("")}, CodeInvalidBlocks, "block 0 text: empty text"},
		{"section without text", "t", []slack.Block{slack.NewSectionBlock(nil, nil, nil)}, CodeInvalidBlocks, "section without text or fields"},
		{"11 fields", "t", []slack.Block{slack.NewSectionBlock(nil, fields(11, 1), nil)}, CodeInvalidBlocks, "block 0 fields: 11 > 10"},
		{"long field", "t", []slack.Block{slack.NewSectionBlock(nil, fields(1, 2001), nil)}, CodeInvalidBlocks, "block 0 field 0: 2001 > 2000"},
		{"long context", "t", []slack.Block{slack.NewContextBlock("", mrkdwn(long(2001)))}, CodeInvalidBlocks, "block 0 element 0: 2001 > 2000"},
		{"11 context elements", "t", []slack.Block{slack.NewContextBlock("", mixed(11)...)}, CodeInvalidBlocks, "block 0 elements: 11 > 10"},
		{"long header", "t", []slack.Block{slack.NewHeaderBlock(plain(long(151)))}, CodeInvalidBlocks, "block 0 header: 151 > 150"},
		{"mrkdwn header", "t", []slack.Block{slack.NewHeaderBlock(mrkdwn("h"))}, CodeInvalidBlocks, `text of type "mrkdwn"`},
		{"26 buttons", "t", []slack.Block{slack.NewActionBlock("", buttons(26)...)}, CodeInvalidBlocks, "block 0 elements: 26 > 25"},
		{"long label", "t", []slack.Block{slack.NewActionBlock("", button("a", long(76), "v"))}, CodeInvalidBlocks, "button 0 label: 76 > 75"},
		{"long value", "t", []slack.Block{slack.NewActionBlock("", button("a", "b", long(2001)))}, CodeInvalidBlocks, "button 0 value: 2001 > 2000"},
		{"long action_id", "t", []slack.Block{slack.NewActionBlock("", button(long(256), "b", "v"))}, CodeInvalidBlocks, "button 0 action_id: 256 > 255"},
		{"repeated action_id", "t", []slack.Block{slack.NewActionBlock("", button("a", "b", "v"), button("a", "c", "v"))}, CodeInvalidBlocks, `action_id "a" repeated`},
		{"long block_id", "t", []slack.Block{slack.NewContextBlock(long(256), mrkdwn("c"))}, CodeInvalidBlocks, "block 0 block_id: 256 > 255"},
		{"repeated block_id", "t", []slack.Block{slack.NewContextBlock("x", mrkdwn("c")), slack.NewContextBlock("x", mrkdwn("c"))}, CodeInvalidBlocks, `block_id "x" repeated`},
		{"unchecked block", "t", []slack.Block{slack.NewImageBlock("https://x.example/i.png", "alt", "", nil)}, CodeInvalidBlocks, "image blocks are not checked"},
		{"too much text", "t", many(4, func(int) slack.Block { return section(long(2751)) }), CodeTooLong, "text of the blocks: 11004 > 11000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(tt.text, tt.blocks)
			var lim *Error
			require.ErrorAs(t, err, &lim)
			assert.Equal(t, tt.code, lim.Code)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCheck_AtTheLimits(t *testing.T) {
	blocks := []slack.Block{section(strings.Repeat("x", 3000)), section(strings.Repeat("x", 3000)), section(strings.Repeat("x", 3000)),
		section(strings.Repeat("🔥", 1000))}
	stats, err := Check(strings.Repeat("t", 3000), blocks)
	require.NoError(t, err)
	assert.Equal(t, MaxMessageText, stats.Text)
}

func mixed(n int) []slack.MixedElement {
	out := make([]slack.MixedElement, n)
	for i := range out {
		out[i] = mrkdwn("c")
	}
	return out
}
