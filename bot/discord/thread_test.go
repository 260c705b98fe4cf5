package discord

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
)

// sentFrom is i's payload as Discord sends it from channel i.ChannelID of
// type kind under parent: with the partial channel object.
func sentFrom(t *testing.T, i *discordgo.Interaction, kind discordgo.ChannelType, parent string) []byte {
	t.Helper()
	b, err := json.Marshal(i)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	m["channel"] = map[string]any{"id": i.ChannelID, "type": kind, "parent_id": parent}
	b, err = json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestThreadParent(t *testing.T) {
	for _, tc := range []struct {
		name, payload, want string
	}{
		{"public thread", `{"channel":{"id":"T1","type":11,"parent_id":"C1"}}`, "C1"},
		{"private thread", `{"channel":{"id":"T1","type":12,"parent_id":"C1"}}`, "C1"},
		{"announcement thread", `{"channel":{"id":"T1","type":10,"parent_id":"C1"}}`, "C1"},
		{"forum post", `{"channel":{"id":"T1","type":11,"parent_id":"F1"}}`, "F1"},
		{"text channel in a category", `{"channel":{"id":"T1","type":0,"parent_id":"CAT1"}}`, ""},
		{"no channel object", `{"channel_id":"T1"}`, ""},
		{"another channel's object", `{"channel":{"id":"X9","type":11,"parent_id":"C1"}}`, ""},
		{"unreadable", `{"channel":"T1"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, threadParent([]byte(tc.payload), "T1"))
		})
	}
}

// A command or a button in a thread carries the thread's id; it runs as
// the thread's parent channel (its permissions and zones) and its reply
// still goes to the thread.
func TestHTTP_InteractionsFromAThreadRunAsTheParentChannel(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	cmd := commandInteraction("I1", "why", str("request_id", "req-1"))
	btn := buttonInteraction("B1", buttonID(chat.ActionRerun, "req-1"), "U1")
	for _, i := range []*discordgo.Interaction{cmd, btn} {
		i.ChannelID = "T1"
		status, _ := e.post(t, string(sentFrom(t, i, discordgo.ChannelTypeGuildPublicThread, "C1")), 0)
		require.Equal(t, http.StatusOK, status)
		req := e.sub.Next(t)
		assert.Equal(t, "C1", req.Invocation.ChannelID, "the parent channel")
		tg, _ := targetOf(t, req)
		assert.Equal(t, "T1", tg.ChannelID, "the reply goes to the thread")
	}

	// A channel under a category is its own channel.
	cat := commandInteraction("I2", "status")
	cat.ChannelID = "C7"
	status, _ := e.post(t, string(sentFrom(t, cat, discordgo.ChannelTypeGuildText, "CAT1")), 0)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "C7", e.sub.Next(t).Invocation.ChannelID)
}

func TestGateway_InteractionsFromAThreadRunAsTheParentChannel(t *testing.T) {
	t.Parallel()
	e := startGateway(t)
	require.NoError(t, e.runner.waitConnected(e.waitCtx, true))

	i := commandInteraction("", "why", str("request_id", "req-1"))
	i.ChannelID = "T1"
	i.ID, i.Token = e.srv.NewInteraction(i.ChannelID, i.GuildID, "U1")
	i.AppID = e.srv.AppID()
	require.NoError(t, e.gw.Dispatch(interactionCreate, sentFrom(t, i, discordgo.ChannelTypeGuildPrivateThread, "C1")))
	req := e.sub.Next(t)
	assert.Equal(t, "C1", req.Invocation.ChannelID, "the parent channel")
	tg, acked := targetOf(t, req)
	assert.Equal(t, "T1", tg.ChannelID, "the reply goes to the thread")
	waitClosed(t, acked, "Acked")
}
