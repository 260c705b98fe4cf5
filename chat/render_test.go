package chat_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

func TestMarkdown_Golden(t *testing.T) {
	for _, s := range chattest.Samples() {
		t.Run(s.Name, func(t *testing.T) {
			golden.Check(t, "markdown-"+s.Name+".golden", []byte(chat.Markdown(s.Reply)))
		})
	}
}

func TestPlainText_Golden(t *testing.T) {
	for _, s := range chattest.Samples() {
		t.Run(s.Name, func(t *testing.T) {
			golden.Check(t, "plain-"+s.Name+".golden", []byte(chat.PlainText(s.Reply)))
		})
	}
}

// TestRenderers_HostileTextIsInert pins what the goldens show: echoed user
// text never becomes a mention, a link, markup or a terminal escape.
func TestRenderers_HostileTextIsInert(t *testing.T) {
	r := chattest.Hostile()
	md := chat.Markdown(r)
	for _, bad := range []string{"<!channel>", "@everyone", "@here", "<@U024BE7LH>", "<@&123>", "[click](", "<script>", "<b>",
		"https://evil", "www.evil", "bob@evil", "](javascript:", "\x1b", "\u202e", "\n> quoted", "\n- list", "\n1. numbered", "\n    indented", "\n# pasted"} {
		assert.NotContains(t, md, bad, "markdown")
	}
	assert.Contains(t, md, "([docs](https://docs.caracal.run/reference/errors/?q=a%29b))", "the bot's own link survives, encoded")

	txt := chat.PlainText(r)
	for _, bad := range []string{"<!channel>", "@everyone", "@here", "<@U024BE7LH>", "<@&123>", "https://evil", "www.evil", "bob@evil", "\x1b", "\u202e"} {
		assert.NotContains(t, txt, bad, "plain text")
	}
	assert.Contains(t, txt, "https://docs.caracal.run/reference/errors/?q=a)b", "item URLs are printed as given")
}

func TestRenderers_EmptyReply(t *testing.T) {
	assert.Equal(t, "ℹ️ **(no summary)**\n", chat.Markdown(chat.Reply{}))
	assert.Equal(t, "ℹ️ (no summary)\n", chat.PlainText(chat.Reply{}))
}

func TestMarkdown_TableShapes(t *testing.T) {
	tests := []struct {
		name  string
		table chat.Table
		want  string
	}{
		{"no header", chat.Table{Rows: [][]string{{"a", "b"}}}, "|  |  |\n| --- | --- |\n| a | b |\n"},
		{"ragged rows", chat.Table{Header: []string{"h"}, Rows: [][]string{{"a", "b"}}}, "| h |  |\n| --- | --- |\n| a | b |\n"},
		{"empty", chat.Table{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := chat.Markdown(chat.Reply{Summary: "s", Sections: []chat.Section{{Title: "T", Table: &tt.table}}})
			_, table, _ := strings.Cut(md, "### T\n\n")
			assert.Equal(t, tt.want, table)
		})
	}
}
