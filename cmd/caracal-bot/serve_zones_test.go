package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// Channels bound to a zone, through every entry point of `serve`: the
// channel (Slack's testChannel, Discord's discordChannel) may read only
// Research, and the request asked about lives in Staging.

// refusedZone is what a refusal of Staging starts with.
const refusedZone = "this channel may read only zone(s) " + caracaltest.ZoneResearch

// bindToResearch writes a configuration binding channel to Research.
func bindToResearch(t *testing.T, channel string) string {
	t.Helper()
	cfgFile := t.TempDir() + "/caracal-bot.yaml"
	doc := "channels:\n  - {channel: \"" + channel + "\", zone_id: " + caracaltest.ZoneResearch + "}\n"
	require.NoError(t, os.WriteFile(cfgFile, []byte(doc), 0o600))
	return cfgFile
}

// stagingRequests lists the simulator's requests that name Staging.
func stagingRequests(srv *caracaltest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path+"?"+r.Query, caracaltest.ZoneStaging) {
			out = append(out, r.Path)
		}
	}
	return out
}

// assertNoStaging checks text shows none of Staging's data.
func assertNoStaging(t *testing.T, text string) {
	t.Helper()
	for _, mark := range []string{caracaltest.ZoneStaging, "Staging", "support-agent", "staging-access"} {
		assert.NotContains(t, text, mark)
	}
}

// withoutEcho drops the refusal's echo of the --zone the user typed.
func withoutEcho(s string) string {
	return strings.ReplaceAll(s, "--zone \""+caracaltest.ZoneStaging+"\"", "")
}

// slackPrivate is every private answer the fake Slack received.
func slackPrivate(fake *slackfake.Server) string {
	var b strings.Builder
	for _, e := range fake.Ephemerals() {
		b.WriteString(e.Text + e.BlocksJSON + "\n")
	}
	for _, p := range fake.ResponseURLPosts() {
		b.WriteString(p.Text + p.BlocksJSON + "\n")
	}
	return strings.ReplaceAll(b.String(), `\"`, `"`)
}

// signedJSONPost sends a Slack-signed JSON POST (the Events API).
func signedJSONPost(t *testing.T, url, body string, ts time.Time) int {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(testSigningSecret))
	mac.Write([]byte("v0:" + stamp + ":" + body))
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// threadMention is `@caracal-bot <text>` in the thread of rootTS.
func threadMention(eventID, text, rootTS string) string {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID,
		"authorizations": []map[string]string{{"user_id": "U0BOT"}},
		"event": map[string]string{"type": "app_mention", "user": "U0ONCALL", "text": "<@U0BOT> " + text,
			"ts": rootTS + "1", "thread_ts": rootTS, "channel": testChannel}})
	return string(b)
}

func TestServeSlackChannelBoundToAZone(t *testing.T) {
	wrong := scenario(t, "wrong-zone")
	srv := startSim(t)
	fake := slackfake.Start(t)
	base := startServeOn(t, srv, fake, bindToResearch(t, testChannel), map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret})
	now := time.Now()
	refusals := 0
	refused := func(what string) {
		t.Helper()
		require.Eventually(t, func() bool { return strings.Count(slackPrivate(fake), refusedZone) > refusals },
			10*time.Second, 20*time.Millisecond, what+" is refused privately")
		refusals = strings.Count(slackPrivate(fake), refusedZone)
	}

	// Slash command: a request in Staging is not found, and Staging is not named.
	code, _ := signedPost(t, base+"/slack/commands", slashForm("why "+wrong.ID, "trig-zone-1", fake), now)
	require.Equal(t, http.StatusOK, code)
	root, thread := waitThread(t, fake, 4) // evidence, steps, next actions, missing evidence
	all := root.Text + root.BlocksJSON
	for _, m := range thread {
		all += m.Text + m.BlocksJSON
	}
	assert.Contains(t, all, "the search was limited to the zones this channel may read")
	assertNoStaging(t, all)

	// Slash command with --zone Staging: refused privately, nothing posted.
	code, _ = signedPost(t, base+"/slack/commands", slashForm("trace "+wrong.ID+" --zone "+caracaltest.ZoneStaging, "trig-zone-2", fake), now)
	require.Equal(t, http.StatusOK, code)
	refused("a slash command")
	assert.Len(t, fake.Roots(testChannel), 1, "nothing posted")

	// A button whose value names Staging: refused the same way.
	code, _ = signedPost(t, base+"/slack/interactions", clickPayload("trace", wrong.ID+" --zone "+caracaltest.ZoneStaging, root.TS, fake), now.Add(time.Second))
	require.Equal(t, http.StatusOK, code)
	refused("a button")

	// A mention in the diagnosis thread carries the channel's id: the same
	// rules hold there.
	require.Equal(t, http.StatusOK, signedJSONPost(t, base+"/slack/events",
		threadMention("Ev-zone-1", "trace "+wrong.ID+" --zone "+caracaltest.ZoneStaging, root.TS), now.Add(2*time.Second)))
	refused("a thread mention")
	n := len(fake.Thread(testChannel, root.TS))
	require.Equal(t, http.StatusOK, signedJSONPost(t, base+"/slack/events", threadMention("Ev-zone-2", "why "+wrong.ID, root.TS), now.Add(3*time.Second)))
	require.Eventually(t, func() bool { return len(fake.Thread(testChannel, root.TS)) > n }, 15*time.Second, 20*time.Millisecond)
	for _, m := range fake.Thread(testChannel, root.TS)[n:] {
		assertNoStaging(t, m.Text+m.BlocksJSON)
	}

	assertNoStaging(t, withoutEcho(slackPrivate(fake)))
	assert.Empty(t, stagingRequests(srv), "nothing is read from Staging")
}

// discordInThread is i as Discord sends it from thread under parent.
func discordInThread(t *testing.T, i *discordgo.Interaction, thread, parent string) []byte {
	t.Helper()
	i.ChannelID = thread
	b, err := json.Marshal(i)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	m["channel"] = map[string]any{"id": thread, "type": discordgo.ChannelTypeGuildPublicThread, "parent_id": parent}
	b, err = json.Marshal(m)
	require.NoError(t, err)
	return b
}

// traceInteraction is `/caracal trace request_id:<id> zone:<zone>`.
func traceInteraction(id, token, appID, requestID, zone string) *discordgo.Interaction {
	i := whyInteraction(id, token, appID, requestID)
	sub := i.Data.(discordgo.ApplicationCommandInteractionData)
	sub.Options[0].Name = "trace"
	sub.Options[0].Options = append(sub.Options[0].Options, &discordgo.ApplicationCommandInteractionDataOption{
		Name: "zone", Type: discordgo.ApplicationCommandOptionString, Value: zone})
	return i
}

// discordText is what a message shows, without markdown escapes.
func discordText(m discordfake.Message) string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString(e.Title + e.Description)
		for _, f := range e.Fields {
			b.WriteString(f.Name + f.Value)
		}
	}
	return unescape(b.String())
}

// waitRefusal waits for the interaction's ephemeral followup and returns it.
func waitRefusal(t *testing.T, fake *discordfake.Server, token, what string) string {
	t.Helper()
	var text string
	require.Eventually(t, func() bool {
		for _, m := range fake.Followups(token) {
			if shown := discordText(m); m.Ephemeral && strings.Contains(shown, refusedZone) {
				text = shown
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, what+" is refused privately")
	return text
}

func TestServeDiscordChannelBoundToAZone(t *testing.T) {
	t.Parallel()
	wrong := scenario(t, "wrong-zone")
	srv := startSim(t)
	fake, gw := startDiscordGateway(t)
	startServeOn(t, srv, nil, bindToResearch(t, discordChannel), discordEnv(fake))
	waitGateway(t, gw)
	const guild, user = "800000000000000001", "700000000000000001"

	// Slash command: the request in Staging is not revealed.
	id, token := fake.NewInteraction(discordChannel, guild, user)
	require.NoError(t, gw.SendInteraction(whyInteraction(id, token, fake.AppID(), wrong.ID)))
	root, thread := waitDiscordThread(t, fake, token, 4) // evidence, steps, next actions, missing evidence
	all := discordText(root)
	for _, m := range thread {
		all += discordText(m)
	}
	assert.Contains(t, all, "the search was limited to the zones this channel may read")
	assertNoStaging(t, all)

	// Slash command with zone:Staging: refused privately.
	id, token = fake.NewInteraction(discordChannel, guild, user)
	require.NoError(t, gw.SendInteraction(traceInteraction(id, token, fake.AppID(), wrong.ID, caracaltest.ZoneStaging)))
	assertNoStaging(t, withoutEcho(waitRefusal(t, fake, token, "a slash command")))

	// A button whose custom_id names Staging: refused the same way.
	id, token = fake.NewInteraction(discordChannel, guild, user)
	btn := &discordgo.Interaction{ID: id, AppID: fake.AppID(), Type: discordgo.InteractionMessageComponent, Token: token,
		ChannelID: discordChannel, GuildID: guild, Message: &discordgo.Message{ID: root.ID, ChannelID: discordChannel},
		Member: &discordgo.Member{User: &discordgo.User{ID: user, Username: "oncall"}},
		Data:   discordgo.MessageComponentInteractionData{CustomID: "trace|" + wrong.ID + " --zone " + caracaltest.ZoneStaging, ComponentType: discordgo.ButtonComponent}}
	require.NoError(t, gw.SendInteraction(btn))
	waitRefusal(t, fake, token, "a button")

	// The same command from the thread the bot started on its answer: the
	// interaction carries the thread's id, and is still the channel's.
	id, token = fake.NewInteraction(root.ID, guild, user)
	require.NoError(t, gw.Dispatch("INTERACTION_CREATE",
		discordInThread(t, traceInteraction(id, token, fake.AppID(), wrong.ID, caracaltest.ZoneStaging), root.ID, discordChannel)))
	waitRefusal(t, fake, token, "a command from the thread")

	assert.Empty(t, stagingRequests(srv), "nothing is read from Staging")
}
