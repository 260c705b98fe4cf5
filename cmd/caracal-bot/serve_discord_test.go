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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
)

const discordChannel = "900000000000000001"

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

func TestServeDiscordGatewayGivesAThreadedDiagnosis(t *testing.T) {
	gw := discordfake.NewGateway(0)
	t.Cleanup(gw.Close)
	fake := discordfake.Start(t, discordfake.WithGateway(gw), discordfake.WithChannel(discordChannel))
	startServe(t, nil, discordEnv(fake))

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, gw.WaitHandshakes(ctx, 1))
	require.NotEmpty(t, fake.Commands(), "the /caracal command is registered at start")

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
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	fake := discordfake.Start(t, discordfake.WithChannel(discordChannel))
	env := discordEnv(fake)
	env["DISCORD_PUBLIC_KEY"] = hex.EncodeToString(pub)
	cfgFile := t.TempDir() + "/caracal-bot.yaml"
	require.NoError(t, os.WriteFile(cfgFile, []byte("discord:\n  gateway: false\n"), 0o600))
	base := startServeWithConfig(t, nil, cfgFile, env)

	post := func(body []byte, key ed25519.PrivateKey, ts time.Time) (int, string) {
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
	// Discord records the HTTP answer as the interaction's callback; the
	// fake learns it the way the gateway path tells it, through the route.
	resp, err := http.Post(fake.URL()+"/interactions/"+id+"/"+token+"/callback", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	root, _ := waitDiscordThread(t, fake, token, 3)
	assert.Contains(t, unescape(root.Embeds[0].Description), "research-access")
}
