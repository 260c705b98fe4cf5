package slack

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
)

// socketEnv is a SocketRunner connected to slackfake's Socket Mode.
type socketEnv struct {
	sm      *slackfake.SocketMode
	runner  *SocketRunner
	sub     *bottest.Submitter
	resp    *fakeResponders
	metrics *bot.Metrics
}

func startSocketEnv(t *testing.T) *socketEnv {
	t.Helper()
	e := &socketEnv{sub: bottest.NewSubmitter(), resp: newFakeResponders(), metrics: bot.NewMetrics(prometheus.NewRegistry())}
	srv, sm := startFakeSlack(t)
	e.sm = sm
	e.runner = runSocket(t, srv, InboundOptions{Responders: e.resp,
		Inbound: platform.Inbound{Dispatcher: e.sub, Metrics: e.metrics, Now: func() time.Time { return testNow }}})
	return e
}

// startFakeSlack starts the fake Web API with Socket Mode.
func startFakeSlack(t *testing.T) (*slackfake.Server, *slackfake.SocketMode) {
	sm := slackfake.NewSocketMode(20 * time.Millisecond)
	t.Cleanup(sm.Close)
	return slackfake.Start(t, slackfake.WithSocketMode(sm)), sm
}

// runSocket runs a SocketRunner against srv until the test ends.
func runSocket(t *testing.T, srv *slackfake.Server, opts InboundOptions) *SocketRunner {
	client := socketmode.New(srv.Client("xoxb-test", slack.OptionAppLevelToken("xapp-test")))
	runner := NewSocketRunner(client, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("SocketRunner.Run did not return after cancel")
		}
		assert.False(t, runner.Connected())
	})
	return runner
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSocketMode_EndToEnd(t *testing.T) {
	e := startSocketEnv(t)
	require.NoError(t, e.sm.WaitConnections(waitCtx(t), 1))
	require.Eventually(t, e.runner.Connected, 5*time.Second, 5*time.Millisecond)
	assert.Eventually(t, func() bool { return testutil.ToFloat64(e.metrics.Connected.WithLabelValues("slack")) == 1 }, 5*time.Second, 5*time.Millisecond)

	cmd := slack.SlashCommand{Command: "/caracal", Text: "why req-1", UserID: "U1", UserName: "ana", ChannelID: "C1",
		TriggerID: "T1", ResponseURL: "https://hooks.slack.com/commands/x"}
	id, err := e.sm.SendSlashCommand(cmd)
	require.NoError(t, err)
	ack, err := e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	assert.JSONEq(t, `{"response_type":"ephemeral","text":"Working on it: running why…"}`, string(ack.Payload))
	want := bot.Request{
		Invocation: chat.Invocation{Platform: "slack", Command: "why", Text: "req-1", UserID: "U1", UserName: "ana", ChannelID: "C1", TriggeredAt: testNow},
		DedupKey:   "slack:cmd:T1",
		Responder:  fakeResponder{Target{ChannelID: "C1", UserID: "U1", ResponseURL: "https://hooks.slack.com/commands/x"}},
	}
	assert.Equal(t, []bot.Request{want}, e.sub.Dispatched())
	assert.Eventually(t, func() bool { return testutil.CollectAndCount(e.metrics.AckLatency) == 1 }, 5*time.Second, 5*time.Millisecond)

	// The server drops the connection; the runner notices, then reconnects.
	e.sm.Hold()
	e.sm.Drop()
	require.Eventually(t, func() bool { return !e.runner.Connected() }, 5*time.Second, 5*time.Millisecond)
	assert.Eventually(t, func() bool { return testutil.ToFloat64(e.metrics.Connected.WithLabelValues("slack")) == 0 }, 5*time.Second, 5*time.Millisecond)
	e.sm.Release()
	require.NoError(t, e.sm.WaitConnections(waitCtx(t), 2))
	require.Eventually(t, e.runner.Connected, 5*time.Second, 5*time.Millisecond)
	assert.Eventually(t, func() bool { return testutil.ToFloat64(e.metrics.Reconnects.WithLabelValues("slack")) == 1 }, 5*time.Second, 5*time.Millisecond)

	// Slack asks for a reconnect (e.g. before a deploy); the runner follows.
	require.NoError(t, e.sm.Disconnect("refresh_requested"))
	require.NoError(t, e.sm.WaitConnections(waitCtx(t), 3))
	require.Eventually(t, func() bool {
		return e.runner.Connected() && testutil.ToFloat64(e.metrics.Reconnects.WithLabelValues("slack")) == 2
	}, 5*time.Second, 5*time.Millisecond)

	// Slack redelivers the command after the reconnect: acked, not run again.
	id, err = e.sm.SendSlashCommand(cmd)
	require.NoError(t, err)
	ack, err = e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	assert.Nil(t, ack.Payload)
	assert.Len(t, e.sub.Submitted(), 2)
	assert.Len(t, e.sub.Dispatched(), 1)
}

func TestSocketMode_ActionsAndMentions(t *testing.T) {
	e := startSocketEnv(t)
	require.NoError(t, e.sm.WaitConnections(waitCtx(t), 1))

	id, err := e.sm.SendInteractive(json.RawMessage(actionPayload("trace", "req-1", "U1")))
	require.NoError(t, err)
	ack, err := e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	assert.Nil(t, ack.Payload)
	assert.Equal(t, "Working on it: running why…", e.resp.next(t).r.Summary)

	mention := json.RawMessage(mentionEvent("Ev9", "<@UBOT> why req-2", "1699999999.000001", ""))
	id, err = e.sm.SendEvent(mention)
	require.NoError(t, err)
	_, err = e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	// A redelivery (new envelope, retry_attempt 1) is de-duplicated by event_id.
	require.NoError(t, e.sm.SendEnvelope("env-retry", slackfake.EnvelopeEventsAPI, mention, 1))
	_, err = e.sm.WaitAck(waitCtx(t), "env-retry")
	require.NoError(t, err)

	// The ticket button answers at once, without dispatching.
	id, err = e.sm.SendInteractive(json.RawMessage(actionPayload("ticket", "req-1", "U1")))
	require.NoError(t, err)
	_, err = e.sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)

	got := e.sub.Dispatched()
	require.Len(t, got, 2)
	assert.Equal(t, "trace", got[0].Invocation.Command)
	assert.Equal(t, fakeResponder{Target{ChannelID: "C1", UserID: "U1", ThreadTS: "1700000000.000100",
		ResponseURL: "https://hooks.slack.com/actions/y"}}, got[0].Responder)
	assert.Equal(t, "slack:event:Ev9", got[1].DedupKey)
	assert.Equal(t, fakeResponder{Target{ChannelID: "C1", UserID: "U1", ThreadTS: "1699999999.000001"}}, got[1].Responder)
	assert.Len(t, e.sub.Submitted(), 3)
	// The mention's ack and the ticket answer, sent concurrently.
	assert.ElementsMatch(t, []string{"Working on it: running why…", platform.TicketNotConfigured},
		[]string{e.resp.next(t).r.Summary, e.resp.next(t).r.Summary})
}

type runnerFunc func(ctx context.Context, inv chat.Invocation) chat.Reply

func (f runnerFunc) Handle(ctx context.Context, inv chat.Invocation) chat.Reply { return f(ctx, inv) }

// The whole path: envelope → mapping → real dispatcher → command → Poster
// → root message and thread in the fake workspace.
func TestSocketMode_DispatcherAndPoster(t *testing.T) {
	var _ ResponderFactory = (*Poster)(nil)
	var _ platform.Submitter = (*bot.Dispatcher)(nil)
	srv, sm := startFakeSlack(t)
	d := bot.NewDispatcher(bot.Options{Runner: runnerFunc(func(_ context.Context, inv chat.Invocation) chat.Reply {
		return chat.Reply{Summary: "Denied: " + inv.Text, Severity: chat.SeverityError,
			Sections: []chat.Section{{Title: "Evidence", Text: "typed: " + inv.Text}}}
	})})
	t.Cleanup(func() { _ = d.Shutdown(context.Background()) })
	runSocket(t, srv, InboundOptions{Inbound: platform.Inbound{Dispatcher: d}, Responders: NewPoster(srv.Client("xoxb-test"), PosterOptions{})})
	require.NoError(t, sm.WaitConnections(waitCtx(t), 1))

	id, err := sm.SendSlashCommand(slack.SlashCommand{Command: "/caracal", Text: "why <!channel>", UserID: "U1", ChannelID: "C1", TriggerID: "T1"})
	require.NoError(t, err)
	ack, err := sm.WaitAck(waitCtx(t), id)
	require.NoError(t, err)
	assert.JSONEq(t, `{"response_type":"ephemeral","text":"Working on it: running why…"}`, string(ack.Payload))
	require.Eventually(t, func() bool {
		roots := srv.Roots("C1")
		return len(roots) == 1 && len(srv.Thread("C1", roots[0].TS)) > 0
	}, 5*time.Second, 5*time.Millisecond)
	for _, m := range srv.Messages("C1") {
		assert.NotContains(t, m.Text+m.BlocksJSON, "<!channel>", "user text stays data")
	}
}
