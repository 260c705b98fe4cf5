package discord

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// messageInteraction is Diagnose with Caracal used by U1 (roles R1, R2) on
// message M7 of channel C1, guild G1, whose content is content.
func messageInteraction(id, content string) *discordgo.Interaction {
	return &discordgo.Interaction{ID: id, AppID: "A1", Type: discordgo.InteractionApplicationCommand, Token: "tok-" + id,
		GuildID: "G1", ChannelID: "C1",
		Member: &discordgo.Member{User: &discordgo.User{ID: "U1", Username: "ana"}, Roles: []string{"R1", "R2"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "CMD3", Name: MessageCommandName,
			CommandType: discordgo.MessageApplicationCommand, TargetID: "M7",
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
				"M7": {ID: "M7", ChannelID: "C1", Content: content, Author: &discordgo.User{ID: "U8", Username: "dev"}}}}}}
}

func TestHTTP_MessageCommand(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	pasted := "  ```\ncaracal: 403 access_denied (request_id=req-1)\n```\n"
	status, body := e.interact(t, messageInteraction("I1", pasted))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body, "deferred at once, like /caracal")

	reqs := e.sub.Dispatched()
	require.Len(t, reqs, 1)
	assert.Equal(t, chat.Invocation{Platform: "discord", Command: "why", Text: strings.TrimSpace(pasted),
		UserID: "U1", UserName: "ana", ChannelID: "C1", TriggeredAt: e.clock.Now()}, reqs[0].Invocation)
	assert.Equal(t, "discord:interaction:I1", reqs[0].DedupKey)
	assert.Equal(t, []string{"R1", "R2"}, reqs[0].Groups, "permission rules by role apply")
	tg, acked := targetOf(t, reqs[0])
	assert.Equal(t, Target{AppID: "A1", InteractionToken: "tok-I1", ChannelID: "C1", GuildID: "G1", UserID: "U1"}, tg,
		"answered like /caracal: @original becomes the diagnosis, a thread is started on it")
	waitClosed(t, acked, "Acked")

	// Redelivered: deferred again, not run again.
	status, body = e.interactAt(t, messageInteraction("I1", pasted), e.clock.Now().Unix()-1)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body)
	assert.Len(t, e.sub.Dispatched(), 1)
}

// TestMessageCommand_RunsWhatCaracalWhyRuns: the content reaches why as
// /caracal why request_id:<content> would bring it, mentions and markup
// untouched.
func TestMessageCommand_RunsWhatCaracalWhyRuns(t *testing.T) {
	sub := bottest.NewSubmitter()
	in := newInbound(InboundOptions{Inbound: platform.Inbound{Dispatcher: sub}, Responders: fakeResponders{}})
	content := "<@123> @everyone `req-1` **403** {\"requestId\":\"req-1\"}"
	res := in.handle(t.Context(), messageInteraction("I1", content), "")
	res.sent()
	res = in.handle(t.Context(), commandInteraction("I2", "why", str("request_id", content)), "")
	res.sent()
	reqs := sub.Dispatched()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[1].Invocation.Command, reqs[0].Invocation.Command)
	assert.Equal(t, reqs[1].Invocation.Text, reqs[0].Invocation.Text)
}

// TestMessageCommand_FromAThread: used on a message inside a thread, it
// runs as the thread's parent channel (its permissions and zones), and
// the answer stays in the thread.
func TestMessageCommand_FromAThread(t *testing.T) {
	sub := bottest.NewSubmitter()
	in := newInbound(InboundOptions{Inbound: platform.Inbound{Dispatcher: sub}, Responders: fakeResponders{}})
	i := messageInteraction("I1", "req-1")
	i.ChannelID = "TH1"
	in.handle(t.Context(), i, "C1").sent()
	req := sub.Next(t)
	assert.Equal(t, "C1", req.Invocation.ChannelID)
	tg, _ := targetOf(t, req)
	assert.Equal(t, "TH1", tg.ChannelID)
}

// TestMessageCommand_Unreadable: an interaction without the message it
// was used on, or of another message command, is answered at once, only
// to the user; the refusals of a server or a DM are /caracal's
// (TestHTTP_ClosedByDefault).
func TestMessageCommand_Unreadable(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	answers := map[*discordgo.Interaction]string{
		withData(messageInteraction("I1", "req-1"), func(d *discordgo.ApplicationCommandInteractionData) { d.Resolved = nil }):          UnreadableMessage,
		withData(messageInteraction("I2", "req-1"), func(d *discordgo.ApplicationCommandInteractionData) { d.TargetID = "M8" }):         UnreadableMessage,
		withData(messageInteraction("I3", "req-1"), func(d *discordgo.ApplicationCommandInteractionData) { d.Name = "Someone else's" }): chat.Usage,
	}
	for i, want := range answers {
		status, body := e.interact(t, i)
		require.Equal(t, http.StatusOK, status)
		assertEphemeral(t, want, body)
	}
	assert.Empty(t, e.sub.Submitted(), "nothing reaches the dispatcher")
}

func TestGateway_MessageCommand(t *testing.T) {
	t.Parallel()
	e := startGateway(t)
	require.NoError(t, e.runner.waitConnected(e.waitCtx, true))
	i := e.send(t, messageInteraction("", `{"error":"access_denied","requestId":"req-1"}`))
	req := e.sub.Next(t)
	assert.Equal(t, "why", req.Invocation.Command)
	assert.Equal(t, `{"error":"access_denied","requestId":"req-1"}`, req.Invocation.Text)
	assert.Equal(t, "discord:interaction:"+i.ID, req.DedupKey)
	_, acked := targetOf(t, req)
	waitClosed(t, acked, "Acked")
	cbs := e.srv.Callbacks()
	require.Len(t, cbs, 1)
	assert.Equal(t, int(discordgo.InteractionResponseDeferredChannelMessageWithSource), cbs[0].Type)

	// Without its message it is refused at once, only to the user.
	e.send(t, withData(messageInteraction("", ""), func(d *discordgo.ApplicationCommandInteractionData) { d.Resolved = nil }))
	require.Eventually(t, func() bool { return len(e.srv.Callbacks()) == 2 }, 5*time.Second, 5*time.Millisecond)
	cb := e.srv.Callbacks()[1]
	assert.Equal(t, int(discordgo.InteractionResponseChannelMessageWithSource), cb.Type)
	assert.Equal(t, int(discordgo.MessageFlagsEphemeral), cb.Flags)
	assert.Len(t, e.sub.Submitted(), 1)
}

// withData changes the command data of i.
func withData(i *discordgo.Interaction, change func(*discordgo.ApplicationCommandInteractionData)) *discordgo.Interaction {
	d := i.Data.(discordgo.ApplicationCommandInteractionData)
	change(&d)
	i.Data = d
	return i
}
