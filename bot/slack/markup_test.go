package slack

import (
	"regexp"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// markupRequestID is a request ID with underscores inside words, as IDs
// may have: it must read and copy exactly.
const markupRequestID = "incident-2026:batch_7.retry_2"

// markupReply echoes names that hold every mrkdwn formatting character in
// every part of a reply.
func markupReply() chat.Reply {
	app, policy, scope, user := "*bold*-app", "_it_ policy", "~strike~:read", "`code` user"
	return chat.Reply{
		Summary:  "application " + app + " is not granted " + scope + " by " + policy,
		Severity: chat.SeverityError,
		Fields: []chat.Field{{Label: "Request ID", Value: markupRequestID}, {Label: "Application", Value: app},
			{Label: "*Label*", Value: user}},
		Sections: []chat.Section{
			{Title: "Evidence for _it_", Text: "Asked by " + user + "\n> quoted " + policy,
				Items: []chat.Item{{Mark: chat.MarkFail, Text: "policy " + policy + " grants nothing to " + app}}},
			{Title: "Trace", Table: &chat.Table{Header: []string{"Request", "Actor"}, Rows: [][]string{{markupRequestID, app + " " + user}}}},
		},
		Buttons: []chat.Button{{Action: chat.ActionRerun, Label: "Re-run *now*", Value: markupRequestID}},
	}
}

func TestRender_MarkupInNamesIsNeutralised(t *testing.T) {
	r := markupReply()
	golden.Check(t, "markup.golden", renderingJSON(t, r))
	assertWithinLimits(t, r)

	out := Render(r)
	root := out.Root.Blocks
	assert.Equal(t, "❌ *application ∗bold∗-app is not granted ∼strike∼:read by ˍitˍ policy*",
		root[0].(*slackapi.SectionBlock).Text.Text, "the bot's bold verdict holds, the names in it cannot format")
	fields := root[1].(*slackapi.SectionBlock).Fields
	assert.Equal(t, "*Request ID*\n"+markupRequestID, fields[0].Text, "the request ID reads and copies exactly")
	assert.Equal(t, "*∗Label∗*\nˋcodeˋ user", fields[2].Text)
	assert.Equal(t, markupRequestID, root[2].(*slackapi.ActionBlock).Elements.ElementSet[0].(*slackapi.ButtonBlockElement).Value,
		"the button carries the ID as it is")

	evidence := out.Thread[0].Blocks[0].(*slackapi.SectionBlock).Text.Text
	assert.Equal(t, "*Evidence for ˍitˍ*\nAsked by ˋcodeˋ user\n&gt; quoted ˍitˍ policy\n❌ policy ˍitˍ policy grants nothing to ∗bold∗-app", evidence)
	table := out.Thread[1].Blocks[1].(*slackapi.SectionBlock).Text.Text
	assert.True(t, strings.HasPrefix(table, "```\n") && strings.HasSuffix(table, "\n```"), "the table is a code block")
	assert.Contains(t, table, markupRequestID+"  *bold*-app `\u200bcode`\u200b user", "inside a code block nothing formats: names are kept (a backtick cannot close the block)")

	// Apart from the bot's own bold lines, no formatting character is left.
	bold := regexp.MustCompile(`^(?:❌ )?\*([^*]*)\*$`)
	for _, m := range append([]Message{out.Root}, out.Thread...) {
		for _, text := range texts(m) {
			if strings.HasPrefix(text, "```") {
				continue
			}
			for _, line := range strings.Split(text, "\n") {
				if sub := bold.FindStringSubmatch(line); sub != nil {
					line = sub[1]
				}
				assert.False(t, strings.ContainsAny(line, "*~`"), "%q", line)
			}
		}
	}
}

// texts are the mrkdwn texts of a message's blocks.
func texts(m Message) []string {
	var out []string
	for _, b := range m.Blocks {
		if s, ok := b.(*slackapi.SectionBlock); ok {
			if s.Text != nil {
				out = append(out, s.Text.Text)
			}
			for _, f := range s.Fields {
				out = append(out, f.Text)
			}
		}
	}
	return out
}
