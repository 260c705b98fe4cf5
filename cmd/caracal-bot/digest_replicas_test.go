package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// TestTwoProcessesOnRedisPostEachDigestOnce runs two bot processes sharing
// Redis with a digest scheduled every minute, which these processes run
// every five seconds instead (cronSecondsEnv). A run is posted once: one
// replica posts it and the other sees it posted. Then the replica that
// posted it is killed with SIGKILL before its next run and Redis restarts
// (losing every key): the next runs are still posted once, by the
// survivor. The cron timing itself is tested in package scheduler, under
// synctest.
func TestTwoProcessesOnRedisPostEachDigestOnce(t *testing.T) {
	t.Parallel()
	redis := redistest.Start(t)
	fake := slackfake.Start(t)
	const period = 5 * time.Second
	env := with(slackRedisEnv(t, fake, redis), "BOT_LISTEN_ADDR", "127.0.0.1:0", cronSecondsEnv, "*/5")
	const channel = "C0DIGEST"
	configPath := filepath.Join(t.TempDir(), "caracal-bot.yaml")
	require.NoError(t, os.WriteFile(configPath, []byte(`schedules:
  - name: every-minute
    spec: "* * * * *"
    slack_channels: [`+channel+`]
`), 0o600))

	replicas := []*botProcess{startBotProcess(t, "replica-a", configPath, env), startBotProcess(t, "replica-b", configPath, env)}
	for _, r := range replicas {
		require.Eventually(t, func() bool { return r.logged("scheduler started") }, 30*time.Second, 20*time.Millisecond, "%s did not start", r.name)
	}
	// At start each replica says what it can tell of its admin token.
	require.Eventually(t, func() bool {
		return replicas[0].logged(`level=WARN msg="admin token scope: global`) && replicas[0].logged(`level=WARN msg="admin token capability: not verifiable`)
	}, 15*time.Second, 20*time.Millisecond)

	// betweenRuns reports whether fire's run is over and the next one more
	// than a second away: a replica killed now dies between two runs.
	betweenRuns := func(fire time.Time) bool { return time.Until(fire.Add(period)) > time.Second }
	// A run that both replicas are done with: one posted it, the other knows.
	var leader, survivor *botProcess
	var fire time.Time
	require.Eventually(t, func() bool {
		for i, r := range replicas {
			for _, f := range r.fires(postedByItself) {
				if slices.Contains(replicas[1-i].fires(postedByAnother), f) && betweenRuns(f) {
					leader, survivor, fire = r, replicas[1-i], f
					return true
				}
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond)

	// The leader dies without a word; Redis restarts empty.
	leader.kill()
	redis.Stop()
	redis.Restart()

	// The survivor takes over; it too is stopped between two runs.
	require.Eventually(t, func() bool {
		fires := survivor.fires(postedByItself)
		return len(fires) > 0 && fires[len(fires)-1].After(fire) && betweenRuns(fires[len(fires)-1])
	}, 30*time.Second, 20*time.Millisecond, "the survivor posts the runs after the leader died")
	survivor.kill()

	byLeader, bySurvivor := leader.fires(postedByItself), survivor.fires(postedByItself)
	for _, f := range byLeader {
		assert.NotContains(t, bySurvivor, f, "both replicas posted the run of %s", f)
	}
	assert.Len(t, fake.Roots(channel), len(byLeader)+len(bySurvivor), "each run posted once")
}

// What a replica logs about a scheduled run it posted, or that another
// replica posted.
const (
	postedByItself  = "digest posted"
	postedByAnother = "digest posted by another replica"
)

// fires returns the fire times of the scheduled runs p logged msg about,
// in order.
func (p *botProcess) fires(msg string) []time.Time {
	re := regexp.MustCompile(`msg="` + regexp.QuoteMeta(msg) + `" [^\n]*\bfire=(\S+)`)
	var out []time.Time
	for _, m := range re.FindAllStringSubmatch(p.logs.String(), -1) {
		if f, err := time.Parse(time.RFC3339Nano, m[1]); err == nil {
			out = append(out, f)
		}
	}
	return out
}
