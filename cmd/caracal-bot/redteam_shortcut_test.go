package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	slackbot "github.com/caracal-bot/caracal-bot/bot/slack"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
)

// The red team on "Diagnose with Caracal": the message diagnosed was
// written by someone else, who pasted secrets with the error.

// rtPasteSlackToken is a Slack token pasted into a message, found by its
// shape.
const rtPasteSlackToken = "xoxb-4411-RtPasteSlackTok3n9Wq2"

// rtHostileMessage is a message posted in an incident: the error with a
// request ID among a bearer header, a client secret, a JWT, a Slack token
// and the bot's own admin token (five secrets), markup that would ping
// the channel (ping) or format the answer, and filler up to 4,000
// characters.
func rtHostileMessage(requestID, ping string) string {
	msg := ping + " *prod is down* ~again~ `" + rtPaste(requestID) + "` pasted with " + rtPasteSlackToken +
		" and the bot's " + rtAdminToken + "\n"
	return msg + strings.Repeat("retrying… ", (4000-len([]rune(msg)))/10)
}

// shortcut uses Diagnose with Caracal, as the on-call user, on message ts
// of testChannel, and keeps the ack.
func (s *rtServe) shortcut(t *testing.T, out *outputs, trigger, text, ts string) {
	t.Helper()
	sc := slackfake.MessageShortcut{CallbackID: slackbot.CallbackDiagnose, TriggerID: trigger, ChannelID: testChannel,
		UserID: "U0ONCALL", UserName: "oncall", Text: text, TS: ts, ResponseURL: s.responseURL(trigger)}
	_, ack := s.slackPost(t, "/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(sc.Payload())}}.Encode())
	out.addString("slack ack of shortcut "+trigger, ack)
}

// discordMessage uses Diagnose with Caracal, as the on-call member, on a
// message of the test channel, through the gateway; it returns the
// interaction token.
func (s *rtServe) discordMessage(t *testing.T, content string) string {
	t.Helper()
	id, token := s.discord.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	require.NoError(t, s.gw.SendInteraction(diagnoseInteraction(id, token, s.discord.AppID(), content)))
	return token
}

// TestRedTeamMessageActions: the Slack shortcut and the Discord message
// command on a hostile message of 4,000 characters. No secret of the
// message (nor any other planted one) leaves the bot, the message is still
// diagnosed, in its thread on Slack, and the user who used the action is
// told privately what was removed.
func TestRedTeamMessageActions(t *testing.T) {
	t.Parallel()
	rt := startRedTeam(t)
	rt.secrets = append(rt.secrets, newSecret("pasted Slack token", rtPasteSlackToken))
	out := &outputs{}
	s := rt.startServe(t)
	failed := scenario(t, "upstream-failed")
	const messageTS = "1699990000.000777"

	slackMsg := rtHostileMessage(failed.ID, "<!channel>")
	require.InDelta(t, 4000, len([]rune(slackMsg)), 10)
	s.shortcut(t, out, "rt-shortcut", slackMsg, messageTS)
	token := s.discordMessage(t, rtHostileMessage(failed.ID, "@everyone"))
	s.waitCommands(t, 2)
	require.Eventually(t, func() bool {
		thread := s.slack.Thread(testChannel, messageTS)
		return len(thread) >= 4 && strings.Contains(thread[0].BlocksJSON, "upstream_failed") && strings.Contains(thread[0].BlocksJSON, failed.ID)
	}, 20*time.Second, 20*time.Millisecond, "Slack: the message is diagnosed in its thread")
	root, _ := waitDiscordThread(t, s.discord, token, 3)
	assert.Equal(t, "upstream_failed", embedField(root, "Cause"), "Discord: the message is diagnosed")
	require.Eventually(t, func() bool { return s.slackNoted("rt-shortcut", 5) && s.discordNoted(token, 5) }, 20*time.Second, 20*time.Millisecond,
		"the private notes on the five removed secrets")
	s.stop()

	assert.Empty(t, s.slack.Roots(testChannel), "Slack: nothing posted in the channel itself")
	for _, m := range s.slack.Messages(testChannel) {
		assert.NotContains(t, m.Text+m.BlocksJSON, "<!channel>", "no ping")
	}
	for _, m := range s.discord.Messages(discordChannel) {
		require.NotNil(t, m.AllowedMentions, "Discord: %s pings nobody", m.ID)
		assert.Empty(t, m.AllowedMentions.Parse)
	}
	s.collect(out)
	rt.addCaracalRequests(out)
	assertNoLeaks(t, rt.secrets, out)
}
