package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

func TestHTTP_Buttons(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	value := "req-1 --zone z"

	status, body := e.interact(t, buttonInteraction("B1", buttonID(chat.ActionRerun, value), "U1"))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":6}`, body)
	req := e.sub.Next(t)
	assert.Equal(t, chat.Invocation{Platform: "discord", Command: "why", Text: value, UserID: "U1", UserName: "ana",
		ChannelID: "C1", ThreadID: "M1", TriggeredAt: e.clock.Now()}, req.Invocation)
	assert.Equal(t, "discord:button:M1:"+buttonID(chat.ActionRerun, value)+":U1", req.DedupKey)
	assert.Equal(t, 5*time.Second, req.DedupFor)
	assert.Equal(t, []string{"R1"}, req.Groups)
	tg, acked := targetOf(t, req)
	assert.Equal(t, Target{AppID: "A1", InteractionToken: "tok-B1", ChannelID: "C1", GuildID: "G1", UserID: "U1",
		MessageID: "M1", Replace: true}, tg)
	waitClosed(t, acked, "Acked")

	status, body = e.interact(t, buttonInteraction("B2", buttonID(chat.ActionTrace, value), "U1"))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":6}`, body)
	req = e.sub.Next(t)
	assert.Equal(t, "trace", req.Invocation.Command)
	assert.Equal(t, value, req.Invocation.Text)
	tg, _ = targetOf(t, req)
	assert.Equal(t, Target{AppID: "A1", InteractionToken: "tok-B2", ChannelID: "C1", GuildID: "G1", UserID: "U1", MessageID: "M1"}, tg)

	status, body = e.interact(t, buttonInteraction("B3", buttonID(chat.ActionTicket, value), "U1"))
	require.Equal(t, http.StatusOK, status)
	assertEphemeral(t, platform.TicketNotConfigured, body)
	status, body = e.interact(t, buttonInteraction("B4", buttonID("launch", value), "U1"))
	require.Equal(t, http.StatusOK, status)
	assertEphemeral(t, UnknownButton, body)
	assert.Len(t, e.sub.Submitted(), 2, "ticket and unknown buttons are not dispatched")

	e.sub.SetOutcome(bot.Outcome{Status: bot.Busy, Ack: "busy"})
	status, body = e.interact(t, buttonInteraction("B5", buttonID(chat.ActionRerun, "other"), "U1"))
	require.Equal(t, http.StatusOK, status)
	assertEphemeral(t, "busy", body)
}

func TestHTTP_DoubleClick(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	id := buttonID(chat.ActionRerun, "req-1")
	for _, interaction := range []string{"B1", "B2"} {
		status, body := e.interact(t, buttonInteraction(interaction, id, "U1"))
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"type":6}`, body, "each click gets its own silent answer")
	}
	status, _ := e.interact(t, buttonInteraction("B3", id, "U2"))
	require.Equal(t, http.StatusOK, status)

	calls := e.sub.Submitted()
	require.Len(t, calls, 3)
	assert.Equal(t, calls[0].DedupKey, calls[1].DedupKey, "two clicks of one user share a key")
	assert.NotEqual(t, calls[0].DedupKey, calls[2].DedupKey, "another user's click is its own")
	assert.Len(t, e.sub.Dispatched(), 2)
}

// recordingRunner is the dispatcher's command runner in the end-to-end test.
type recordingRunner struct{ got chan chat.Invocation }

func (r recordingRunner) Handle(_ context.Context, inv chat.Invocation) chat.Reply {
	r.got <- inv
	return chat.Reply{Summary: "ok"}
}

// ackedResponders deliver only once the interaction was acknowledged.
type ackedResponders struct{ delivered chan Target }

type ackedResponder struct {
	t         Target
	delivered chan Target
}

func (f ackedResponders) Responder(t Target) bot.Responder { return ackedResponder{t, f.delivered} }

func (r ackedResponder) Deliver(ctx context.Context, _ chat.Reply) error {
	select {
	case <-r.t.Acked:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.delivered <- r.t
	return nil
}

func (r ackedResponder) Note(ctx context.Context, n chat.Reply) error { return r.Deliver(ctx, n) }

func TestHTTP_WithDispatcher(t *testing.T) {
	runner := recordingRunner{got: make(chan chat.Invocation, 4)}
	d := bot.NewDispatcher(bot.Options{Runner: runner, Workers: 1,
		Policy: bot.Policy{Commands: map[string]bot.Rule{"bundle": {Groups: []string{"R-oncall"}}}}})
	t.Cleanup(func() { _ = d.Shutdown(context.Background()) })
	resp := ackedResponders{delivered: make(chan Target, 4)}
	e := newHTTPEnv(t, d, resp)

	status, body := e.interact(t, commandInteraction("I1", "audit", str("decision", "deny"), num("limit", 5)))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body)
	inv := <-runner.got
	assert.Equal(t, "audit", inv.Command)
	assert.Equal(t, "--decision deny --limit 5", inv.Text)
	tg := <-resp.delivered
	assert.Equal(t, "tok-I1", tg.InteractionToken)

	status, body = e.interact(t, commandInteraction("I2", "bundle", str("request_id", "r1")))
	require.Equal(t, http.StatusOK, status)
	var r discordgo.InteractionResponse
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, r.Type)
	assert.Equal(t, discordgo.MessageFlagsEphemeral, r.Data.Flags, "the refusal only shows to the user")
}
