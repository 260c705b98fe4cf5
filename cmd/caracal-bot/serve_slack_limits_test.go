package main

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// buttonValues are the values of the buttons of a posted message, by action_id.
func buttonValues(m slackfake.Message) map[string]string {
	out := map[string]string{}
	for _, b := range m.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					out[btn.ActionID] = btn.Value
				}
			}
		}
	}
	return out
}

// assertSentWithinLimits checks every message the bot sent to the fake:
// none refused, each within every limit.
func assertSentWithinLimits(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	reqs := fake.Requests()
	require.NotEmpty(t, reqs)
	for i, req := range reqs {
		assert.Empty(t, req.Refused, "message %d (%s) refused: %s", i, req.Method, req.Problem)
		_, err := blockkit.Check(req.Text, req.Blocks.BlockSet)
		assert.NoError(t, err, "message %d (%s)", i, req.Method)
	}
}

// TestServeSlackButtonsOnTheLongestRequestID diagnoses the largest
// scenario (a 128-character request ID, 200-character names) from a slash
// command, then clicks Show trace and Re-run: their values carry the whole
// ID with its zone, each command runs with it, and every message sent is
// within Slack's limits.
func TestServeSlackButtonsOnTheLongestRequestID(t *testing.T) {
	sc := scenario(t, caracaltest.LargestName)
	require.Len(t, sc.ID, 128)
	fake := slackfake.Start(t)
	base := startServeOn(t, startSim(t, caracaltest.WithScenario(sc.ID)), fake, "", map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})

	code, _ := signedPost(t, base+"/slack/commands", slashForm("why "+sc.WhyArgs(), "trig-longest", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	root, thread := waitThread(t, fake, 3)
	assert.Contains(t, root.BlocksJSON, "*Request ID*\\n"+sc.ID, "the ID is shown whole and as it is")
	value := sc.ID + " --zone " + sc.Zone
	buttons := buttonValues(root)
	assert.Equal(t, value, buttons["trace"])
	assert.Equal(t, value, buttons["why"])

	// Show trace: the trace of the whole ID, its 50 rows in a file in the thread.
	code, _ = signedPost(t, base+"/slack/interactions", clickPayload("trace", buttons["trace"], root.TS, fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return len(fake.Files()) == 1 }, 15*time.Second, 20*time.Millisecond)
	file := fake.Files()[0]
	assert.Equal(t, root.TS, file.ThreadTS)
	assert.Equal(t, 50+3, bytes.Count(file.Data, []byte("\n")), "title, blank line, header and the 50 rows of the ID")
	traceRoot := fake.Thread(testChannel, root.TS)[len(thread)]
	assert.Contains(t, traceRoot.BlocksJSON, "*Request ID*\\n"+sc.ID)

	// Re-run: the root is replaced by a diagnosis of the whole ID, its
	// buttons still carrying it.
	code, _ = signedPost(t, base+"/slack/interactions", clickPayload("why", buttons["why"], root.TS, fake), time.Now().Add(time.Second))
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return len(fake.Updates()) == 1 }, 15*time.Second, 20*time.Millisecond)
	rerun := fake.Roots(testChannel)
	require.Len(t, rerun, 1)
	assert.True(t, rerun[0].Edited)
	assert.Contains(t, rerun[0].BlocksJSON, "*Request ID*\\n"+sc.ID)
	assert.Equal(t, value, buttonValues(rerun[0])["why"])
	require.Eventually(t, func() bool { return len(fake.Thread(testChannel, root.TS)) >= 2*len(thread)+2 }, 15*time.Second, 20*time.Millisecond,
		"the Re-run's thread is posted under the root")

	assertSentWithinLimits(t, fake)
}

// TestServeSlackLongestDiagnosisWhereTheBotIsNotInvited answers the largest
// diagnosis through the response_url in one message within the limits,
// shortened, saying why and how to invite the bot.
func TestServeSlackLongestDiagnosisWhereTheBotIsNotInvited(t *testing.T) {
	sc := scenario(t, caracaltest.LargestName)
	fake := slackfake.Start(t, slackfake.WithChannel(slackfake.Channel{ID: testChannel, NotMember: true}))
	base := startServeOn(t, startSim(t, caracaltest.WithScenario(sc.ID)), fake, "", map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})

	code, _ := signedPost(t, base+"/slack/commands", slashForm("why "+sc.WhyArgs(), "trig-uninvited", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	var answer slackfake.ResponsePost
	require.Eventually(t, func() bool {
		for _, p := range fake.ResponseURLPosts() {
			if p.ResponseType == "in_channel" {
				answer = p
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	assert.Contains(t, answer.BlocksJSON, "*Request ID*\\n"+sc.ID)
	assert.Contains(t, answer.BlocksJSON, "Shortened to fit one message")
	assert.Contains(t, answer.BlocksJSON, "Invite me with `/invite @caracal-bot`")
	assert.Empty(t, fake.Roots(testChannel))
	assertSentWithinLimits(t, fake)
}
