package discord

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// largest is the scenario with a 128-character request ID, as long as
// Caracal allows: the value of its buttons, "<id> --zone <zone>", does not
// fit a custom_id.
func largest(t *testing.T) (caracaltest.Scenario, *caracaltest.Server) {
	t.Helper()
	sc, ok := caracaltest.ScenarioByName(caracaltest.LargestName)
	require.True(t, ok)
	require.Len(t, sc.ID, 128)
	return sc, caracaltest.Start(t, caracaltest.WithClock(caracaltest.ReferenceTime), caracaltest.WithScenario(sc.ID))
}

// askWhy runs /caracal why on the largest scenario through a and returns
// the diagnosis's root once its thread is posted.
func askWhy(t *testing.T, a *replica, gw *discordfake.Gateway, via string, sc caracaltest.Scenario) discordfake.Message {
	t.Helper()
	i := slashWhy(sc.ID, sc.Zone)
	a.send(t, gw, via, i)
	inv := a.next(t)
	assert.Equal(t, sc.ID+" --zone "+sc.Zone, inv.Text)
	a.waitDelivered(t)
	root, ok := a.fake.Original(i.Token)
	require.True(t, ok)
	require.NotEmpty(t, root.Buttons())
	for _, b := range root.Buttons() {
		assert.LessOrEqual(t, len(b.CustomID), discordapi.MaxCustomID)
		_, token, kept := ParseButtonID(b.CustomID)
		assert.True(t, kept, "%s carries a token: %s", b.Label, b.CustomID)
		assert.True(t, platform.IsButtonToken(token))
	}
	return root
}

// rerunAndTrace clicks Re-run then Show trace of root on b and checks both
// ran on the whole 128-character request ID and its zone.
func rerunAndTrace(t *testing.T, b *replica, gw *discordfake.Gateway, via string, sc caracaltest.Scenario, root discordfake.Message) {
	t.Helper()
	want := sc.ID + " --zone " + sc.Zone
	before := len(b.fake.Thread(root.ID))
	b.send(t, gw, via, click(t, root, "Re-run"))
	inv := b.next(t)
	assert.Equal(t, chat.Invocation{Platform: Name, Command: chat.ActionRerun, Text: want, UserID: posterUser, UserName: "oncall",
		ChannelID: posterChannel, ThreadID: root.ID, TriggeredAt: inv.TriggeredAt}, inv)
	b.waitDelivered(t)
	thread := b.fake.Thread(root.ID)
	assert.Greater(t, len(thread), before, "the re-run posted into the thread")
	edited, _ := b.fake.Message(root.ID)
	assert.Equal(t, 2, edited.Edits, "the root was re-run in place")
	assert.Equal(t, sc.ID, requestIDOf(&discordgo.Message{Embeds: edited.Embeds}), "the re-run diagnosed the same request")

	before = len(thread)
	b.send(t, gw, via, click(t, edited, "Show trace"))
	inv = b.next(t)
	assert.Equal(t, chat.ActionTrace, inv.Command)
	assert.Equal(t, want, inv.Text)
	b.waitDelivered(t)
	thread = b.fake.Thread(root.ID)
	require.Greater(t, len(thread), before)
	require.NotEmpty(t, thread[before].Embeds, "the trace's root embed opens its part of the thread")
	assert.Equal(t, sc.ID, requestIDOf(&discordgo.Message{Embeds: thread[before].Embeds}), "the trace of the whole ID")
}

// TestLongRequestID_ButtonsOverHTTPAcrossARestart: a diagnosis of a
// 128-character request ID is posted by one process keeping its buttons in
// state_dir; after a restart (a new Poster, handler and store on the same
// directory) Re-run and Show trace act on the whole ID and its zone. A
// process that lost the store answers that the button has expired.
func TestLongRequestID_ButtonsOverHTTPAcrossARestart(t *testing.T) {
	sc, sim := largest(t)
	fake := discordfake.Start(t, discordfake.WithChannel(posterChannel))
	dir := t.TempDir()
	before := startReplica(t, fake, sim, state.NewFileButtons(dir, platform.MemoryOptions{}, nil), nil)
	root := askWhy(t, before, nil, viaHTTP, sc)

	after := startReplica(t, fake, sim, state.NewFileButtons(dir, platform.MemoryOptions{}, nil), nil)
	rerunAndTrace(t, after, nil, viaHTTP, sc, root)

	forgetful := startReplica(t, fake, sim, platform.NewMemoryButtons(platform.MemoryOptions{}), nil)
	answer := forgetful.send(t, nil, viaHTTP, click(t, root, "Re-run"))
	assertExpired(t, sc.ID, answer)
}

// TestLongRequestID_TwoReplicasOnRedis: one replica posts the diagnosis
// (over HTTP), the other, sharing Redis, takes the clicks over the gateway.
func TestLongRequestID_TwoReplicasOnRedis(t *testing.T) {
	sc, sim := largest(t)
	gw := discordfake.NewGateway(0)
	t.Cleanup(gw.Close)
	fake := discordfake.Start(t, discordfake.WithGateway(gw), discordfake.WithChannel(posterChannel))
	redisSrv := redistest.Start(t)
	store := func() platform.ButtonStore {
		r, err := state.NewRedis(redisSrv.URL(), "test:"+t.Name()+":")
		require.NoError(t, err)
		t.Cleanup(func() { _ = r.Close() })
		return r.Buttons()
	}
	a := startReplica(t, fake, sim, store(), nil)
	b := startReplica(t, fake, sim, store(), gw)

	root := askWhy(t, a, nil, viaHTTP, sc)
	rerunAndTrace(t, b, gw, viaGateway, sc, root)
}

// An unknown or malformed token is answered at once, only to the user:
// the button expired, run the command again with the request ID of the
// message. Nothing runs.
func TestExpiredButton(t *testing.T) {
	sc, sim := largest(t)
	gw := discordfake.NewGateway(0)
	t.Cleanup(gw.Close)
	fake := discordfake.Start(t, discordfake.WithGateway(gw), discordfake.WithChannel(posterChannel))
	r := startReplica(t, fake, sim, platform.NewMemoryButtons(platform.MemoryOptions{}), gw)
	root := askWhy(t, r, gw, viaGateway, sc)

	for _, customID := range []string{"why~" + platform.NewButtonToken(), "trace~not-a-token", "why~"} {
		assertExpired(t, sc.ID, r.send(t, gw, viaHTTP, clickID(root, customID)))
	}
	r.send(t, gw, viaGateway, clickID(root, "why~"+platform.NewButtonToken()))
	require.Eventually(t, func() bool { return len(fake.Callbacks()) >= 5 }, 15*time.Second, 10*time.Millisecond)
	cbs := fake.Callbacks()
	last := cbs[len(cbs)-1]
	assert.Equal(t, int(discordgo.InteractionResponseChannelMessageWithSource), last.Type)
	assert.Equal(t, int(discordgo.MessageFlagsEphemeral), last.Flags)
	assert.Equal(t, expiredText(sc.ID), unescapeDiscord(last.Content))

	// A message without a Request ID field gets the answer without one.
	plain := root
	plain.Embeds = nil
	assertExpired(t, "", r.send(t, gw, viaHTTP, clickID(plain, "why~"+platform.NewButtonToken())))
	select {
	case inv := <-r.ran:
		t.Fatalf("an expired button ran %s", inv.Command)
	default:
	}
}

func expiredText(id string) string {
	if id == "" {
		return ExpiredButton + " with the request ID again."
	}
	return ExpiredButton + " " + id + " again."
}

// assertExpired checks an HTTP answer is the ephemeral expired answer
// naming id, escaped.
func assertExpired(t *testing.T, id, answer string) {
	t.Helper()
	var cb callback
	require.NoError(t, json.Unmarshal([]byte(answer), &cb), answer)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, cb.Type)
	require.NotNil(t, cb.Data)
	assert.Equal(t, discordgo.MessageFlagsEphemeral, cb.Data.Flags)
	assert.Equal(t, chat.EscapeDiscord(expiredText(id)), cb.Data.Content)
}

// failingButtons is a ButtonStore that cannot be read or written.
type failingButtons struct{}

func (failingButtons) Put(context.Context, string) (string, error) {
	return "", context.DeadlineExceeded
}
func (failingButtons) Get(context.Context, string) (string, bool, error) {
	return "", false, context.DeadlineExceeded
}

// While the store cannot be read, a click is answered that it cannot be
// read now; while it cannot be written, the buttons lose their --zone
// part when that makes them fit, and are left out otherwise: never cut.
func TestButtonStoreUnavailable(t *testing.T) {
	in := newInbound(InboundOptions{Buttons: failingButtons{}, Responders: fakeResponders{}})
	res := in.handle(t.Context(), buttonInteraction("B1", "why~"+platform.NewButtonToken(), "U1"), "")
	require.NotNil(t, res.resp)
	assert.Equal(t, chat.EscapeDiscord(ButtonUnavailable), res.resp.Data.Content)

	long := strings.Repeat("r", 128) + " --zone 019f1ce8-1680-793b-b480-86d4734b60a7"
	short := "r1 --zone " + strings.Repeat("z", 100)
	buttons := []chat.Button{{Action: "why", Label: "Re-run", Value: long}, {Action: "trace", Label: "Show trace", Value: short}}
	tokens := keepButtons(t.Context(), failingButtons{}, buttons, slog.New(slog.DiscardHandler))
	assert.Empty(t, tokens)
	rows := buttonRows(buttons, tokens)
	require.Len(t, rows, 1)
	got := rows[0].(discordgo.ActionsRow).Components
	require.Len(t, got, 1, "the 128-character ID cannot be carried: its button is left out")
	assert.Equal(t, "trace|r1", got[0].(discordgo.Button).CustomID, "the other runs in the default zone")
}
