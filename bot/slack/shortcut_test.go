package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
)

const (
	pastedTS = "1699999999.000042" // the message the shortcut is used on
	threadTS = "1699999990.000007" // its thread's root, inside a thread
)

// shortcut is "Diagnose with Caracal" used by U1 on a message of C1.
func shortcut(trigger, text, threadTS string) slackfake.MessageShortcut {
	return slackfake.MessageShortcut{CallbackID: CallbackDiagnose, TriggerID: trigger, ChannelID: "C1", UserID: "U1",
		UserName: "ana", Text: text, TS: pastedTS, ThreadTS: threadTS, ResponseURL: "https://hooks.slack.com/app/z"}
}

func shortcutForm(sc slackfake.MessageShortcut) string {
	return url.Values{"payload": {string(sc.Payload())}}.Encode()
}

func TestMessageShortcut_HTTP(t *testing.T) {
	tests := []struct {
		name, threadTS string
		want           Target
	}{
		{"a channel message: its thread starts, the user is answered in the channel", "",
			Target{ChannelID: "C1", UserID: "U1", ThreadTS: pastedTS, NewThread: true, ResponseURL: "https://hooks.slack.com/app/z"}},
		{"a message inside a thread: that thread", threadTS,
			Target{ChannelID: "C1", UserID: "U1", ThreadTS: threadTS, ResponseURL: "https://hooks.slack.com/app/z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newHTTPEnv(t)
			form := shortcutForm(shortcut("T9", `{"error":"access_denied","requestId":"r-1"}`, tt.threadTS))
			status, body := e.post(t, PathInteractions, form, 0, nil)
			require.Equal(t, http.StatusOK, status)
			assert.Empty(t, body, "acknowledged at once with an empty 200")
			want := bot.Request{
				Invocation: chat.Invocation{Platform: "slack", Command: "why", Text: `{"error":"access_denied","requestId":"r-1"}`,
					UserID: "U1", UserName: "ana", ChannelID: "C1", ThreadID: tt.want.ThreadTS, TriggeredAt: e.now},
				DedupKey:  "slack:shortcut:T9",
				Responder: fakeResponder{tt.want},
			}
			assert.Equal(t, []bot.Request{want}, e.sub.Dispatched())
			ack := e.resp.next(t)
			assert.Equal(t, "Working on it: running why…", ack.r.Summary)
			assert.Equal(t, tt.want, ack.t, "the ack goes where the user can see it")

			// Slack delivers the same use again (signed anew): not run twice.
			status, _ = e.post(t, PathInteractions, form, e.now.Unix()-1, nil)
			require.Equal(t, http.StatusOK, status)
			assert.Len(t, e.sub.Submitted(), 2)
			assert.Len(t, e.sub.Dispatched(), 1)
			e.resp.none(t)
		})
	}
}

// TestMessageShortcut_ReadsTheMessageAsSlashCommandsDo: Slack's entity
// encoding of the message is undone exactly as for a slash command's text.
func TestMessageShortcut_ReadsTheMessageAsSlashCommandsDo(t *testing.T) {
	in, sub, _ := newTestInbound()
	text := "deploy failed <@U7> see <https://gw.example/v1|gw>\n```\n&gt; X-Request-Id: junk\n&lt; X-Request-Id: d08e\n```  "
	require.NoError(t, in.interaction(t.Context(), shortcut("T1", text, "").Payload()))
	in.slashCommand(t.Context(), slashCommandFromForm(url.Values{"text": {"why " + text}, "user_id": {"U1"}, "channel_id": {"C1"}, "trigger_id": {"T2"}}))
	reqs := sub.Dispatched()
	require.Len(t, reqs, 2)
	assert.Equal(t, "deploy failed <@U7> see gw\n```\n> X-Request-Id: junk\n< X-Request-Id: d08e\n```", reqs[0].Invocation.Text)
	assert.Equal(t, reqs[1].Invocation.Text, reqs[0].Invocation.Text)
	assert.Equal(t, reqs[1].Invocation.Command, reqs[0].Invocation.Command)
}

func TestMessageShortcut_OthersIgnored(t *testing.T) {
	in, sub, resp := newTestInbound()
	other := shortcut("T1", "r-1", "")
	other.CallbackID = "someone_elses_shortcut"
	noTS := shortcut("T2", "r-1", "")
	noTS.TS = ""
	noUser := shortcut("T3", "r-1", "")
	noUser.UserID = ""
	noChannel := shortcut("T4", "r-1", "")
	noChannel.ChannelID = ""
	for _, p := range []json.RawMessage{other.Payload(), noTS.Payload(), noUser.Payload(), noChannel.Payload(),
		json.RawMessage(`{"type":"shortcut","callback_id":"` + CallbackDiagnose + `","trigger_id":"T5","user":{"id":"U1"}}`),
		json.RawMessage(`{"type":"message_action","callback_id":"` + CallbackDiagnose + `","message":null,"channel":null}`),
	} {
		require.NoError(t, in.interaction(t.Context(), p))
	}
	assert.Empty(t, sub.Submitted())
	resp.none(t)
}

// TestMessageShortcut_Refused: the dispatcher's refusal (an allowlist, a
// permission rule) is answered only to the user.
func TestMessageShortcut_Refused(t *testing.T) {
	in, sub, resp := newTestInbound()
	sub.SetOutcome(bot.Outcome{Status: bot.Forbidden, Ack: "caracal-bot is not enabled in this channel"})
	require.NoError(t, in.interaction(t.Context(), shortcut("T1", "r-1", threadTS).Payload()))
	c := resp.next(t)
	assert.Equal(t, "caracal-bot is not enabled in this channel", c.r.Summary)
	assert.True(t, c.r.Ephemeral)
	assert.Equal(t, threadTS, c.t.ThreadTS)
}

func TestSocketMode_MessageShortcut(t *testing.T) {
	e := startSocketEnv(t)
	require.NoError(t, e.sm.WaitConnections(waitCtx(t), 1))
	sc := shortcut("T-sm", "caracal: 403 access_denied (request_id=r-1)", threadTS)
	id, err := e.sm.SendInteractive(sc.Payload())
	require.NoError(t, err)
	ack, err := e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	assert.Nil(t, ack.Payload, "an interaction's envelope is acked without a payload")
	reqs := e.sub.Dispatched()
	require.Len(t, reqs, 1)
	assert.Equal(t, "why", reqs[0].Invocation.Command)
	assert.Equal(t, "caracal: 403 access_denied (request_id=r-1)", reqs[0].Invocation.Text)
	assert.Equal(t, Target{ChannelID: "C1", UserID: "U1", ThreadTS: threadTS, ResponseURL: "https://hooks.slack.com/app/z"},
		reqs[0].Responder.(fakeResponder).t)

	// Redelivered after a reconnect: acked, not run again.
	id, err = e.sm.SendInteractive(sc.Payload())
	require.NoError(t, err)
	_, err = e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	assert.Len(t, e.sub.Dispatched(), 1)
}

// FuzzMessageShortcut: whatever the payload, a shortcut that runs runs
// why on its message, as the clicking user, in the message's channel, with
// the answer in the message's thread, de-duplicated by its trigger.
func FuzzMessageShortcut(f *testing.F) {
	f.Add([]byte(shortcut("T1", `{"error":"access_denied","requestId":"r-1"}`, "").Payload()))
	f.Add([]byte(shortcut("T2", "&lt;!channel&gt; <!here> xoxb-1-2-abc", threadTS).Payload()))
	f.Add([]byte(shortcut("", strings.Repeat("x", 4000), "").Payload()))
	f.Add([]byte(`{"type":"message_action","callback_id":"caracal_diagnose_message","user":{"id":"U"},"channel":{"id":"C"},"message":{"ts":"1","thread_ts":""}}`))
	f.Add([]byte(`{"type":"message_action","message":{"ts":1}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		in, sub, _ := newTestInbound()
		_ = in.interaction(t.Context(), payload)
		var p interactionPayload
		if json.Unmarshal(payload, &p) != nil || p.Type != "message_action" {
			return
		}
		for _, req := range sub.Submitted() {
			tg := req.Responder.(fakeResponder).t
			inv := req.Invocation
			assert.Equal(t, "why", inv.Command)
			assert.Equal(t, p.User.ID, inv.UserID)
			assert.NotEmpty(t, inv.UserID)
			assert.Equal(t, p.Channel.ID, inv.ChannelID)
			assert.Equal(t, p.Channel.ID, tg.ChannelID)
			assert.Equal(t, p.Message.thread(), tg.ThreadTS)
			assert.NotEmpty(t, tg.ThreadTS, "never a post in the channel itself")
			assert.Equal(t, p.Message.ThreadTS == "", tg.NewThread)
			assert.Empty(t, tg.UpdateTS, "never edits the message")
			assert.Equal(t, key("slack:shortcut:", p.TriggerID), req.DedupKey)
			assert.Equal(t, strings.TrimSpace(plainText(p.Message.Text)), inv.Text)
		}
	})
}
