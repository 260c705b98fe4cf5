package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

func TestHandle_Responses(t *testing.T) {
	sub := bottest.NewSubmitter()
	in := newInbound(InboundOptions{Inbound: platform.Inbound{Dispatcher: sub}, Responders: fakeResponders{}, AppID: "A-default"})

	res := in.handle(t.Context(), nil, "")
	assert.Nil(t, res.resp)
	res.sent() // harmless without a channel

	i := commandInteraction("I1", "why", str("request_id", "r"))
	i.AppID = ""
	res = in.handle(t.Context(), i, "")
	require.NotNil(t, res.resp)
	assert.Equal(t, discordgo.InteractionResponseDeferredChannelMessageWithSource, res.resp.Type)
	assert.False(t, res.redelivery)
	tg, acked := targetOf(t, sub.Next(t))
	assert.Equal(t, "A-default", tg.AppID, "the configured app ID when the interaction has none")
	assert.False(t, isClosed(acked), "Acked waits for the response")
	res.sent()
	res.sent()
	assert.True(t, isClosed(acked))

	res = in.handle(t.Context(), i, "")
	assert.True(t, res.redelivery, "the gateway sends nothing for a redelivered interaction")

	// Pointer data, as a caller might build it, maps the same way.
	p := commandInteraction("I2", "status")
	d := p.Data.(discordgo.ApplicationCommandInteractionData)
	p.Data = &d
	res = in.handle(t.Context(), p, "")
	require.NotNil(t, res.resp)
	assert.Equal(t, "status", sub.Next(t).Invocation.Command)

	b := buttonInteraction("B1", buttonID(chat.ActionTrace, "r"), "U1")
	bd := b.Data.(discordgo.MessageComponentInteractionData)
	b.Data = &bd
	res = in.handle(t.Context(), b, "")
	require.NotNil(t, res.resp)
	assert.Equal(t, discordgo.InteractionResponseDeferredMessageUpdate, res.resp.Type)

	// A component interaction that carries command data is not mapped.
	mixed := buttonInteraction("B2", "x", "U1")
	mixed.Data = discordgo.ApplicationCommandInteractionData{Name: CommandName}
	assert.Nil(t, in.handle(t.Context(), mixed, "").resp)

	// A button without its message cannot be re-run.
	nomsg := buttonInteraction("B3", buttonID(chat.ActionRerun, "r"), "U1")
	nomsg.Message = nil
	res = in.handle(t.Context(), nomsg, "")
	require.NotNil(t, res.resp)
	assert.Equal(t, discordgo.MessageFlagsEphemeral, res.resp.Data.Flags)
}

func TestEphemeral_Limits(t *testing.T) {
	long := make([]byte, 3000)
	for i := range long {
		long[i] = '*'
	}
	r := ephemeral(string(long))
	assert.LessOrEqual(t, len([]rune(r.Data.Content)), discordapi.MaxContent)
	assert.Greater(t, len([]rune(r.Data.Content)), discordapi.MaxContent-2, "clipped, not emptied")
	assert.True(t, strings.HasSuffix(r.Data.Content, "\\*…"), "no lone backslash before the ellipsis")
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"allowed_mentions":{"parse":[]`)
}

func FuzzInteractionPayload(f *testing.F) {
	for _, i := range []*discordgo.Interaction{
		commandInteraction("I1", "why", str("request_id", "r"), num("status", 403), boolean("strict", true)),
		commandInteraction("I2", "doctor", boolean("all_zones", true)),
		buttonInteraction("B1", buttonID(chat.ActionRerun, "r --zone z"), "U1"),
		buttonInteraction("B2", buttonID(chat.ActionTicket, "r"), "U1"),
		messageInteraction("M1", "caracal: 403 access_denied (request_id=r) xoxb-1-2-secret"),
		messageInteraction("M2", ""),
		withData(messageInteraction("M3", "r"), func(d *discordgo.ApplicationCommandInteractionData) { d.TargetID = "" }),
	} {
		b, err := json.Marshal(i)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"type":1}`))
	f.Add([]byte(`{"id":"1","token":"t","type":2,"data":{"name":"caracal","options":[{"name":"why","type":1,"options":[{"name":"status","type":4,"value":"x"}]}]}}`))
	f.Add([]byte(`{"id":"1","token":"t","type":3,"channel_id":"c","user":{"id":"u"},"message":{"id":"m","components":[{"type":1}]},"data":{"custom_id":"why:"}}`))
	f.Add([]byte(`{"id":"1","token":"t","type":2,"data":null,"member":{"user":null}}`))
	f.Add([]byte(`{"id":"1","token":"t","type":3,"guild_id":"g","channel_id":"th","channel":{"id":"th","type":11,"parent_id":"c"},"member":{"user":{"id":"u"}},"data":{"custom_id":"why|r"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		sub := bottest.NewSubmitter()
		in := newInbound(InboundOptions{Inbound: platform.Inbound{Dispatcher: sub}, Responders: fakeResponders{}})
		i, err := decodeInteraction(body)
		if err != nil {
			return
		}
		res := in.handle(t.Context(), i, threadParent(body, i.ChannelID))
		defer res.sent()
		if res.resp == nil {
			assert.Empty(t, sub.Submitted())
			return
		}
		_, err = json.Marshal(res.resp)
		require.NoError(t, err)
		for _, req := range sub.Submitted() {
			assert.Equal(t, "discord", req.Invocation.Platform)
			assert.NotEmpty(t, req.Invocation.UserID)
			assert.NotEmpty(t, req.DedupKey)
			if d, ok := i.Data.(discordgo.ApplicationCommandInteractionData); ok && d.CommandType == discordgo.MessageApplicationCommand {
				// A message diagnosed is why with the message it names.
				assert.Equal(t, chat.DiagnoseMessage(d.Resolved.Messages[d.TargetID].Content), chat.Invocation{
					Command: req.Invocation.Command, Text: req.Invocation.Text})
			}
		}
		if len(sub.Dispatched()) > 0 { // accepted: a fresh Submitter accepts what is not a duplicate
			assert.Contains(t, []discordgo.InteractionResponseType{discordgo.InteractionResponseDeferredChannelMessageWithSource,
				discordgo.InteractionResponseDeferredMessageUpdate}, res.resp.Type)
		}
	})
}
