package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// TestTwoProcessesOnRedisPostEachDigestOnce runs two bot processes sharing
// Redis with a digest scheduled every minute. The first digest is posted
// once; then the replica that posted it is killed with SIGKILL and Redis
// restarts (losing every key): the next digest is still posted once, by
// the survivor. It takes one to two minutes, the cron's resolution.
func TestTwoProcessesOnRedisPostEachDigestOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for two minute boundaries")
	}
	t.Parallel()
	redis := redistest.Start(t)
	fake := slackfake.Start(t)
	env := with(slackRedisEnv(t, fake, redis), "BOT_LISTEN_ADDR", "127.0.0.1:0")
	const channel = "C0DIGEST"
	configPath := filepath.Join(t.TempDir(), "caracal-bot.yaml")
	require.NoError(t, os.WriteFile(configPath, []byte(`schedules:
  - name: every-minute
    spec: "* * * * *"
    slack_channels: [`+channel+`]
`), 0o600))

	// Both replicas must be up before the first fire: not too close to a minute boundary.
	if untilFire := time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)); untilFire < 10*time.Second {
		time.Sleep(untilFire + time.Second)
	}
	replicas := []*botProcess{startBotProcess(t, "replica-a", configPath, env), startBotProcess(t, "replica-b", configPath, env)}
	for _, r := range replicas {
		require.Eventually(t, func() bool { return r.logged("scheduler started") }, 30*time.Second, 20*time.Millisecond, "%s did not start", r.name)
	}
	// At start each replica says what it can tell of its admin token.
	require.Eventually(t, func() bool {
		return replicas[0].logged(`level=WARN msg="admin token scope: global`) && replicas[0].logged(`level=WARN msg="admin token capability: not verifiable`)
	}, 15*time.Second, 20*time.Millisecond)

	// The first digest: one post, and the other replica knows it was posted.
	require.Eventually(t, func() bool { return len(fake.Roots(channel)) >= 1 }, 75*time.Second, 100*time.Millisecond)
	var leader, survivor *botProcess
	require.Eventually(t, func() bool {
		for i, r := range replicas {
			if r.logged(`msg="digest posted"`) && replicas[1-i].logged("digest posted by another replica") {
				leader, survivor = r, replicas[1-i]
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	assert.Len(t, fake.Roots(channel), 1, "the first digest is posted once")

	// The leader dies without a word; Redis restarts empty.
	leader.kill()
	redis.Stop()
	redis.Restart()

	require.Eventually(t, func() bool { return len(fake.Roots(channel)) >= 2 }, 75*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return strings.Count(survivor.logs.String(), `msg="digest posted"`) == 1 }, 5*time.Second, 20*time.Millisecond)
	time.Sleep(2 * time.Second) // nothing to wait for: a duplicate would arrive now
	assert.Len(t, fake.Roots(channel), 2, "each digest posted once")
}
