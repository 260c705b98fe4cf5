package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// TestServeDiscordButtonsOfALongRequestID: the buttons of a diagnosis of a
// 128-character request ID (too long for a custom_id with its zone) carry
// a token for their value, kept in state_dir without Redis and in Redis
// with it, so Re-run works on the whole ID on a process started after the
// one that posted it, and on another replica.
func TestServeDiscordButtonsOfALongRequestID(t *testing.T) {
	sc, ok := caracaltest.ScenarioByName(caracaltest.LargestName)
	require.True(t, ok)
	for _, tc := range []struct {
		name  string
		env   func(t *testing.T) map[string]string
		after func(t *testing.T, env map[string]string, before *replica) // starts the process that takes the click
	}{
		{"state_dir, after a restart",
			func(t *testing.T) map[string]string { return map[string]string{"BOT_STATE_DIR": t.TempDir()} },
			func(t *testing.T, env map[string]string, before *replica) {
				before.kill()
				raw, err := os.ReadFile(filepath.Join(env["BOT_STATE_DIR"], state.ButtonsFile))
				require.NoError(t, err)
				assert.Contains(t, string(raw), sc.ID, "the value is in state_dir")
				startReplica(t, env)
			}},
		{"Redis, another replica",
			func(t *testing.T) map[string]string { return map[string]string{"REDIS_URL": redistest.Start(t).URL()} },
			func(t *testing.T, env map[string]string, _ *replica) { startReplica(t, env) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := discordfake.NewGateway(0)
			t.Cleanup(gw.Close)
			fake := discordfake.Start(t, discordfake.WithGateway(gw), discordfake.WithChannel(discordChannel))
			env := simEnv(startSim(t, caracaltest.WithScenario(sc.ID)))
			for k, v := range discordEnv(fake) {
				env[k] = v
			}
			for k, v := range tc.env(t) {
				env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			before := startReplica(t, env)
			require.NoError(t, gw.WaitHandshakes(ctx, 1))
			id, token := fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
			require.NoError(t, gw.SendInteraction(whyInteraction(id, token, fake.AppID(), sc.ID)))
			root, _ := waitDiscordThread(t, fake, token, 3)
			var rerun string
			for _, b := range root.Buttons() {
				assert.LessOrEqual(t, len(b.CustomID), 100)
				if b.Label == "Re-run" {
					rerun = b.CustomID
				}
			}
			require.True(t, strings.HasPrefix(rerun, "why~"), "Re-run carries a token: %q", rerun)

			tc.after(t, env, before)
			require.NoError(t, gw.WaitHandshakes(ctx, 2))
			clickID, clickToken := fake.NewInteraction(discordChannel, discordGuild, "700000000000000001")
			click := whyInteraction(clickID, clickToken, fake.AppID(), sc.ID)
			click.Type, click.Message = discordgo.InteractionMessageComponent, &discordgo.Message{ID: root.ID, ChannelID: discordChannel, Embeds: root.Embeds}
			click.Data = discordgo.MessageComponentInteractionData{CustomID: rerun, ComponentType: discordgo.ButtonComponent}
			require.NoError(t, gw.SendInteraction(click))

			require.Eventually(t, func() bool { m, _ := fake.Message(root.ID); return m.Edits == 2 }, 15*time.Second, 20*time.Millisecond,
				"the root was re-run in place")
			edited, _ := fake.Message(root.ID)
			require.NotEmpty(t, edited.Embeds)
			assert.Equal(t, root.Embeds[0].Fields[0], edited.Embeds[0].Fields[0], "the same 128-character request ID")
			assert.Contains(t, unescape(edited.Embeds[0].Fields[0].Value), sc.ID)
			for _, cb := range fake.Callbacks() {
				assert.NotEqual(t, int(discordgo.InteractionResponseChannelMessageWithSource), cb.Type, "no refusal or expiry: %s", cb.Content)
			}
		})
	}
}
