package slack

import (
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/chat"
)

// FuzzRender_WithinLimits draws replies made of arbitrary text, repeated
// up to sizes well beyond one message (texts of up to 4,000 characters; up
// to 40 fields, buttons, list lines and table rows), and holds every
// message of every rendering (root, thread, single with and without a
// reason) to every limit.
func FuzzRender_WithinLimits(f *testing.F) {
	f.Add("policy *bold* & <@U1> https://x", uint8(3), uint8(40))
	f.Add("🔥", uint8(60), uint8(255))
	f.Add("a\nb\n```\n", uint8(30), uint8(200))
	f.Add(strings.Repeat("x", 400), uint8(12), uint8(10))
	f.Add("", uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, text string, count, repeat uint8) {
		text = chat.Clip(text, 500)
		long := chat.Clip(strings.Repeat(text, int(repeat)), 4000)
		count = min(count, 40)
		r := chat.Reply{Summary: long, Severity: chat.SeverityError, Files: []chat.File{{Name: text, Data: []byte(text)}}}
		var items []chat.Item
		table := &chat.Table{Header: []string{text, "b"}}
		for i := range int(count) {
			r.Fields = append(r.Fields, chat.Field{Label: text, Value: long})
			r.Buttons = append(r.Buttons, chat.Button{Action: text, Label: long, Value: long})
			items = append(items, chat.Item{Mark: chat.MarkFail, Text: long, URL: "https://docs.caracal.run/" + text})
			table.Rows = append(table.Rows, []string{chat.Clip(long, 300), text})
			if i%7 == 0 {
				r.Sections = append(r.Sections, chat.Section{Title: text, Text: long, Items: items, Table: table})
			}
		}
		out := Render(r)
		msgs := append([]Message{out.Root, RenderSingle(r), renderSingle(r, cannotPost("not_in_channel", text))}, out.Thread...)
		for i, m := range msgs {
			if _, err := blockkit.Check(m.Text, m.Blocks); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
	})
}
