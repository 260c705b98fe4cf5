package discord

import (
	"context"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
)

// fakeResponders hands out responders that only remember their target.
type fakeResponders struct{}

type fakeResponder struct{ t Target }

func (fakeResponders) Responder(t Target) bot.Responder { return fakeResponder{t} }

func (fakeResponder) Deliver(context.Context, chat.Reply) error { return nil }
func (fakeResponder) Note(context.Context, chat.Reply) error    { return nil }

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

// buttonID is the custom_id carrying value itself, which must fit.
func buttonID(action, value string) string {
	id, ok := ButtonID(action, value)
	if !ok {
		panic("custom_id too long: " + id)
	}
	return id
}
