package discord

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/chat"
)

// marker starts every piece of hostile markup, so the check can tell the
// reply's markup from the bot's own (bold titles, lists, links, code).
const marker = "Ж"

// links are the bot's own links to a docs page.
var links = regexp.MustCompile(`<https?://[^\s>]+>`)

// markupChars are the characters that format Discord markdown.
const markupChars = "*_~`|>#[]()-"

// hostileName is a 200-character name made of every kind of Discord
// markup and mention.
var hostileName = func() string {
	unit := marker + "*" + marker + "_" + marker + "~" + marker + "`" + marker + "|" + marker + ">" + marker + "#" +
		marker + "[x](y)" + marker + "-" + marker + "@everyone " + marker + "<@123> " + marker + "**b** "
	return string([]rune(strings.Repeat(unit, 10))[:200])
}()

// hostileReply puts hostileName in every text of a reply.
func hostileReply() chat.Reply {
	h := hostileName
	return chat.Reply{Summary: h, Severity: chat.SeverityError,
		Fields: []chat.Field{{Label: "Request ID", Value: h}, {Label: h, Value: h}},
		Sections: []chat.Section{
			{Title: h, Text: h + "\n" + h},
			{Title: "Steps", Items: []chat.Item{{Mark: chat.MarkFail, Text: h, URL: h}, {Text: h, URL: "https://docs.caracal.run/" + h}}},
			{Title: "Trace", Table: &chat.Table{Header: []string{h, "b"}, Rows: [][]string{{h, h}}}},
		},
		Buttons: []chat.Button{{Action: chat.ActionRerun, Label: h, Value: h}},
		Files:   []chat.File{{Name: h, Data: []byte("x")}},
	}
}

// TestHostileNamesNeverFormatOrPing delivers a reply whose every text is a
// 200-character name made of markup (`*`, `_`, `~`, backtick, `|`, `>`,
// `#`, `[x](y)`) and mentions (@everyone, <@123>) every way a reply goes
// out, and checks, as the fake received them, that none of it formats or
// pings: each markup character of the name is escaped (inside code blocks
// no backtick can close the block), every mention is broken, and every
// message carries allowed_mentions {"parse":[]}.
func TestHostileNamesNeverFormatOrPing(t *testing.T) {
	e := newPosterEnv(t)
	d := deliverEveryWay(t, e, hostileReply())

	edited, _ := e.srv.Message(d.root.ID)
	msgs := append([]discordfake.Message{edited}, e.srv.Thread(d.root.ID)...)
	msgs = append(msgs, e.srv.Followups(d.single)...)
	require.Greater(t, len(msgs), 5)
	assertNoMentions(t, msgs...)
	seen := 0
	for _, m := range msgs {
		for _, text := range messageTexts(m) {
			seen += strings.Count(text, marker)
			assertInert(t, text)
		}
	}
	assert.Greater(t, seen, 1000, "the hostile names were rendered")
}

// messageTexts are the texts of a message Discord renders as markdown.
func messageTexts(m discordfake.Message) []string {
	texts := []string{m.Content}
	for _, e := range m.Embeds {
		texts = append(texts, e.Title, e.Description, footerText(e))
		for _, f := range e.Fields {
			texts = append(texts, f.Name, f.Value)
		}
	}
	return texts
}

// assertInert checks the hostile markup in text formats nothing and pings
// no one.
func assertInert(t *testing.T, text string) {
	t.Helper()
	// The bot's own links, <https://...>, are one token in which Discord
	// formats nothing: only check that nothing breaks out of one.
	text = links.ReplaceAllStringFunc(text, func(link string) string {
		assert.NotContains(t, link[1:len(link)-1], "<", "a link the name could end")
		return "<link>"
	})
	assert.NotContains(t, text, "@everyone", "a mention left whole")
	assert.NotContains(t, text, "<@1", "a mention left whole")
	for i, part := range strings.Split(text, "```") {
		if i%2 == 1 { // inside a code block: no backtick may close it
			assert.NotContains(t, strings.ReplaceAll(part, "`\u200b", ""), "`", "a backtick that could close the block")
			continue
		}
		for j := 0; ; {
			k := strings.Index(part[j:], marker)
			if k < 0 {
				break
			}
			j += k + len(marker)
			if j == len(part) {
				break
			}
			next := part[j]
			switch {
			case strings.IndexByte(markupChars, next) >= 0:
				assert.Failf(t, "unescaped markup", "%q after the marker in %q", next, part)
			case next == '\\':
				ok := j+1 < len(part) && strings.IndexByte(markupChars, part[j+1]) >= 0
				assert.True(t, ok, "a backslash escaping nothing of the name (it would escape the bot's markup) in %q", part)
			}
		}
	}
}
