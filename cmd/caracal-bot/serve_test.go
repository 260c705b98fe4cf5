package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
	"github.com/caracal-bot/caracal-bot/redact"
)

const (
	testSigningSecret = "test-signing-secret-0123456789"
	testChannel       = "C0INCIDENT"
)

// startServe runs `serve` in-process against the simulator and the fake
// Slack, with the given extra environment; it returns the bot's base URL.
func startServe(t *testing.T, fake *slackfake.Server, extra map[string]string) string {
	t.Helper()
	return startServeWithConfig(t, fake, "", extra)
}

// startServeWithConfig is startServe with a YAML configuration file.
func startServeWithConfig(t *testing.T, fake *slackfake.Server, cfgFile string, extra map[string]string) string {
	t.Helper()
	return startServeOn(t, startSim(t), fake, cfgFile, extra)
}

// startServeOn is startServeWithConfig against the simulator srv.
func startServeOn(t *testing.T, srv *caracaltest.Server, fake *slackfake.Server, cfgFile string, extra map[string]string) string {
	t.Helper()
	base, _ := serveUntilStopped(t, srv, fake, cfgFile, extra)
	return base
}

// serveUntilStopped is startServeOn that also returns stop, which ends
// serve (the test's cleanup calls it too).
func serveUntilStopped(t *testing.T, srv *caracaltest.Server, fake *slackfake.Server, cfgFile string, extra map[string]string) (base string, stop func()) {
	t.Helper()
	env := simEnv(srv)
	if fake != nil {
		env["SLACK_BOT_TOKEN"] = "xoxb-test-bot-token"
		env["SLACK_API_URL"] = fake.URL()
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := config.Load(cfgFile, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	opsLn, err := listenOps(cfg)
	require.NoError(t, err)
	stop = serveInBackground(t, cfg, ln, opsLn, slog.New(slog.DiscardHandler), redact.New(cfg.Secrets()...))
	return "http://" + ln.Addr().String(), stop
}

// serveInBackground runs serve until stop, which the test's cleanup also
// calls, cancels it; serve must then stop cleanly within 30 s.
func serveInBackground(t *testing.T, cfg *config.Config, ln, opsLn net.Listener, logger *slog.Logger, scrub *redact.Scrubber) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ln, opsLn, logger, scrub) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// signedPost sends a Slack-signed form POST.
func signedPost(t *testing.T, url string, form url.Values, ts time.Time) (int, string) {
	t.Helper()
	return signedSlack(t, url, form.Encode(), ts, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

func slashForm(text, trigger string, fake *slackfake.Server) url.Values {
	return url.Values{"command": {"/caracal"}, "text": {text}, "user_id": {"U0ONCALL"}, "user_name": {"oncall"},
		"channel_id": {testChannel}, "team_id": {slackfake.TeamID}, "trigger_id": {trigger},
		"response_url": {fake.ResponseURL(trigger)}}
}

// waitThread waits for a root message with at least n thread replies.
func waitThread(t *testing.T, fake *slackfake.Server, n int) (slackfake.Message, []slackfake.Message) {
	t.Helper()
	var root slackfake.Message
	var thread []slackfake.Message
	require.Eventually(t, func() bool {
		roots := fake.Roots(testChannel)
		if len(roots) == 0 {
			return false
		}
		root = roots[len(roots)-1]
		thread = fake.Thread(testChannel, root.TS)
		return len(thread) >= n
	}, 15*time.Second, 20*time.Millisecond)
	return root, thread
}

func TestServeSlackHTTPSlashCommandGivesAThreadedDiagnosis(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})

	start := time.Now()
	stamp := start.Unix()
	code, body := signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-1", fake), time.Unix(stamp, 0))
	assert.Less(t, time.Since(start), time.Second, "the ack is immediate")
	require.Equal(t, http.StatusOK, code, body)
	var ack struct{ ResponseType, Text string }
	require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(body, "response_type", "ResponseType")), &ack))
	assert.Equal(t, "ephemeral", ack.ResponseType)
	assert.Contains(t, ack.Text, "Working on it")

	root, thread := waitThread(t, fake, 3)
	assert.Contains(t, root.Text, "research-access")
	assert.Contains(t, root.BlocksJSON, "resource_not_granted")
	assert.Contains(t, root.BlocksJSON, `"action_id":"trace"`)
	for _, m := range thread {
		assert.Equal(t, root.TS, m.ThreadTS)
	}
	all := ""
	for _, m := range thread {
		all += m.Text + m.BlocksJSON
	}
	for _, want := range []string{"Evidence", "Steps", "Next actions", "docs.caracal.run"} {
		assert.Contains(t, all, want)
	}

	// The very same signed request again was already handled: an empty 200.
	code, body = signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-1", fake), time.Unix(stamp, 0))
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, body)
	// The same trigger delivered again, freshly signed, runs nothing new.
	code, _ = signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-1", fake), time.Unix(stamp+1, 0))
	assert.Equal(t, http.StatusOK, code)
	time.Sleep(200 * time.Millisecond) // nothing to wait for: prove nothing happens
	assert.Len(t, fake.Roots(testChannel), 1, "a duplicate delivery produces one diagnosis")
}

func TestServeSlackHTTPRefusesUnsignedAndStaleRequests(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})

	code, _ := signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "old", fake), time.Now().Add(-6*time.Minute))
	assert.Equal(t, http.StatusUnauthorized, code, "an old timestamp is refused")

	resp, err := http.PostForm(base+"/slack/commands", slashForm("why "+denyID, "unsigned", fake))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a missing signature is refused")
	assert.Zero(t, fake.Calls("chat.postMessage"), "refused requests post nothing")
}

func TestServeSlackSocketModeGivesAThreadedDiagnosis(t *testing.T) {
	sm := slackfake.NewSocketMode(50 * time.Millisecond)
	t.Cleanup(sm.Close)
	fake := slackfake.Start(t, slackfake.WithSocketMode(sm))
	base := startServe(t, fake, map[string]string{"SLACK_APP_TOKEN": "xapp-test-app-token"})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, sm.WaitConnections(ctx, 1))
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, "/readyz turns ready once Socket Mode is connected")

	id, err := sm.SendSlashCommand(slack.SlashCommand{Command: "/caracal", Text: "why " + denyID, UserID: "U0ONCALL",
		ChannelID: testChannel, TeamID: slackfake.TeamID, TriggerID: "trig-sm-1", ResponseURL: fake.ResponseURL("trig-sm-1")})
	require.NoError(t, err)
	ack, err := sm.WaitAck(ctx, id)
	require.NoError(t, err)
	assert.Contains(t, string(ack.Payload), "Working on it")

	root, thread := waitThread(t, fake, 3)
	assert.Contains(t, root.BlocksJSON, "resource_not_granted")
	assert.Equal(t, root.TS, thread[0].ThreadTS)
}

func TestServeExposesOpsEndpoints(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	signedPost(t, base+"/slack/commands", slashForm("status", "trig-ops", fake), time.Now())
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": `"ready":true`, "/metrics": "caracal_bot_commands_total"} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(b), want, path)
	}
}

// TestServeStaysReadyWhenCaracalIsDown: with Caracal's Admin API away the
// replica stays in the load balancer (degraded) and still answers, which is
// when the channel needs it most.
func TestServeStaysReadyWhenCaracalIsDown(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret, "CARACAL_API_URL": closedURL(t)})
	resp, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(b), `"degraded":true`)
	assert.Contains(t, string(b), "the bot keeps answering")

	code, ack := signedPost(t, base+"/slack/commands", slashForm("status", "trig-caracal-down", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, ack, "Working on it")
	require.Eventually(t, func() bool { return len(fake.Roots(testChannel)) == 1 }, 15*time.Second, 20*time.Millisecond)
	assert.Contains(t, fake.Roots(testChannel)[0].BlocksJSON, "1 of 5 Caracal services not ready", "the status reply tells of the outage")
}

// clickPayload is a block_actions interaction on a root message.
func clickPayload(action, value, rootTS string, fake *slackfake.Server) url.Values {
	p := map[string]any{
		"type": "block_actions", "response_url": fake.ResponseURL("click-" + action),
		"user":      map[string]string{"id": "U0ONCALL", "username": "oncall"},
		"channel":   map[string]string{"id": testChannel},
		"container": map[string]string{"message_ts": rootTS, "channel_id": testChannel},
		"actions":   []map[string]string{{"action_id": action, "value": value}},
	}
	b, _ := json.Marshal(p)
	return url.Values{"payload": {string(b)}}
}

func TestServeSlackButtonsDoWhatTheySay(t *testing.T) {
	fake := slackfake.Start(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	code, _ := signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-btn", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	root, thread := waitThread(t, fake, 3)
	value := denyID + " --zone " + "019f1ce8-1680-793b-b480-86d4734b60a7"

	// Show trace posts the trace table into the diagnosis thread.
	code, _ = signedPost(t, base+"/slack/interactions", clickPayload("trace", value, root.TS, fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool {
		for _, m := range fake.Thread(testChannel, root.TS)[len(thread):] {
			if strings.Contains(m.BlocksJSON, "exchange_denied") {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "the trace rows are posted in the thread")

	// Re-run updates the root message in place.
	code, _ = signedPost(t, base+"/slack/interactions", clickPayload("why", value, root.TS, fake), time.Now().Add(time.Second))
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return len(fake.Updates()) == 1 }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, root.TS, fake.Updates()[0].TS)
	assert.Len(t, fake.Roots(testChannel), 1, "Re-run does not post a second root")

	// Upload bundle to ticket answers privately that tickets are not configured.
	code, _ = signedPost(t, base+"/slack/interactions", clickPayload("ticket", value, root.TS, fake), time.Now().Add(2*time.Second))
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool {
		for _, e := range fake.Ephemerals() {
			if strings.Contains(e.Text, "not configured") {
				return true
			}
		}
		for _, p := range fake.ResponseURLPosts() {
			if strings.Contains(p.Text, "not configured") {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond)
}

func TestServeSlackRefusesCommandsOutsideTheAllowlist(t *testing.T) {
	fake := slackfake.Start(t)
	dir := t.TempDir()
	cfgFile := dir + "/caracal-bot.yaml"
	require.NoError(t, os.WriteFile(cfgFile, []byte("permissions:\n  channels: [C0OTHER]\n"), 0o600))
	base := startServeWithConfig(t, fake, cfgFile, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	code, body := signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-deny", fake), time.Now())
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "not enabled in this channel")
	assert.Zero(t, fake.Calls("chat.postMessage"), "a refused command runs nothing")
}

func TestServeSlackTicketButtonFilesOneTicketInTheThread(t *testing.T) {
	fake := slackfake.Start(t)
	receiver := ticketstest.StartWebhook(t, "webhook-secret-for-tests")
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret,
		"TICKET_WEBHOOK_URL": receiver.URL, "TICKET_WEBHOOK_SECRET": "webhook-secret-for-tests"})
	code, _ := signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-ticket", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	root, thread := waitThread(t, fake, 3)
	value := denyID + " --zone 019f1ce8-1680-793b-b480-86d4734b60a7"

	for i := range 2 {
		code, _ = signedPost(t, base+"/slack/interactions", clickPayload("ticket", value, root.TS, fake), time.Now().Add(time.Duration(i+1)*time.Second))
		require.Equal(t, http.StatusOK, code)
		if i == 0 {
			require.Eventually(t, func() bool {
				return len(receiver.Issues()) == 1 && len(fake.Thread(testChannel, root.TS)) > len(thread)
			},
				15*time.Second, 20*time.Millisecond, "the ticket is filed and its link posted in the thread")
		}
	}
	require.Eventually(t, func() bool { return len(fake.Thread(testChannel, root.TS)) > len(thread)+1 }, 15*time.Second, 20*time.Millisecond)
	assert.Len(t, receiver.Issues(), 1, "a second click answers with the same ticket")
	assert.Eventually(t, func() bool { return len(fake.Files()) > 0 }, 15*time.Second, 20*time.Millisecond, "the bundle is attached to the thread")
}
