package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/scheduler"
	"github.com/caracal-bot/caracal-bot/state"
)

// TestScheduledDigestCountsFromTheWatchAggregates: a bot whose denial
// watch has been running for three hours (its state in state_dir, built
// here by a watch on a fake clock over traffic of the last three hours)
// posts scheduled digests whose whole watched hours come from the watch's
// aggregates, and says so (that such counts equal a full read is
// denialwatch's TestAggregatesGiveTheDigestOfAFullRead).
func TestScheduledDigestCountsFromTheWatchAggregates(t *testing.T) {
	t.Parallel()
	sim, fake := startSim(t), slackfake.Start(t)
	dir := t.TempDir()
	seedWatchState(t, sim, dir, 3*time.Hour)

	const channel = "C0DIGEST"
	cfg := filepath.Join(t.TempDir(), "caracal-bot.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(`state_dir: `+dir+`
schedules:
  - name: every-minute
    spec: "* * * * *"
    slack_channels: [`+channel+`]
denial_watch:
  enabled: true
  interval: 1s
  threshold: 1000000
  window: 1h
  slack_channels: [`+watchChannel+`]
`), 0o600))
	env := with(simEnv(sim), "SLACK_BOT_TOKEN", "xoxb-test-bot-token", "SLACK_API_URL", fake.URL(),
		"SLACK_SIGNING_SECRET", testSigningSecret, "BOT_LISTEN_ADDR", "127.0.0.1:0", cronSecondsEnv, "*/3")
	bot := startBotProcess(t, "bot", cfg, env)

	var thread string
	require.Eventually(t, func() bool {
		roots := fake.Roots(channel)
		if len(roots) == 0 {
			return false
		}
		thread = ""
		for _, m := range fake.Thread(channel, roots[0].TS) {
			thread += m.BlocksJSON + "\n"
		}
		return strings.Contains(thread, "Denials by cause")
	}, 30*time.Second, 50*time.Millisecond, "a scheduled digest is posted")
	assert.Contains(t, thread, "were counted by the denial watch as the denials happened")
	assert.Empty(t, fake.Roots(watchChannel), "nothing reached the threshold")
	assert.False(t, bot.logged("level=ERROR"), "no error: %s", bot.logs)
}

// seedWatchState runs a denial watch on a fake clock over the last span,
// with bursts of denials added to the simulator every 30 minutes as it
// goes, and leaves its state, aggregates included, in dir.
func seedWatchState(t *testing.T, sim *caracaltest.Server, dir string, span time.Duration) {
	t.Helper()
	clock := bottest.NewClock(time.Now().Add(-span).Truncate(time.Minute))
	w, err := denialwatch.New(denialwatch.Options{
		Zones: []string{caracaltest.ZoneResearch}, Interval: time.Minute, Threshold: 1_000_000,
		Window: time.Hour, Quiet: time.Hour, Aggregate: 48 * time.Hour, // ticks 10 minutes apart are no stop
		Targets: []scheduler.Target{{Platform: "slack", ChannelID: watchChannel}},
		Source:  caracal.New(caracal.Config{APIURL: sim.APIURL, AdminToken: caracaltest.DefaultAdminToken, CallTimeout: 5 * time.Second}),
		Runner:  noRunner{}, Poster: noPoster{}, Store: state.NewFileDenialWatch(dir),
		PagesPerMinute: 60_000, Now: clock.Now,
	})
	require.NoError(t, err)
	ctx := context.Background()
	for i := 0; clock.Now().Add(10 * time.Minute).Before(time.Now()); i++ {
		if i%3 == 0 {
			world := sim.World()
			_, err := world.AddDenials("deny-no-grant", 2, clock.Now().Add(-time.Minute), 5*time.Second)
			require.NoError(t, err)
			sim.SetWorld(world)
		}
		clock.Add(10 * time.Minute)
		require.True(t, w.Tick(ctx).Leader)
	}
}

// noRunner and noPoster stand in for the commands and the chat platforms
// of a watch that announces nothing.
type (
	noRunner struct{}
	noPoster struct{}
)

func (noRunner) Run(context.Context, chat.Invocation) (commands.Result, error) {
	return commands.Result{}, nil
}

func (noPoster) Post(context.Context, scheduler.Target, chat.Reply) error { return nil }
