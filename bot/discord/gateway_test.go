package discord

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// gatewayEnv is a GatewayRunner connected to the fake gateway.
type gatewayEnv struct {
	srv     *discordfake.Server
	gw      *discordfake.Gateway
	runner  *GatewayRunner
	sub     *bottest.Submitter
	metrics *bot.Metrics
	cancel  context.CancelFunc
	done    chan error
	// waitCtx ends when Run returns (or after 10 s), so waits fail fast.
	waitCtx context.Context
}

func startGateway(t *testing.T, opts ...discordfake.Option) *gatewayEnv {
	t.Helper()
	return startGatewayWith(t, nil, opts...)
}

// startGatewayWith is startGateway with the runner's options changed by
// configure (when not nil).
func startGatewayWith(t *testing.T, configure func(*InboundOptions), opts ...discordfake.Option) *gatewayEnv {
	t.Helper()
	e := &gatewayEnv{gw: discordfake.NewGateway(0), sub: bottest.NewSubmitter(), metrics: bot.NewMetrics(prometheus.NewRegistry()),
		done: make(chan error, 1)}
	e.srv = discordfake.Start(t, append(opts, discordfake.WithGateway(e.gw))...)
	t.Cleanup(e.gw.Close)
	s, err := NewSession(discordfake.DefaultBotToken, e.srv.URL(), nil)
	require.NoError(t, err)
	in := InboundOptions{AppID: e.srv.AppID(), Responders: fakeResponders{}, Inbound: platform.Inbound{Dispatcher: e.sub, Metrics: e.metrics}}
	if configure != nil {
		configure(&in)
	}
	e.runner = NewGatewayRunner(s, in)
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	wctx, stopWaits := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(stopWaits)
	e.waitCtx = wctx
	go func() {
		err := e.runner.Run(ctx)
		stopWaits()
		e.done <- err
	}()
	t.Cleanup(func() { e.stop(t) })
	return e
}

// stop ends Run and checks it returned nil (once).
func (e *gatewayEnv) stop(t *testing.T) {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	select {
	case err := <-e.done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		assert.Fail(t, "Run did not return")
	}
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// send registers an interaction with the fake REST API, fills its id and
// token in i and pushes it on the gateway.
func (e *gatewayEnv) send(t *testing.T, i *discordgo.Interaction) *discordgo.Interaction {
	t.Helper()
	require.NoError(t, e.trySend(i))
	return i
}

// trySend is send for a connection that may be closing: it returns the error.
func (e *gatewayEnv) trySend(i *discordgo.Interaction) error {
	i.ID, i.Token = e.srv.NewInteraction(i.ChannelID, i.GuildID, "U1")
	i.AppID = e.srv.AppID()
	return e.gw.SendInteraction(i)
}

func TestGateway_InteractionEndToEnd(t *testing.T) {
	t.Parallel()
	e := startGateway(t)
	require.NoError(t, e.runner.waitConnected(e.waitCtx, true))
	assert.True(t, e.runner.Connected())
	assert.Equal(t, 1.0, testutil.ToFloat64(e.metrics.Connected.WithLabelValues("discord")))
	ids := e.gw.Identifies()
	require.Len(t, ids, 1)
	assert.Equal(t, discordgo.IntentsNone, ids[0].Intents, "interactions need no intent, privileged or not")

	i := e.send(t, commandInteraction("", "why", str("request_id", "req-1"), str("zone", "z")))
	req := e.sub.Next(t)
	assert.Equal(t, "why", req.Invocation.Command)
	assert.Equal(t, "req-1 --zone z", req.Invocation.Text)
	assert.Equal(t, "discord", req.Invocation.Platform)
	assert.Equal(t, "discord:interaction:"+i.ID, req.DedupKey)
	tg, acked := targetOf(t, req)
	assert.Equal(t, Target{AppID: e.srv.AppID(), InteractionToken: i.Token, ChannelID: "C1", GuildID: "G1", UserID: "U1"}, tg)
	waitClosed(t, acked, "Acked")

	cbs := e.srv.Callbacks()
	require.Len(t, cbs, 1, "Acked closes after the callback returned")
	assert.Equal(t, i.ID, cbs[0].InteractionID)
	assert.Equal(t, int(discordgo.InteractionResponseDeferredChannelMessageWithSource), cbs[0].Type)
	assert.Equal(t, 1, testutil.CollectAndCount(e.metrics.AckLatency, "caracal_bot_ack_latency_seconds"))

	// Refusals are answered with an ephemeral callback, buttons with a
	// deferred update.
	e.sub.SetOutcome(bot.Outcome{Status: bot.Busy, Ack: "busy now"})
	e.send(t, commandInteraction("", "status"))
	_, acked = targetOf(t, e.sub.Next(t))
	waitClosed(t, acked, "Acked")
	e.sub.SetOutcome(bot.Outcome{Status: bot.Accepted})
	e.send(t, buttonInteraction("", buttonID(chat.ActionTrace, "req-1"), "U1"))
	_, acked = targetOf(t, e.sub.Next(t))
	waitClosed(t, acked, "Acked")
	cbs = e.srv.Callbacks()
	require.Len(t, cbs, 3)
	assert.Equal(t, int(discordgo.InteractionResponseChannelMessageWithSource), cbs[1].Type)
	assert.Equal(t, int(discordgo.MessageFlagsEphemeral), cbs[1].Flags)
	assert.Equal(t, "busy now", cbs[1].Content)
	assert.Equal(t, int(discordgo.InteractionResponseDeferredMessageUpdate), cbs[2].Type)

	e.stop(t)
	assert.False(t, e.runner.Connected())
	assert.Equal(t, 0.0, testutil.ToFloat64(e.metrics.Connected.WithLabelValues("discord")))
}

// TestGateway_ClosedByDefault is TestHTTP_ClosedByDefault over the gateway:
// the refusals go out as ephemeral callbacks and nothing is dispatched.
func TestGateway_ClosedByDefault(t *testing.T) {
	t.Parallel()
	e := startGatewayWith(t, func(o *InboundOptions) { o.Guilds = []string{"G1"} })
	require.NoError(t, e.runner.waitConnected(e.waitCtx, true))
	rerun := buttonID(chat.ActionRerun, "req-1")
	refused := map[string]string{}
	for _, r := range []struct {
		i    *discordgo.Interaction
		want string
	}{
		{inGuild(commandInteraction("", "why", str("request_id", "req-1")), "G2"), NotThisServer},
		{inGuild(buttonInteraction("", rerun, "U1"), "G2"), NotThisServer},
		{dm(commandInteraction("", "audit")), NoDMs},
		{dm(buttonInteraction("", rerun, "U9")), NoDMs},
	} {
		refused[e.send(t, r.i).ID] = r.want
	}
	ok := e.send(t, commandInteraction("", "status"))
	req := e.sub.Next(t)
	assert.Equal(t, "discord:interaction:"+ok.ID, req.DedupKey, "a configured guild is served")

	var cbs []discordfake.Callback
	require.Eventually(t, func() bool { cbs = e.srv.Callbacks(); return len(cbs) == 5 }, 10*time.Second, 10*time.Millisecond)
	for _, cb := range cbs {
		want, isRefused := refused[cb.InteractionID]
		if !isRefused {
			assert.Equal(t, ok.ID, cb.InteractionID)
			assert.Equal(t, int(discordgo.InteractionResponseDeferredChannelMessageWithSource), cb.Type)
			continue
		}
		assert.Equal(t, int(discordgo.InteractionResponseChannelMessageWithSource), cb.Type)
		assert.Equal(t, int(discordgo.MessageFlagsEphemeral), cb.Flags)
		assert.Equal(t, chat.EscapeDiscord(want), cb.Content)
	}
	assert.Len(t, e.sub.Submitted(), 1, "nothing refused reaches the dispatcher")
}

func TestGateway_Reconnect(t *testing.T) {
	t.Parallel()
	e := startGateway(t)
	ctx := e.waitCtx
	require.NoError(t, e.runner.waitConnected(ctx, true))
	require.NoError(t, e.gw.WaitHandshakes(ctx, 1))

	e.gw.Drop()
	require.NoError(t, e.runner.waitConnected(ctx, false))
	assert.False(t, e.runner.Connected())
	require.NoError(t, e.runner.waitConnected(ctx, true))
	require.NoError(t, e.gw.WaitHandshakes(ctx, 2))
	// discordgo normally resumes; when the resume races the drop it
	// identifies afresh. Either way the second handshake is a reconnect.
	assert.Equal(t, 2, e.gw.Resumes()+len(e.gw.Identifies()), "one handshake after the drop")
	assert.Eventually(t, func() bool { return testutil.ToFloat64(e.metrics.Reconnects.WithLabelValues("discord")) == 1 },
		5*time.Second, 10*time.Millisecond)

	// Interactions flow on the resumed connection. discordgo may still be
	// settling it: a dispatch written in that instant can be missed, or the
	// connection closed once more and replaced; send again until one arrives.
	require.Eventually(t, func() bool {
		if len(e.sub.Dispatched()) > 0 {
			return true
		}
		// A connection being replaced refuses it; the next try goes on the new one.
		_ = e.trySend(commandInteraction("", "doctor", boolean("strict", true)))
		return false
	}, 20*time.Second, 500*time.Millisecond)
	got := e.sub.Dispatched()[0].Invocation
	assert.Equal(t, chat.Invocation{Platform: "discord", Command: "doctor", Text: "--strict", UserID: "U1", UserName: "ana",
		ChannelID: "C1", TriggeredAt: got.TriggeredAt}, got)
}

func TestGateway_BadToken(t *testing.T) {
	t.Parallel()
	gw := discordfake.NewGateway(0)
	srv := discordfake.Start(t, discordfake.WithBotToken("the-right-token"), discordfake.WithGateway(gw))
	t.Cleanup(gw.Close)
	s, err := NewSession("a-wrong-token", srv.URL(), nil)
	require.NoError(t, err)
	r := NewGatewayRunner(s, InboundOptions{Inbound: platform.Inbound{Dispatcher: bottest.NewSubmitter()}, Responders: fakeResponders{}})
	err = r.Run(waitCtx(t))
	require.Error(t, err, "a refused token is not retried")
	assert.NotContains(t, err.Error(), "a-wrong-token")
	assert.False(t, r.Connected())
}

func TestFatalGatewayError(t *testing.T) {
	assert.False(t, fatalGatewayError(context.DeadlineExceeded))
	assert.True(t, fatalGatewayError(fmt.Errorf("open: %w", &websocket.CloseError{Code: discordfake.CloseAuthenticationFailed})))
	assert.True(t, fatalGatewayError(&websocket.CloseError{Code: 4014}), "disallowed intents")
	assert.False(t, fatalGatewayError(&websocket.CloseError{Code: websocket.CloseAbnormalClosure}))
}
