package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// TestSIGTERMFinishesInFlightWorkAndReleasesTheLease sends SIGTERM to a bot
// process while a slow diagnosis runs: the diagnosis is still delivered,
// the scheduler's lease is released in Redis (so another replica leads at
// once), and the process exits 0.
func TestSIGTERMFinishesInFlightWorkAndReleasesTheLease(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	fake := slackfake.Start(t)
	// Each Caracal call takes a second: a diagnosis takes two.
	env := with(slackRedisEnv(t, fake, srv, caracaltest.WithLatency(time.Second)), "BOT_LISTEN_ADDR", "127.0.0.1:0")
	configPath := filepath.Join(t.TempDir(), "caracal-bot.yaml")
	require.NoError(t, os.WriteFile(configPath, []byte("watch:\n  enabled: true\n  interval: 5s\n  slack_channels: [C0WATCH]\n"), 0o600))

	p := startBotProcess(t, "replica", configPath, env)
	base := p.baseURL(t)
	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	const leaseKey = "caracal-bot:lease:caracal-bot/scheduler"
	require.Eventually(t, func() bool { return rdb.Exists(context.Background(), leaseKey).Val() == 1 },
		15*time.Second, 50*time.Millisecond, "the readiness watch takes the lease")

	code, ack := signedPost(t, base+"/slack/commands", slashForm("why "+denyID, "trig-sigterm", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, ack, "Working on it")
	assert.Zero(t, p.signal(t, syscall.SIGTERM, 40*time.Second), "a clean exit")

	root, thread := waitThread(t, fake, 3)
	assert.Contains(t, root.BlocksJSON, "resource_not_granted", "the diagnosis in flight at SIGTERM was delivered")
	assert.NotEmpty(t, thread)
	assert.Zero(t, rdb.Exists(context.Background(), leaseKey).Val(), "the lease is released, not left to expire")
	assert.Contains(t, p.logs.String(), "shutting down: finishing in-flight diagnoses")
}
