package state_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// TestRedisOutageDegradesAndRecovers kills Redis mid-run: de-duplication
// goes on locally, readiness says so, and both come back with Redis.
func TestRedisOutageDegradesAndRecovers(t *testing.T) {
	srv := redistest.Start(t)
	r, err := state.NewRedis(srv.URL(), "outage:")
	require.NoError(t, err)
	defer r.Close()
	d := state.NewDegrading(r, bot.NewMemoryDeduper(nil), nil)
	// d's clock stands still unless the test moves it on.
	start := time.Now()
	var elapsed atomic.Int64
	state.SetClock(d, func() time.Time { return start.Add(time.Duration(elapsed.Load())) })
	ctx := context.Background()

	first, err := d.FirstSeen(ctx, "before", time.Minute)
	require.NoError(t, err)
	assert.True(t, first)
	require.NoError(t, d.Ready(ctx))

	srv.Stop()
	dup, err := d.FirstSeen(ctx, "before", time.Minute)
	require.NoError(t, err, "the bot keeps answering")
	assert.False(t, dup, "a key seen before the outage is still caught locally")
	during, _ := d.FirstSeen(ctx, "during", time.Minute)
	assert.True(t, during)
	assert.ErrorContains(t, d.Ready(ctx), "local to this replica")

	srv.Restart()
	// Redis is not asked again before the retry interval has passed.
	_, _ = d.FirstSeen(ctx, "probe", time.Minute)
	assert.Error(t, d.Ready(ctx), "still local: the retry interval has not passed")
	require.Eventually(t, func() bool {
		elapsed.Add(int64(state.SharedRetryInterval))
		_, _ = d.FirstSeen(ctx, "probe-"+time.Now().String(), time.Minute)
		return d.Ready(ctx) == nil
	}, 10*time.Second, 50*time.Millisecond, "shared de-duplication resumes with Redis")
	again, _ := d.FirstSeen(ctx, "after", time.Minute)
	assert.True(t, again)
	dupAfter, _ := d.FirstSeen(ctx, "after", time.Minute)
	assert.False(t, dupAfter)
}
