package discord

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
)

// sizes are the largest figures of the messages one reply was sent as,
// against Discord's limits, as the fake received them; messages is the
// root and thread of its answer in a channel.
type sizes struct {
	messages, content, embedTotal, description, fields, fieldName, fieldValue, footer int
	rows, customID, label, threadName, files                                          int
}

// add takes the figures of m into s.
func (s *sizes) add(m discordfake.Message) {
	s.content = max(s.content, utf8.RuneCountInString(m.Content))
	total := 0
	for _, e := range m.Embeds {
		n := embedSize(e)
		total += n
		s.description = max(s.description, runeLen(e.Description))
		s.fields = max(s.fields, len(e.Fields))
		s.footer = max(s.footer, runeLen(footerText(e)))
		for _, f := range e.Fields {
			s.fieldName, s.fieldValue = max(s.fieldName, runeLen(f.Name)), max(s.fieldValue, runeLen(f.Value))
		}
	}
	s.embedTotal = max(s.embedTotal, total)
	var rows []json.RawMessage
	_ = json.Unmarshal([]byte(m.Components), &rows)
	s.rows = max(s.rows, len(rows))
	for _, b := range m.Buttons() {
		s.customID, s.label = max(s.customID, runeLen(b.CustomID)), max(s.label, runeLen(b.Label))
	}
	s.files = max(s.files, len(m.Files))
}

// row is the table row of the figures: each "largest / limit".
func (s sizes) row(name string) string {
	cells := []string{name, fmt.Sprint(s.messages)}
	for _, c := range []struct{ got, limit int }{
		{s.content, discordapi.MaxContent}, {s.embedTotal, discordapi.MaxEmbedTotal},
		{s.description, discordapi.MaxEmbedDescription}, {s.fields, discordapi.MaxEmbedFields},
		{s.fieldName, discordapi.MaxFieldName}, {s.fieldValue, discordapi.MaxFieldValue}, {s.footer, discordapi.MaxFooterText},
		{s.rows, discordapi.MaxActionRows}, {s.customID, discordapi.MaxCustomID}, {s.label, discordapi.MaxButtonLabel},
		{s.threadName, discordapi.MaxThreadName}, {s.files, discordapi.MaxFiles},
	} {
		cells = append(cells, fmt.Sprintf("%d / %d", c.got, c.limit))
	}
	return "| " + strings.Join(cells, " | ") + " |"
}

const sizesHeader = "| reply | root + thread messages | content | embeds (total) | description | fields | field name | field value | footer | action rows | custom_id | label | thread name | files |\n" +
	"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

// TestLargestRepliesWithinDiscordsLimits delivers the largest replies the
// router produces (a 128-character request ID, 200-character names, 40
// scopes, 50 audit rows; the diagnosis, the diagnosis with every kind of
// missing evidence, the trace) through the real Poster to the fake, every
// way a reply goes out: the deferred answer of a slash command edited into
// the root, the thread started on it and its messages, a Re-run editing
// the root and posting into the thread, Show trace into the thread, and
// the reply as one ephemeral followup. The fake refuses (and the test
// fails on) anything over a limit or any field the API does not define.
// With -v it prints the largest figures, which docs/BENCHMARKS.md records.
func TestLargestRepliesWithinDiscordsLimits(t *testing.T) {
	replies := commandstest.LargestReplies(t, "discord")
	names := slices.Sorted(maps.Keys(replies))
	rows := []string{sizesHeader}
	for _, name := range names {
		reply := replies[name]
		t.Run(name, func(t *testing.T) {
			e := newPosterEnv(t)
			var s sizes

			d := deliverEveryWay(t, e, reply)
			root := d.root
			info, ok := e.srv.ThreadInfo(root.ID)
			require.True(t, ok, "a thread was started on the root")
			s.threadName = runeLen(info.Name)
			s.messages = 1 + d.thread
			assertButtonsCarryTheirValues(t, e, reply.Buttons, root)

			edited, _ := e.srv.Message(root.ID)
			assert.Equal(t, 2, edited.Edits, "the deferred answer, then the Re-run")
			for _, m := range append(e.srv.Messages(posterChannel), e.srv.Thread(root.ID)...) {
				s.add(m)
			}
			for _, m := range e.srv.Followups(d.single) {
				s.add(m)
			}
			assert.Empty(t, e.srv.Violations())
			assertNoMentions(t, append(e.srv.Thread(root.ID), edited)...)
			assert.Greater(t, s.messages, 1)
			rows = append(rows, s.row(name))
		})
	}
	t.Logf("Largest messages per platform, Discord (largest / limit):\n%s", strings.Join(rows, "\n"))
}

// delivered is what deliverEveryWay did: the root of the answer in the
// channel, how many thread messages that answer had, and the token of the
// interaction the ephemeral followup answered.
type delivered struct {
	root   discordfake.Message
	thread int
	single string
}

// deliverEveryWay delivers a channel reply every way one goes out: as the
// answer to a slash command (the deferred @original edited into the root,
// a thread started on it, its messages), as a Re-run of that root (edited,
// and posted into its thread), as Show trace into that thread, and whole
// as an ephemeral followup.
func deliverEveryWay(t *testing.T, e *posterEnv, reply chat.Reply) delivered {
	t.Helper()
	root := e.rootOf(t, reply)
	d := delivered{root: root, thread: len(e.srv.Thread(root.ID))}
	rerun := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	rerun.MessageID, rerun.Replace = root.ID, true
	require.NoError(t, e.deliver(t, rerun, reply))
	trace := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	trace.MessageID = root.ID
	require.NoError(t, e.deliver(t, trace, reply))
	single := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	reply.Ephemeral = true
	require.NoError(t, e.deliver(t, single, reply))
	d.single = single.InteractionToken
	return d
}

// assertButtonsCarryTheirValues checks each button of the root acts on
// the whole value it was given: carried itself when it fits a custom_id,
// else through the token of the value kept in the Poster's store.
func assertButtonsCarryTheirValues(t *testing.T, e *posterEnv, want []chat.Button, root discordfake.Message) {
	t.Helper()
	got := root.Buttons()
	require.Len(t, got, len(want))
	for i, b := range got {
		assert.LessOrEqual(t, len(b.CustomID), discordapi.MaxCustomID)
		action, value, kept := ParseButtonID(b.CustomID)
		assert.Equal(t, want[i].Action, action)
		if kept {
			var found bool
			var err error
			value, found, err = e.poster.opts.Buttons.Get(t.Context(), value)
			require.NoError(t, err)
			require.True(t, found, "the token of %s is kept", b.CustomID)
		}
		assert.Equal(t, want[i].Value, value, "button %s acts on the whole value", b.Label)
	}
}
