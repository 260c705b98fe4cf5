package chat

import "strings"

// DiagnoseLabel names the action that diagnoses a chat message on every
// platform: Slack's message shortcut, Discord's message command, the
// demo's /diagnose.
const DiagnoseLabel = "Diagnose with Caracal"

// diagnoseCommand is the command "Diagnose with Caracal" runs.
const diagnoseCommand = "why"

// DiagnoseMessage is the invocation "Diagnose with Caracal" runs on a chat
// message: why with the message's text, exactly as `/caracal why <text>`
// runs it (the pasted error is read the same way). The adapter fills in
// the rest (platform, user, channel, thread).
func DiagnoseMessage(text string) Invocation {
	return Invocation{Command: diagnoseCommand, Text: strings.TrimSpace(text)}
}
