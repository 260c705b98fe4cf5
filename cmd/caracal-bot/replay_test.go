package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// signedSlack posts body to url as Slack does, signed at ts, with header's
// fields added (a retry's X-Slack-Retry-Num); it returns the status and body.
func signedSlack(t *testing.T, url, body string, ts time.Time, header http.Header) (int, string) {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSigningSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mention is an Events API delivery of an @caracal-bot mention by the
// on-call user, in the test channel, of a message posted at ts.
func mention(t *testing.T, eventID, ts, text string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID, "team_id": slackfake.TeamID,
		"authorizations": []map[string]string{{"user_id": slackfake.BotUserID}},
		"event": map[string]string{"type": "app_mention", "user": "U0ONCALL", "channel": testChannel, "ts": ts,
			"text": "<@" + slackfake.BotUserID + "> " + text}})
	require.NoError(t, err)
	return string(b)
}

// ephemeralsSaying counts the ephemeral answers holding text. A mention in
// the channel is answered in the channel: Slack shows no ephemeral message
// in a thread that has no reply yet.
func ephemeralsSaying(fake *slackfake.Server, text string) int {
	n := 0
	for _, e := range fake.Ephemerals() {
		if strings.Contains(e.Text, text) {
			n++
		}
	}
	return n
}

// TestSlackReplayAfterARestartRunsOnce restarts a bot without Redis but
// with a state_dir: the very same signed slash command sent again to the new
// process is answered an empty 200 and runs nothing.
func TestSlackReplayAfterARestartRunsOnce(t *testing.T) {
	fake := slackfake.Start(t)
	env := with(simEnv(startSim(t)), "SLACK_BOT_TOKEN", "xoxb-test-bot-token", "SLACK_API_URL", fake.URL(),
		"SLACK_SIGNING_SECRET", testSigningSecret, "BOT_STATE_DIR", t.TempDir())
	sent := time.Now()
	command := slashForm("why "+denyID, "trig-before-restart", fake)

	before := startReplica(t, env)
	code, ack := signedPost(t, before.base+"/slack/commands", command, sent)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, ack, "Working on it")
	waitThread(t, fake, 3)
	before.kill()

	after := startReplica(t, env)
	code, ack = signedPost(t, after.base+"/slack/commands", command, sent)
	assert.Equal(t, http.StatusOK, code, "a replay after a restart")
	assert.Empty(t, ack, "answered without running it")

	// Once a later command is answered, the replay has had every chance to show.
	code, _ = signedPost(t, after.base+"/slack/commands", slashForm("status", "trig-after-restart", fake), sent.Add(time.Second))
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return len(fake.Roots(testChannel)) == 2 }, 15*time.Second, 20*time.Millisecond)
	assert.Equal(t, 1, rootsMentioning(fake, denyID), "the command ran once")
}

// TestSlackEventRetryOnRedisRunsOnce sends Slack's byte-identical retry of
// an event (X-Slack-Retry-Num) to another replica, to the same one, and to
// a replica started after the first died: each answers 200 and the event
// is answered once in Slack, since the memory of handled requests is in
// Redis.
func TestSlackEventRetryOnRedisRunsOnce(t *testing.T) {
	redis := redistest.Start(t)
	fake := slackfake.Start(t)
	env := slackRedisEnv(t, fake, redis)
	a, b := startReplica(t, env), startReplica(t, env)
	sent := time.Now()
	const ts = "1700000001.000100"
	event := mention(t, "Ev0RETRY", ts, "why "+denyID)

	code, _ := signedSlack(t, a.base+"/slack/events", event, sent, nil)
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return ephemeralsSaying(fake, "running why") == 1 }, 15*time.Second, 20*time.Millisecond)

	retry := http.Header{"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}
	for name, r := range map[string]*replica{"another replica": b, "the same replica": a} {
		code, body := signedSlack(t, r.base+"/slack/events", event, sent, retry)
		assert.Equal(t, http.StatusOK, code, name)
		assert.Empty(t, body, name)
	}
	a.kill()
	c := startReplica(t, env)
	code, _ = signedSlack(t, c.base+"/slack/events", event, sent, retry)
	assert.Equal(t, http.StatusOK, code, "a replica started afterwards")

	// Once a later event is answered, the retries have had every chance to show.
	const next = "1700000002.000100"
	code, _ = signedSlack(t, c.base+"/slack/events", mention(t, "Ev0NEXT", next, "status"), sent.Add(time.Second), nil)
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return ephemeralsSaying(fake, "running status") == 1 }, 15*time.Second, 20*time.Millisecond)
	assert.Equal(t, 1, ephemeralsSaying(fake, "running why"), "one answer to the event")
	assert.Len(t, fake.Ephemerals(), 2)
}
