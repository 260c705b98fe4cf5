package discord

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
)

// fakeSubmitter records requests and de-duplicates keys like the dispatcher.
type fakeSubmitter struct {
	mu      sync.Mutex
	calls   []bot.Request // every Submit
	run     []bot.Request // those that were not duplicates
	seen    map[string]bool
	outcome bot.Outcome
	got     chan bot.Request
}

func newFakeSubmitter() *fakeSubmitter {
	return &fakeSubmitter{seen: map[string]bool{}, got: make(chan bot.Request, 64),
		outcome: bot.Outcome{Status: bot.Accepted, Ack: "Working on it: running why…"}}
}

func (f *fakeSubmitter) Submit(_ context.Context, req bot.Request) bot.Outcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	if req.DedupKey != "" && f.seen[req.DedupKey] {
		return bot.Outcome{Status: bot.Duplicate}
	}
	f.seen[req.DedupKey] = true
	f.run = append(f.run, req)
	select {
	case f.got <- req:
	default:
	}
	return f.outcome
}

func (f *fakeSubmitter) setOutcome(o bot.Outcome) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcome = o
}

func (f *fakeSubmitter) dispatched() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.run...)
}

func (f *fakeSubmitter) submitted() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.calls...)
}

// next waits for the next dispatched request.
func (f *fakeSubmitter) next(t *testing.T) bot.Request {
	t.Helper()
	select {
	case r := <-f.got:
		return r
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no request dispatched")
		return bot.Request{}
	}
}

// fakeResponders hands out responders that only remember their target.
type fakeResponders struct{}

type fakeResponder struct{ t Target }

func (fakeResponders) Responder(t Target) bot.Responder { return fakeResponder{t} }

func (fakeResponder) Deliver(context.Context, chat.Reply) error { return nil }

// targetOf is the target of a request's responder, with Acked cleared
// (compare it separately with isClosed).
func targetOf(t *testing.T, req bot.Request) (Target, <-chan struct{}) {
	t.Helper()
	r, ok := req.Responder.(fakeResponder)
	require.True(t, ok, "responder %T", req.Responder)
	tg := r.t
	acked := tg.Acked
	tg.Acked = nil
	return tg, acked
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// commandInteraction is /caracal <sub> with options, run by user U1 (a
// guild member with roles R1, R2) in channel C1 of guild G1.
func commandInteraction(id, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return &discordgo.Interaction{ID: id, AppID: "A1", Type: discordgo.InteractionApplicationCommand, Token: "tok-" + id,
		GuildID: "G1", ChannelID: "C1",
		Member: &discordgo.Member{User: &discordgo.User{ID: "U1", Username: "ana"}, Roles: []string{"R1", "R2"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "CMD", Name: CommandName,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{
				{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}}}
}

// buttonInteraction is a click by user on a button of message M1.
func buttonInteraction(id, customID, user string) *discordgo.Interaction {
	return &discordgo.Interaction{ID: id, AppID: "A1", Type: discordgo.InteractionMessageComponent, Token: "tok-" + id,
		GuildID: "G1", ChannelID: "C1", Message: &discordgo.Message{ID: "M1", ChannelID: "C1"},
		Member: &discordgo.Member{User: &discordgo.User{ID: user, Username: "ana"}, Roles: []string{"R1"}},
		Data:   discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent}}
}

func str(name, v string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: v}
}

func num(name string, v float64) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: v}
}

func boolean(name string, v bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: v}
}

// The outbound side satisfies what the inbound side consumes.
var _ ResponderFactory = (*Poster)(nil)
