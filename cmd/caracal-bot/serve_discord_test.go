package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
)

const (
	discordChannel = "900000000000000001"
	discordGuild   = "800000000000000001"
	// foreignGuild is a server that is not in DISCORD_GUILD_IDS.
	foreignGuild = "800000000000000002"
)

// unescape drops Discord markdown escapes for assertions on visible text.
func unescape(s string) string { return strings.ReplaceAll(s, `\`, "") }

func discordEnv(fake *discordfake.Server) map[string]string {
	return map[string]string{"DISCORD_BOT_TOKEN": fake.BotToken(), "DISCORD_APP_ID": fake.AppID(), "DISCORD_API_URL": fake.URL()}
}

// whyInteraction is `/caracal why request_id:<id>` as Discord sends it.
func whyInteraction(id, token, appID, requestID string) *discordgo.Interaction {
	return &discordgo.Interaction{
		ID: id, AppID: appID, Type: discordgo.InteractionApplicationCommand, Token: token,
		ChannelID: discordChannel, GuildID: "800000000000000001",
		Member: &discordgo.Member{User: &discordgo.User{ID: "700000000000000001", Username: "oncall"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "1", Name: "caracal", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "why", Type: discordgo.ApplicationCommandOptionSubCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "request_id", Type: discordgo.ApplicationCommandOptionString, Value: requestID}},
		}}},
	}
}

// waitDiscordThread waits until the interaction's original message is the
// diagnosis root and its thread has at least n messages.
func waitDiscordThread(t *testing.T, fake *discordfake.Server, token string, n int) (discordfake.Message, []discordfake.Message) {
	t.Helper()
	var root discordfake.Message
	var thread []discordfake.Message
	require.Eventually(t, func() bool {
		var ok bool
		root, ok = fake.Original(token)
		if !ok || len(root.Embeds) == 0 {
			return false
		}
		thread = fake.Thread(root.ID)
		return len(thread) >= n
	}, 15*time.Second, 20*time.Millisecond)
	return root, thread
}

// postDiscordInteraction posts body to the bot's interactions endpoint,
// signed with key at ts, and returns the status and the response body.
func postDiscordInteraction(t *testing.T, base string, body []byte, key ed25519.PrivateKey, ts time.Time) (int, string) {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, base+"/discord/interactions", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", stamp)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(stamp), body...))))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// startDiscordGateway starts the fake Discord with its gateway; serve it
// with discordEnv, then waitGateway.
func startDiscordGateway(t *testing.T) (*discordfake.Server, *discordfake.Gateway) {
	t.Helper()
	gw := discordfake.NewGateway(0)
	t.Cleanup(gw.Close)
	return discordfake.Start(t, discordfake.WithGateway(gw), discordfake.WithChannel(discordChannel)), gw
}

// waitGateway waits until serve has its gateway session (its commands are
// registered by then).
func waitGateway(t *testing.T, gw *discordfake.Gateway) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, gw.WaitHandshakes(ctx, 1))
}

// startDiscordHTTP runs serve on Discord's HTTP interactions alone (the
// gateway off) with more environment (name, value pairs): its base URL,
// the fake Discord, and the key that signs interactions as Discord does.
func startDiscordHTTP(t *testing.T, kv ...string) (string, *discordfake.Server, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	fake := discordfake.Start(t, discordfake.WithChannel(discordChannel))
	env := with(with(discordEnv(fake), "DISCORD_PUBLIC_KEY", hex.EncodeToString(pub)), kv...)
	cfgFile := t.TempDir() + "/caracal-bot.yaml"
	require.NoError(t, os.WriteFile(cfgFile, []byte("discord:\n  gateway: false\n"), 0o600))
	return startServeWithConfig(t, nil, cfgFile, env), fake, priv
}

// recordCallback hands the answer to an HTTP interaction to the fake:
// Discord records it as the interaction's callback, which the fake learns
// the way the gateway path tells it, through the route.
func recordCallback(t *testing.T, fake *discordfake.Server, id, token, body string) {
	t.Helper()
	resp, err := http.Post(fake.URL()+"/interactions/"+id+"/"+token+"/callback", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
}

func TestServeDiscordGatewayGivesAThreadedDiagnosis(t *testing.T) {
	t.Parallel()
	fake, gw := startDiscordGateway(t)
	startServe(t, nil, discordEnv(fake))
	waitGateway(t, gw)
	contexts, perms := registeredAccess(t, fake, "")
	assert.Equal(t, []int{0}, contexts, "registered globally, for guilds only")
	assert.Equal(t, "2048", perms, "members who may send messages see it")

	id, token := fake.NewInteraction(discordChannel, "800000000000000001", "700000000000000001")
	require.NoError(t, gw.SendInteraction(whyInteraction(id, token, fake.AppID(), denyID)))
	root, thread := waitDiscordThread(t, fake, token, 3)
	assert.Equal(t, 5, fake.Callbacks()[0].Type, "acknowledged with a deferred response")
	assert.Contains(t, unescape(root.Embeds[0].Description), "research-access")
	require.NotEmpty(t, root.Buttons())
	all := ""
	for _, m := range thread {
		all += m.Content
	}
	for _, want := range []string{"Evidence", "Steps", "Next actions", "docs.caracal.run"} {
		assert.Contains(t, all, want)
	}
}

func TestServeDiscordHTTPInteractionsAreVerified(t *testing.T) {
	base, fake, priv := startDiscordHTTP(t)

	post := func(body []byte, key ed25519.PrivateKey, ts time.Time) (int, string) {
		return postDiscordInteraction(t, base, body, key, ts)
	}

	ping, _ := json.Marshal(map[string]any{"id": "1", "application_id": fake.AppID(), "type": 1, "token": "ping-token"})
	code, body := post(ping, priv, time.Now())
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"type":1}`, body)

	_, forged, _ := ed25519.GenerateKey(rand.Reader)
	code, _ = post(ping, forged, time.Now().Add(time.Second))
	assert.Equal(t, http.StatusUnauthorized, code, "a bad signature is refused")
	code, _ = post(ping, priv, time.Now().Add(-6*time.Minute))
	assert.Equal(t, http.StatusUnauthorized, code, "a stale timestamp is refused")

	id, token := fake.NewInteraction(discordChannel, "800000000000000001", "700000000000000001")
	cmd, _ := json.Marshal(whyInteraction(id, token, fake.AppID(), denyID))
	code, body = post(cmd, priv, time.Now().Add(2*time.Second))
	require.Equal(t, http.StatusOK, code)
	assert.True(t, strings.Contains(body, `"type":5`), "deferred at once: %s", body)
	recordCallback(t, fake, id, token, body)
	root, _ := waitDiscordThread(t, fake, token, 3)
	assert.Contains(t, unescape(root.Embeds[0].Description), "research-access")
}

// registeredAccess is what the bulk overwrite of guild ("" globally) said
// about where /caracal and Diagnose with Caracal may be used and by whom,
// as sent: the same for both.
func registeredAccess(t *testing.T, fake *discordfake.Server, guild string) (contexts []int, perms string) {
	t.Helper()
	for _, set := range fake.Commands() {
		if set.GuildID != guild {
			continue
		}
		var sent []struct {
			Name     string `json:"name"`
			Contexts []int  `json:"contexts"`
			Perms    string `json:"default_member_permissions"`
		}
		require.NoError(t, json.Unmarshal(set.Payload, &sent))
		require.Len(t, sent, 2)
		assert.Equal(t, []string{"caracal", "Diagnose with Caracal"}, []string{sent[0].Name, sent[1].Name})
		assert.Equal(t, sent[0].Contexts, sent[1].Contexts)
		assert.Equal(t, sent[0].Perms, sent[1].Perms)
		return sent[0].Contexts, sent[0].Perms
	}
	require.FailNow(t, "no commands registered in guild "+guild)
	return nil, ""
}

// dmInteraction moves an interaction to a DM: no guild, a user, no member.
func dmInteraction(i *discordgo.Interaction) *discordgo.Interaction {
	i.GuildID, i.Member, i.User = "", nil, &discordgo.User{ID: "700000000000000009", Username: "stranger"}
	return i
}

// foreignInteraction moves an interaction to foreignGuild.
func foreignInteraction(i *discordgo.Interaction) *discordgo.Interaction {
	i.GuildID = foreignGuild
	return i
}

// rerunClick is a click on the Re-run button of a diagnosis message.
func rerunClick(id, token, appID, requestID string) *discordgo.Interaction {
	i := whyInteraction(id, token, appID, requestID)
	i.Type, i.Message = discordgo.InteractionMessageComponent, &discordgo.Message{ID: "910000000000000001", ChannelID: discordChannel}
	i.Data = discordgo.MessageComponentInteractionData{CustomID: "why|" + requestID, ComponentType: discordgo.ButtonComponent}
	return i
}

// assertRefusal checks an interaction response is an ephemeral refusal
// saying want, with no diagnosis in it.
func assertRefusal(t *testing.T, want, body string) {
	t.Helper()
	var r discordgo.InteractionResponse
	require.NoError(t, json.Unmarshal([]byte(body), &r), body)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, r.Type)
	require.NotNil(t, r.Data)
	assert.Equal(t, discordgo.MessageFlagsEphemeral, r.Data.Flags, "only the user sees it")
	assert.Contains(t, unescape(r.Data.Content), want)
	assert.Empty(t, r.Data.Embeds)
	assert.NotContains(t, body, "research-access")
}

// acceptedCommands is how many commands the dispatcher accepted, from /metrics.
func acceptedCommands(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	n := 0
	for _, m := range regexp.MustCompile(`caracal_bot_commands_total\{command="[^"]*",outcome="accepted"\} (\d+)`).FindAllStringSubmatch(string(b), -1) {
		v, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		n += v
	}
	return n
}

func TestServeDiscordHTTPRefusesOtherGuildsAndDMs(t *testing.T) {
	base, fake, priv := startDiscordHTTP(t, "DISCORD_GUILD_IDS", discordGuild)

	at := time.Now()
	for _, tc := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"a command from another server", foreignInteraction(whyInteraction("1", "tok-1", fake.AppID(), denyID)), "not enabled in this server"},
		{"a button from another server", foreignInteraction(rerunClick("2", "tok-2", fake.AppID(), denyID)), "not enabled in this server"},
		{"a command in a DM", dmInteraction(whyInteraction("3", "tok-3", fake.AppID(), denyID)), "does not answer in direct messages"},
		{"a button in a DM", dmInteraction(rerunClick("4", "tok-4", fake.AppID(), denyID)), "does not answer in direct messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(tc.i)
			require.NoError(t, err)
			at = at.Add(time.Second) // each request signed anew
			code, resp := postDiscordInteraction(t, base, body, priv, at)
			require.Equal(t, http.StatusOK, code)
			assertRefusal(t, tc.want, resp)
		})
	}
	assert.Zero(t, acceptedCommands(t, base), "nothing refused reaches the dispatcher")
	// Serving began after the registration.
	require.Len(t, fake.Commands(), 1, "registered in the configured guild only")
	contexts, perms := registeredAccess(t, fake, discordGuild)
	assert.Equal(t, []int{0}, contexts, "no DMs by default")
	assert.Equal(t, "2048", perms)

	id, token := fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	cmd, err := json.Marshal(whyInteraction(id, token, fake.AppID(), denyID))
	require.NoError(t, err)
	code, body := postDiscordInteraction(t, base, cmd, priv, at.Add(time.Second))
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"type":5}`, body, "the configured server is served")
	recordCallback(t, fake, id, token, body)
	root, _ := waitDiscordThread(t, fake, token, 3)
	assert.Contains(t, unescape(root.Embeds[0].Description), "research-access")
	assert.Equal(t, 1, acceptedCommands(t, base))
}

func TestServeDiscordGatewayAllowsDMsWhenAsked(t *testing.T) {
	t.Parallel()
	fake, gw := startDiscordGateway(t)
	base := startServe(t, nil, with(discordEnv(fake), "DISCORD_GUILD_IDS", discordGuild, "DISCORD_ALLOW_DMS", "true",
		"DISCORD_DEFAULT_MEMBER_PERMISSIONS", "0"))
	waitGateway(t, gw)

	contexts, perms := registeredAccess(t, fake, discordGuild)
	assert.Equal(t, []int{0, 1}, contexts, "guilds and DMs with the bot")
	assert.Equal(t, "0", perms, "administrators only")

	foreignID, foreignToken := fake.NewInteraction(discordChannel, foreignGuild, "700000000000000001")
	require.NoError(t, gw.SendInteraction(foreignInteraction(whyInteraction(foreignID, foreignToken, fake.AppID(), denyID))))
	dmID, dmToken := fake.NewInteraction(discordChannel, "", "700000000000000009")
	require.NoError(t, gw.SendInteraction(dmInteraction(whyInteraction(dmID, dmToken, fake.AppID(), denyID))))

	var cbs []discordfake.Callback
	require.Eventually(t, func() bool { cbs = fake.Callbacks(); return len(cbs) == 2 }, 15*time.Second, 20*time.Millisecond)
	for _, cb := range cbs {
		switch cb.InteractionID {
		case foreignID:
			assert.Equal(t, int(discordgo.InteractionResponseChannelMessageWithSource), cb.Type)
			assert.Equal(t, int(discordgo.MessageFlagsEphemeral), cb.Flags)
			assert.Contains(t, unescape(cb.Content), "not enabled in this server")
		case dmID:
			assert.Equal(t, int(discordgo.InteractionResponseDeferredChannelMessageWithSource), cb.Type, "the DM is served")
		}
	}
	assert.Equal(t, 1, acceptedCommands(t, base), "the DM only")
}
