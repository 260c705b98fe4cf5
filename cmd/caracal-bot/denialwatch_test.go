package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// watchChannel is where the denial watch of these tests posts.
const watchChannel = "C0ONCALL"

// denialWatchConfig writes a configuration whose denial watch reads every
// second and announces threshold denied requests in 10 minutes, with
// extra YAML lines at the top level.
func denialWatchConfig(t *testing.T, threshold int, extra ...string) string {
	t.Helper()
	doc := strings.Join(extra, "\n") + `
denial_watch:
  enabled: true
  interval: 1s
  threshold: ` + strconv.Itoa(threshold) + `
  window: 10m
  quiet: 1h
  slack_channels: [` + watchChannel + `]
`
	return writeFile(t, "caracal-bot.yaml", doc)
}

// startWatchingBot runs serve in-process against the simulator and the
// fake Slack with the configuration file and env; stop ends it.
func startWatchingBot(t *testing.T, sim *caracaltest.Server, fake *slackfake.Server, cfgFile string, env map[string]string) (stop func()) {
	t.Helper()
	_, stop = serveUntilStopped(t, sim, fake, cfgFile, with(env, "SLACK_SIGNING_SECRET", testSigningSecret))
	return stop
}

// denyReads counts the reads of deny rows the simulator answered.
func denyReads(sim *caracaltest.Server) int {
	n := 0
	for _, r := range sim.Requests() {
		if strings.HasSuffix(r.Path, "/audit") && strings.Contains(r.Query, "decision=deny") {
			n++
		}
	}
	return n
}

// waitReads waits until the watch has read the audit log n more times: a
// whole tick has seen what the world held before.
func waitReads(t *testing.T, sim *caracaltest.Server, n int) {
	t.Helper()
	from := denyReads(sim)
	require.Eventually(t, func() bool { return denyReads(sim) >= from+n }, 15*time.Second, 20*time.Millisecond,
		"the denial watch reads the audit log")
}

// addDenials adds n denials of a scenario to the simulator, the first at
// at, one every 100 ms; it returns their request IDs.
func addDenials(t *testing.T, sim *caracaltest.Server, scenario string, n int, at time.Time) []string {
	t.Helper()
	w := sim.World()
	ids, err := w.AddDenials(scenario, n, at, 100*time.Millisecond)
	require.NoError(t, err)
	sim.SetWorld(w)
	return ids
}

// waitRoots waits for n root messages in the watch's channel.
func waitRoots(t *testing.T, fake *slackfake.Server, n int) []slackfake.Message {
	t.Helper()
	require.Eventually(t, func() bool { return len(fake.Roots(watchChannel)) >= n }, 15*time.Second, 20*time.Millisecond,
		"%d announcement(s)", n)
	return fake.Roots(watchChannel)
}

func TestDenialWatchAnnouncesABurstOnceWithItsDiagnosis(t *testing.T) {
	t.Parallel()
	sim, fake := startSim(t), slackfake.Start(t)
	// Denials from before the bot started: never announced.
	addDenials(t, sim, "deny-role-scope-mismatch", 5, time.Now().Add(-30*time.Second))
	startWatchingBot(t, sim, fake, denialWatchConfig(t, 3), nil)
	waitReads(t, sim, 3)
	assert.Empty(t, fake.Roots(watchChannel), "no flood at start: every denial so far occurred before it")

	ids := addDenials(t, sim, "deny-no-grant", 3, time.Now())
	root := waitRoots(t, fake, 1)[0]
	assert.Contains(t, root.BlocksJSON, "billing-bot was denied 3 times in 10m on resource:")
	assert.Contains(t, root.BlocksJSON, "resource_not_granted")
	assert.Contains(t, root.BlocksJSON, ids[2], "the newest request")
	assert.Contains(t, root.BlocksJSON, "3 in the last 10m (threshold 3)")
	assert.Contains(t, root.BlocksJSON, "Show trace")
	assert.Contains(t, root.BlocksJSON, "Upload bundle to ticket")
	assert.NotContains(t, root.BlocksJSON, "Re-run", "Re-run would replace the announcement")

	// The thread holds the diagnosis `why` gives of the newest request.
	d, _ := whyJSON(t, simEnv(sim), ids[2], "--zone", caracaltest.ZoneResearch)
	assert.Equal(t, "resource_not_granted", d.Cause)
	var thread string
	require.Eventually(t, func() bool {
		thread = ""
		for _, m := range fake.Thread(watchChannel, root.TS) {
			thread += m.Text + "\n" + m.BlocksJSON + "\n"
		}
		return strings.Contains(thread, "does not announce more denials of this cluster for 1h")
	}, 15*time.Second, 20*time.Millisecond)
	plain := unmarkdown(thread)
	assert.Contains(t, plain, "Diagnosis of the newest request")
	assert.Contains(t, plain, d.Verdict)
	for _, s := range d.Steps {
		assert.Contains(t, plain, s.Detail, "step %d", s.N)
	}
	for _, a := range d.NextActions {
		assert.Contains(t, plain, a.Text)
	}

	// More denials of the announced cluster inside the quiet hour: no new root.
	addDenials(t, sim, "deny-no-grant", 4, time.Now())
	waitReads(t, sim, 3)
	assert.Len(t, fake.Roots(watchChannel), 1, "announced once")
	assert.Zero(t, sim.WriteAttempts(), "the watch only reads")
}

func TestDenialWatchDoesNotRepeatAfterARestart(t *testing.T) {
	t.Parallel()
	sim, fake := startSim(t), slackfake.Start(t)
	dir := filepath.Join(t.TempDir(), "state")
	cfg := denialWatchConfig(t, 3, "state_dir: "+dir)
	stop := startWatchingBot(t, sim, fake, cfg, nil)
	waitReads(t, sim, 1)
	addDenials(t, sim, "deny-no-grant", 3, time.Now())
	waitRoots(t, fake, 1)
	stop()
	require.FileExists(t, filepath.Join(dir, state.DenialWatchFile), "state_dir from the YAML file")

	startWatchingBot(t, sim, fake, cfg, nil)
	waitReads(t, sim, 3)
	addDenials(t, sim, "deny-no-grant", 3, time.Now())
	waitReads(t, sim, 3)
	assert.Len(t, fake.Roots(watchChannel), 1, "nothing announced again after the restart")
}

// TestDenialWatchTwoReplicasOnRedisAnnounceOnce runs two bot processes
// (each its own lease holder) sharing Redis, started together: one leads
// the watch, and a burst is announced once.
func TestDenialWatchTwoReplicasOnRedisAnnounceOnce(t *testing.T) {
	t.Parallel()
	sim, fake, redis := startSim(t), slackfake.Start(t), redistest.Start(t)
	env := with(simEnv(sim), "SLACK_BOT_TOKEN", "xoxb-test-bot-token", "SLACK_API_URL", fake.URL(),
		"SLACK_SIGNING_SECRET", testSigningSecret, "REDIS_URL", redis.URL(), "BOT_LISTEN_ADDR", "127.0.0.1:0")
	cfg := denialWatchConfig(t, 3)
	replicas := []*botProcess{startBotProcess(t, "replica-a", cfg, env), startBotProcess(t, "replica-b", cfg, env)}
	for _, r := range replicas {
		require.Eventually(t, func() bool { return r.logged("denial watch started") }, 30*time.Second, 20*time.Millisecond, "%s did not start", r.name)
	}
	waitReads(t, sim, 1)
	addDenials(t, sim, "deny-no-grant", 3, time.Now())
	waitRoots(t, fake, 1)
	waitReads(t, sim, 3)
	assert.Len(t, fake.Roots(watchChannel), 1, "one replica announces")
	leaders := 0
	for _, r := range replicas {
		if r.logged("denial watch: leading") {
			leaders++
		}
	}
	assert.Equal(t, 1, leaders, "one replica reads")
}

func TestDenialWatchCountsALateRowOnce(t *testing.T) {
	t.Parallel()
	sim, fake := startSim(t), slackfake.Start(t)
	dir := t.TempDir()
	startWatchingBot(t, sim, fake, denialWatchConfig(t, 3), map[string]string{"BOT_STATE_DIR": dir})
	waitReads(t, sim, 1)
	start := time.Now()
	addDenials(t, sim, "deny-no-grant", 2, start.Add(2*time.Second))
	waitReads(t, sim, 3)
	assert.Empty(t, fake.Roots(watchChannel), "two denied requests, read three times: under the threshold of three")

	// A denial that occurred before the two read, ingested only now.
	late := addDenials(t, sim, "deny-no-grant", 1, start)
	root := waitRoots(t, fake, 1)[0]
	assert.Contains(t, root.BlocksJSON, "3 in the last 10m (threshold 3)", "the late request counted, once")
	assert.NotContains(t, root.BlocksJSON, late[0], "the newest request is diagnosed, not the late one")
	require.FileExists(t, filepath.Join(dir, state.DenialWatchFile), "state_dir from BOT_STATE_DIR")
	raw, err := os.ReadFile(filepath.Join(dir, state.DenialWatchFile))
	require.NoError(t, err)
	assert.Contains(t, string(raw), late[0], "the late request is remembered as counted")
}

// TestDenialWatchPostsToDiscord announces a burst in a Discord channel:
// the root embed, the diagnosis in the thread started on it, every
// message within Discord's limits (the fake refuses the others).
func TestDenialWatchPostsToDiscord(t *testing.T) {
	t.Parallel()
	sim, fake := startSim(t), discordfake.Start(t, discordfake.WithChannel(discordChannel))
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	cfg := writeFile(t, "caracal-bot.yaml", `discord:
  gateway: false
denial_watch:
  enabled: true
  interval: 1s
  threshold: 2
  discord_channels: ["`+discordChannel+`"]
`)
	serveUntilStopped(t, sim, nil, cfg, with(discordEnv(fake), "DISCORD_PUBLIC_KEY", hex.EncodeToString(pub)))
	waitReads(t, sim, 1)
	ids := addDenials(t, sim, "deny-no-grant", 2, time.Now())
	var root discordfake.Message
	thread := func() string {
		all := ""
		for _, m := range fake.Thread(root.ID) {
			all += unescape(m.Content) + "\n"
		}
		return all
	}
	require.Eventually(t, func() bool {
		msgs := fake.Messages(discordChannel)
		if len(msgs) == 0 {
			return false
		}
		root = msgs[0]
		return strings.Contains(thread(), "does not announce more denials of this cluster") // the thread's last words
	}, 15*time.Second, 20*time.Millisecond)
	require.NotEmpty(t, root.Embeds)
	assert.Contains(t, unescape(root.Embeds[0].Title+root.Embeds[0].Description), "billing-bot was denied 2 times in 10m on resource://pipernet: resource_not_granted")
	var labels []string
	for _, b := range root.Buttons() {
		labels = append(labels, b.Label)
	}
	assert.Equal(t, []string{"Upload bundle to ticket", "Show trace"}, labels)
	all := thread()
	for _, want := range []string{"Diagnosis of the newest request", ids[1], "Steps", "Next actions", "does not announce more denials of this cluster"} {
		assert.Contains(t, all, want)
	}
	assert.Empty(t, fake.Violations())
}
