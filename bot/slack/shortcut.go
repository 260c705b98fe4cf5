package slack

import (
	"cmp"
	"context"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
)

// CallbackDiagnose is the callback_id of the "Diagnose with Caracal"
// message shortcut the app manifests declare.
const CallbackDiagnose = "caracal_diagnose_message"

// shortcutMessage is the part of the message a shortcut was used on that
// the bot reads.
type shortcutMessage struct {
	Text string `json:"text"`
	TS   string `json:"ts"`
	// ThreadTS is the thread's root when the message is in a thread (the
	// root itself included), "" for a channel message without replies.
	ThreadTS string `json:"thread_ts"`
}

// thread is the ts of the thread a reply to the message goes into: its
// thread inside a thread, else the one the reply starts under it.
func (m shortcutMessage) thread() string { return cmp.Or(m.ThreadTS, m.TS) }

// messageAction maps the "Diagnose with Caracal" message shortcut: why
// with the message's text, as `/caracal why <text>` runs it (Slack's
// entities decoded), as the clicking user in the message's channel, so
// the same permissions, allowlist and zones apply. The diagnosis goes
// into the message's thread; what only the user sees (the ack, a
// refusal, a message with no error to diagnose) goes where they are.
// Slack's redeliveries of one use share its trigger_id and run once.
// Other shortcuts, and payloads without a user, channel or message, are
// ignored.
func (in *inbound) messageAction(ctx context.Context, p *interactionPayload) {
	m := p.Message
	if p.CallbackID != CallbackDiagnose || p.User.ID == "" || p.Channel.ID == "" || m.TS == "" {
		return
	}
	inv := chat.DiagnoseMessage(plainText(m.Text))
	inv.Platform, inv.UserID, inv.UserName, inv.ChannelID, inv.ThreadID, inv.TriggeredAt =
		Name, p.User.ID, p.userName(), p.Channel.ID, m.thread(), in.Now()
	t := Target{ChannelID: p.Channel.ID, UserID: p.User.ID, ThreadTS: m.thread(), NewThread: m.ThreadTS == "",
		ResponseURL: p.ResponseURL}
	out := in.submit(ctx, bot.Request{Invocation: inv, DedupKey: key("slack:shortcut:", p.TriggerID),
		Responder: in.responders.Responder(t)})
	in.ephemeral(ctx, t, out.Ack)
}
