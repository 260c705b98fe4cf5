package slackfake

import "encoding/json"

// MessageShortcut is a message shortcut a user starts on a message, as a
// test stages it. Payload is what Slack then sends the app.
type MessageShortcut struct {
	CallbackID, TriggerID string
	ChannelID             string
	UserID, UserName      string
	// Text, TS and ThreadTS are the message's: its text as Slack encodes
	// it (&lt; &gt; &amp;, <links>), its ts, and its thread's root inside
	// a thread ("" for a channel message without replies).
	Text, TS, ThreadTS string
	// ResponseURL answers the shortcut (e.g. the fake's ResponseURL).
	ResponseURL string
}

// Payload is the message_action interaction payload of the shortcut, as
// Slack sends it: the "payload" form field of an HTTP interaction, or the
// payload of a Socket Mode envelope (SendInteractive).
func (m MessageShortcut) Payload() json.RawMessage {
	msg := map[string]any{"type": "message", "user": "U0AUTHOR", "ts": m.TS, "text": m.Text}
	if m.ThreadTS != "" {
		msg["thread_ts"] = m.ThreadTS
	}
	b, _ := json.Marshal(map[string]any{
		"type": "message_action", "token": "deprecated-verification-token", "action_ts": "1700000099.000001",
		"team":        map[string]string{"id": TeamID, "domain": "caracal"},
		"user":        map[string]string{"id": m.UserID, "username": m.UserName, "name": m.UserName, "team_id": TeamID},
		"channel":     map[string]string{"id": m.ChannelID, "name": "incident"},
		"callback_id": m.CallbackID, "trigger_id": m.TriggerID, "response_url": m.ResponseURL,
		"message_ts": m.TS, "message": msg,
	})
	return b
}
