package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	slackbot "github.com/caracal-bot/caracal-bot/bot/slack"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// "Diagnose with Caracal" on a Slack message, through serve: the message
// shortcut on a message someone pasted an error into, over HTTP and
// Socket Mode, against the simulator and the fake Slack.

// Messages of testChannel the shortcut is used on: a channel message, and
// a reply inside the thread of threadRootTS.
const (
	channelMessageTS = "1699990000.000100"
	threadRootTS     = "1699990000.000200"
	threadReplyTS    = "1699990000.000300"
)

// pastedError is a message as Slack sends its text: a line of chat, then
// the error the caller saw in a code block (Slack encodes & < >).
func pastedError(sc caracaltest.Scenario) string {
	return "checkout has failed since 10:02 &lt;- anyone?\n```" + sc.CallerSaw + "```"
}

// shortcutBy is the shortcut used by user on message ts (in the thread of
// threadTS, "" for a channel message) of channel, whose text is text.
func shortcutBy(user, channel, trigger, text, ts, threadTS string, fake *slackfake.Server) slackfake.MessageShortcut {
	return slackfake.MessageShortcut{CallbackID: slackbot.CallbackDiagnose, TriggerID: trigger, ChannelID: channel,
		UserID: user, UserName: "oncall", Text: text, TS: ts, ThreadTS: threadTS, ResponseURL: fake.ResponseURL(trigger)}
}

// shortcutOn is the shortcut used by the on-call user in testChannel.
func shortcutOn(trigger, text, ts, threadTS string, fake *slackfake.Server) slackfake.MessageShortcut {
	return shortcutBy("U0ONCALL", testChannel, trigger, text, ts, threadTS, fake)
}

// useShortcut posts the shortcut to serve's interactions endpoint, signed
// at ts; the acknowledgement is an immediate empty 200.
func useShortcut(t *testing.T, base string, sc slackfake.MessageShortcut, ts time.Time) {
	t.Helper()
	start := time.Now()
	code, body := signedPost(t, base+"/slack/interactions", url.Values{"payload": {string(sc.Payload())}}, ts)
	assert.Less(t, time.Since(start), time.Second, "the ack is immediate")
	require.Equal(t, http.StatusOK, code, body)
	assert.Empty(t, body)
}

// waitInThread waits until the thread of ts has at least n messages.
func waitInThread(t *testing.T, fake *slackfake.Server, ts string, n int) []slackfake.Message {
	t.Helper()
	var thread []slackfake.Message
	require.Eventually(t, func() bool {
		thread = fake.Thread(testChannel, ts)
		return len(thread) >= n
	}, 15*time.Second, 20*time.Millisecond, "%d messages in the thread of %s", n, ts)
	return thread
}

// assertDiagnosisInThread checks a diagnosis posted in the thread of ts:
// the verdict naming the request, with the buttons, first; then evidence,
// steps and next actions; every message in that thread, none in the channel.
func assertDiagnosisInThread(t *testing.T, fake *slackfake.Server, thread []slackfake.Message, ts, requestID, cause string) {
	t.Helper()
	verdict := thread[0]
	assert.Contains(t, verdict.BlocksJSON, requestID)
	assert.Contains(t, verdict.BlocksJSON, cause)
	for _, action := range []string{`"action_id":"ticket"`, `"action_id":"trace"`, `"action_id":"why"`} {
		assert.Contains(t, verdict.BlocksJSON, action, "the verdict comes with its buttons")
	}
	all := ""
	for _, m := range thread {
		assert.Equal(t, ts, m.ThreadTS, "every message in the message's thread")
		all += m.Text + m.BlocksJSON
	}
	for _, want := range []string{"Evidence", "Steps", "Next actions", "docs.caracal.run"} {
		assert.Contains(t, all, want)
	}
	assert.Empty(t, fake.Roots(testChannel), "nothing posted in the channel itself")
}

// ackedPrivately reports whether the user got "Working on it" privately in
// the thread of ts ("" for the channel).
func ackedPrivately(fake *slackfake.Server, ts string) bool {
	for _, e := range fake.Ephemerals() {
		if e.User == "U0ONCALL" && e.ThreadTS == ts && strings.Contains(e.Text, "Working on it") {
			return true
		}
	}
	return false
}

func TestServeSlackShortcutDiagnosesInTheMessagesThread(t *testing.T) {
	deny := scenario(t, "deny-no-grant")
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	now := time.Now()

	// A channel message: the diagnosis starts its thread.
	useShortcut(t, base, shortcutOn("trig-sc-1", pastedError(deny), channelMessageTS, "", fake), now)
	thread := waitInThread(t, fake, channelMessageTS, 4)
	assertDiagnosisInThread(t, fake, thread, channelMessageTS, deny.ID, "resource_not_granted")
	assert.True(t, ackedPrivately(fake, ""), "the ack goes to the channel, where the user is: the thread has just started")

	// A reply inside a thread: the diagnosis goes into that thread.
	useShortcut(t, base, shortcutOn("trig-sc-2", pastedError(deny), threadReplyTS, threadRootTS, fake), now.Add(time.Second))
	thread = waitInThread(t, fake, threadRootTS, 4)
	assertDiagnosisInThread(t, fake, thread, threadRootTS, deny.ID, "resource_not_granted")
	assert.True(t, ackedPrivately(fake, threadRootTS))

	// The same use delivered again runs nothing new.
	n := len(fake.Messages(testChannel))
	useShortcut(t, base, shortcutOn("trig-sc-2", pastedError(deny), threadReplyTS, threadRootTS, fake), now.Add(2*time.Second))
	time.Sleep(200 * time.Millisecond) // nothing to wait for: prove nothing happens
	assert.Len(t, fake.Messages(testChannel), n)
}

func TestServeSlackShortcutOnAMessageWithoutAnError(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	for i, ts := range []string{"", threadRootTS} {
		useShortcut(t, base, shortcutOn("trig-none-"+ts, "lunch at noon? &lt;3", channelMessageTS, ts, fake), time.Now().Add(time.Duration(i)*time.Second))
		require.Eventually(t, func() bool {
			for _, e := range fake.Ephemerals() {
				if e.ThreadTS == ts && strings.Contains(e.Text+e.BlocksJSON, "no request ID found") {
					return true
				}
			}
			return false
		}, 15*time.Second, 20*time.Millisecond, "answered privately, where the user is")
	}
	assert.Empty(t, fake.Messages(testChannel), "nothing posted in the channel or a thread")
	for _, p := range fake.ResponseURLPosts() {
		assert.NotEqual(t, "in_channel", p.ResponseType)
	}
}

func TestServeSlackShortcutOverSocketMode(t *testing.T) {
	deny := scenario(t, "deny-no-grant")
	sm := slackfake.NewSocketMode(50 * time.Millisecond)
	t.Cleanup(sm.Close)
	fake := slackfake.Start(t, slackfake.WithSocketMode(sm))
	startServe(t, fake, map[string]string{"SLACK_APP_TOKEN": "xapp-test-app-token"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, sm.WaitConnections(ctx, 1))

	for _, sc := range []slackfake.MessageShortcut{
		shortcutOn("trig-sm-1", pastedError(deny), channelMessageTS, "", fake),
		shortcutOn("trig-sm-2", pastedError(deny), threadReplyTS, threadRootTS, fake),
	} {
		id, err := sm.SendInteractive(sc.Payload())
		require.NoError(t, err)
		ack, err := sm.WaitAck(ctx, id)
		require.NoError(t, err)
		assert.Nil(t, ack.Payload)
	}
	assertDiagnosisInThread(t, fake, waitInThread(t, fake, channelMessageTS, 4), channelMessageTS, deny.ID, "resource_not_granted")
	assertDiagnosisInThread(t, fake, waitInThread(t, fake, threadRootTS, 4), threadRootTS, deny.ID, "resource_not_granted")

	// Without an error: privately, nothing posted.
	n := len(fake.Messages(testChannel))
	id, err := sm.SendInteractive(shortcutOn("trig-sm-3", "deploy done", "1699990000.000900", "", fake).Payload())
	require.NoError(t, err)
	_, err = sm.WaitAck(ctx, id)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		for _, e := range fake.Ephemerals() {
			if strings.Contains(e.Text+e.BlocksJSON, "no request ID found") {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	assert.Len(t, fake.Messages(testChannel), n)
}

// TestServeSlackShortcutObeysPermissions: the channel allowlist and the
// rules of why apply to the shortcut as to /caracal why.
func TestServeSlackShortcutObeysPermissions(t *testing.T) {
	deny := scenario(t, "deny-no-grant")
	fake := slackfake.Start(t)
	cfgFile := t.TempDir() + "/caracal-bot.yaml"
	require.NoError(t, os.WriteFile(cfgFile, []byte("permissions:\n  channels: ["+testChannel+"]\n  commands:\n    why: {users: [U0LEAD]}\n"), 0o600))
	base := startServeWithConfig(t, fake, cfgFile, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	now := time.Now()

	refused := func(want string) {
		t.Helper()
		require.Eventually(t, func() bool { return strings.Contains(slackPrivate(fake), want) }, 10*time.Second, 20*time.Millisecond)
	}
	useShortcut(t, base, shortcutOn("trig-perm-1", pastedError(deny), channelMessageTS, "", fake), now)
	refused("you are not allowed to run why here")
	useShortcut(t, base, shortcutBy("U0LEAD", "C0ELSEWHERE", "trig-perm-2", pastedError(deny), channelMessageTS, "", fake), now.Add(time.Second))
	refused("not enabled in this channel")
	assert.Empty(t, fake.Messages(testChannel), "a refused shortcut posts nothing")
	assert.Empty(t, fake.Messages("C0ELSEWHERE"))

	useShortcut(t, base, shortcutBy("U0LEAD", testChannel, "trig-perm-3", pastedError(deny), channelMessageTS, "", fake), now.Add(2*time.Second))
	assertDiagnosisInThread(t, fake, waitInThread(t, fake, channelMessageTS, 4), channelMessageTS, deny.ID, "resource_not_granted")
}

// TestServeSlackShortcutInAChannelBoundToAZone: a message of a channel
// bound to Research is diagnosed within Research only.
func TestServeSlackShortcutInAChannelBoundToAZone(t *testing.T) {
	wrong := scenario(t, "wrong-zone")
	srv := startSim(t)
	fake := slackfake.Start(t)
	base := startServeOn(t, srv, fake, bindToResearch(t, testChannel), map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})

	// The pasted request lives in Staging: not found, and not revealed.
	useShortcut(t, base, shortcutOn("trig-zone-1", pastedError(wrong), channelMessageTS, "", fake), time.Now())
	thread := waitInThread(t, fake, channelMessageTS, 5) // verdict, evidence, steps, next actions, missing evidence
	all := ""
	for _, m := range thread {
		all += m.Text + m.BlocksJSON
	}
	assert.Contains(t, all, "the search was limited to the zones this channel may read")
	assertNoStaging(t, all)

	// A message that names Staging with --zone: refused privately.
	useShortcut(t, base, shortcutOn("trig-zone-2", "retry with "+wrong.ID+" --zone "+caracaltest.ZoneStaging, threadReplyTS, threadRootTS, fake),
		time.Now().Add(time.Second))
	require.Eventually(t, func() bool { return strings.Contains(slackPrivate(fake), refusedZone) }, 10*time.Second, 20*time.Millisecond)
	assert.Empty(t, fake.Thread(testChannel, threadRootTS), "nothing posted")
	assertNoStaging(t, withoutEcho(slackPrivate(fake)))
	assert.Empty(t, stagingRequests(srv), "nothing is read from Staging")
}

// TestServeSlackShortcutEchoesNoLiveMarkup: what the answer quotes of a
// hostile message (here the --zone it names) is inert: no ping, no link.
func TestServeSlackShortcutEchoesNoLiveMarkup(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	useShortcut(t, base, shortcutOn("trig-markup", "<!channel> "+denyID+" --zone <!channel>", channelMessageTS, "", fake), time.Now())
	var answer string
	require.Eventually(t, func() bool {
		answer = slackPrivate(fake)
		return strings.Contains(answer, "--zone must be a Caracal zone id")
	}, 15*time.Second, 20*time.Millisecond)
	assert.NotContains(t, answer, "<!channel>")
	assert.Empty(t, fake.Messages(testChannel))
}
