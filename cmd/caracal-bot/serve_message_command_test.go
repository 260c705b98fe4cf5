package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
)

// "Diagnose with Caracal" on a Discord message, through serve: the message
// command on a message someone pasted an error into, over the gateway and
// HTTP interactions, against the simulator and the fake Discord.

// diagnoseInteraction is Diagnose with Caracal used by the on-call member
// on a message of discordChannel whose content is content.
func diagnoseInteraction(id, token, appID, content string) *discordgo.Interaction {
	const target = "930000000000000001"
	return &discordgo.Interaction{
		ID: id, AppID: appID, Type: discordgo.InteractionApplicationCommand, Token: token,
		ChannelID: discordChannel, GuildID: discordGuild,
		Member: &discordgo.Member{User: &discordgo.User{ID: "700000000000000001", Username: "oncall"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "2", Name: "Diagnose with Caracal",
			CommandType: discordgo.MessageApplicationCommand, TargetID: target,
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{
				target: {ID: target, ChannelID: discordChannel, Content: content, Author: &discordgo.User{ID: "700000000000000005", Username: "dev"}}}}},
	}
}

// discordPasted is a message with the error the caller saw, as a Discord
// user pastes it: a line, then the error in a code block.
func discordPasted(t *testing.T, name string) string {
	return "checkout has failed since 10:02, anyone?\n```\n" + scenario(t, name).CallerSaw + "\n```"
}

// embedField is the value of an embed field of the root, unescaped.
func embedField(root discordfake.Message, name string) string {
	for _, f := range root.Embeds[0].Fields {
		if f.Name == name {
			return unescape(f.Value)
		}
	}
	return ""
}

// assertDiscordDiagnosis checks the answer to the interaction token: the
// embed with the verdict, the request ID and the cause, with the
// buttons, and a thread started on it with the rest.
func assertDiscordDiagnosis(t *testing.T, fake *discordfake.Server, token, requestID, cause string) {
	t.Helper()
	root, thread := waitDiscordThread(t, fake, token, 3)
	assert.Equal(t, requestID, embedField(root, "Request ID"))
	assert.Equal(t, cause, embedField(root, "Cause"))
	assert.NotEmpty(t, root.Buttons())
	_, started := fake.ThreadInfo(root.ID)
	assert.True(t, started, "a thread is started on the answer")
	all := ""
	for _, m := range thread {
		all += m.Content
	}
	for _, want := range []string{"Evidence", "Steps", "Next actions"} {
		assert.Contains(t, all, want)
	}
}

// waitPrivateAnswer waits for the ephemeral followup of the interaction
// token saying want, and checks nothing else of it is left in the channel.
func waitPrivateAnswer(t *testing.T, fake *discordfake.Server, token, want string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, m := range fake.Followups(token) {
			if m.Ephemeral && strings.Contains(discordText(m), want) {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "answered only to the user: %s", want)
	_, ok := fake.Original(token)
	assert.False(t, ok, "the deferral is gone from the channel")
}

func TestServeDiscordMessageCommandOverTheGateway(t *testing.T) {
	t.Parallel()
	fake, gw := startDiscordGateway(t)
	startServe(t, nil, discordEnv(fake))
	waitGateway(t, gw)

	// Registered with /caracal, in one overwrite, in the shape Discord wants.
	sets := fake.Commands()
	require.Len(t, sets, 1)
	var sent []json.RawMessage
	require.NoError(t, json.Unmarshal(sets[0].Payload, &sent))
	require.Len(t, sent, 2)
	assert.JSONEq(t, `{"name":"Diagnose with Caracal","type":3,"default_member_permissions":"2048","contexts":[0],"integration_types":[0]}`,
		string(sent[1]))

	// A pasted error: the diagnosis, as /caracal why would give it.
	id, token := fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	require.NoError(t, gw.SendInteraction(diagnoseInteraction(id, token, fake.AppID(), discordPasted(t, "deny-no-grant"))))
	assertDiscordDiagnosis(t, fake, token, denyID, "resource_not_granted")
	assert.Equal(t, int(discordgo.InteractionResponseDeferredChannelMessageWithSource), fake.Callbacks()[0].Type, "deferred within 3 s")

	// No error in the message: only the user is answered.
	id, token = fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	require.NoError(t, gw.SendInteraction(diagnoseInteraction(id, token, fake.AppID(), "deploy done :tada:")))
	waitPrivateAnswer(t, fake, token, "no request ID found")
	assert.Len(t, fake.Messages(discordChannel), 1, "the channel shows the first diagnosis only")
}

func TestServeDiscordMessageCommandOverHTTP(t *testing.T) {
	base, fake, priv := startDiscordHTTP(t, "DISCORD_GUILD_IDS", discordGuild)
	at := time.Now()
	interact := func(i *discordgo.Interaction) string {
		t.Helper()
		body, err := json.Marshal(i)
		require.NoError(t, err)
		at = at.Add(time.Second)
		start := time.Now()
		code, resp := postDiscordInteraction(t, base, body, priv, at)
		assert.Less(t, time.Since(start), time.Second, "answered at once")
		require.Equal(t, http.StatusOK, code)
		require.NoError(t, discordfake.CheckInteractionResponse([]byte(resp)))
		return resp
	}

	// Refused from a server that is not configured, and from a DM.
	assertRefusal(t, "not enabled in this server", interact(foreignInteraction(diagnoseInteraction("1", "tok-1", fake.AppID(), discordPasted(t, "deny-no-grant")))))
	assertRefusal(t, "does not answer in direct messages", interact(dmInteraction(diagnoseInteraction("2", "tok-2", fake.AppID(), discordPasted(t, "deny-no-grant")))))
	assert.Zero(t, acceptedCommands(t, base))

	// deferred is the interaction's answer, which Discord has recorded by
	// the time the bot goes on to edit or delete it: the fake is told first,
	// then the bot must give that answer.
	deferred := func(content string) string {
		t.Helper()
		id, token := fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
		recordCallback(t, fake, id, token, `{"type":5}`)
		assert.JSONEq(t, `{"type":5}`, interact(diagnoseInteraction(id, token, fake.AppID(), content)))
		return token
	}
	assertDiscordDiagnosis(t, fake, deferred(discordPasted(t, "deny-no-grant")), denyID, "resource_not_granted")
	waitPrivateAnswer(t, fake, deferred("who broke the build?"), "no request ID found")
}

// TestServeDiscordMessageCommandObeysPermissionsAndZones: the rules of
// why and the channel's zones apply to the message command as to
// /caracal why.
func TestServeDiscordMessageCommandObeysPermissionsAndZones(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	fake, gw := startDiscordGateway(t)
	cfgFile := bindToResearch(t, discordChannel)
	doc, err := os.ReadFile(cfgFile)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cfgFile, append(doc, []byte("permissions:\n  commands:\n    why: {groups: [\"600000000000000001\"]}\n")...), 0o600))
	startServeOn(t, srv, nil, cfgFile, discordEnv(fake))
	waitGateway(t, gw)

	// Without the role: refused at once, only to the user.
	id, token := fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	require.NoError(t, gw.SendInteraction(diagnoseInteraction(id, token, fake.AppID(), discordPasted(t, "wrong-zone"))))
	require.Eventually(t, func() bool { return len(fake.Callbacks()) == 1 }, 15*time.Second, 20*time.Millisecond)
	cb := fake.Callbacks()[0]
	assert.Equal(t, int(discordgo.MessageFlagsEphemeral), cb.Flags)
	assert.Contains(t, unescape(cb.Content), "you are not allowed to run why here")

	// With it: diagnosed within the channel's zone, Staging not revealed.
	id, token = fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	i := diagnoseInteraction(id, token, fake.AppID(), discordPasted(t, "wrong-zone"))
	i.Member.Roles = []string{"600000000000000001"}
	require.NoError(t, gw.SendInteraction(i))
	root, thread := waitDiscordThread(t, fake, token, 4)
	all := discordText(root)
	for _, m := range thread {
		all += discordText(m)
	}
	assert.Contains(t, all, "the search was limited to the zones this channel may read")
	assertNoStaging(t, all)
	assert.Empty(t, stagingRequests(srv), "nothing is read from Staging")
}
