package state_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// longValue is a button's value too long for a Discord custom_id: a
// 128-character request ID and its zone.
var longValue = "incident-2026-08-22:research-pipeline.batch_" + fmt.Sprintf("%084d", 7) + " --zone 019f1ce8-1680-793b-b480-86d4734b60a7"

// buttonStores are the three stores: the same contract runs against each.
func buttonStores(t *testing.T) map[string]platform.ButtonStore {
	srv := redistest.Start(t)
	r, err := state.NewRedis(srv.URL(), "test:"+t.Name()+":")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return map[string]platform.ButtonStore{
		"memory": platform.NewMemoryButtons(platform.MemoryOptions{}),
		"file":   state.NewFileButtons(t.TempDir(), platform.MemoryOptions{}, nil),
		"redis":  r.Buttons(),
	}
}

func TestButtonStoreContract(t *testing.T) {
	for name, store := range buttonStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			token, err := store.Put(ctx, longValue)
			require.NoError(t, err)
			assert.True(t, platform.IsButtonToken(token), "token %q", token)
			other, err := store.Put(ctx, longValue)
			require.NoError(t, err)
			assert.NotEqual(t, token, other, "every Put has its own token")

			got, found, err := store.Get(ctx, token)
			require.NoError(t, err)
			assert.True(t, found)
			assert.Equal(t, longValue, got)

			_, found, err = store.Get(ctx, platform.NewButtonToken())
			require.NoError(t, err)
			assert.False(t, found, "an unknown token is not found")
		})
	}
}

func TestButtonStoreConcurrentUse(t *testing.T) {
	for name, store := range buttonStores(t) {
		t.Run(name, func(t *testing.T) {
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					value := fmt.Sprint(longValue, i)
					token, err := store.Put(context.Background(), value)
					if !assert.NoError(t, err) {
						return
					}
					got, found, err := store.Get(context.Background(), token)
					assert.NoError(t, err)
					assert.True(t, found)
					assert.Equal(t, value, got)
				}()
			}
			wg.Wait()
		})
	}
}

// A value is kept for platform.ButtonTTL (30 days) in Redis.
func TestRedisButtonsExpireAfterTheTTL(t *testing.T) {
	srv := redistest.Start(t)
	r, err := state.NewRedis(srv.URL(), "test:buttons:")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	token, err := r.Buttons().Put(context.Background(), longValue)
	require.NoError(t, err)

	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	ttl, err := c.TTL(context.Background(), "test:buttons:button:"+token).Result()
	require.NoError(t, err)
	assert.InDelta(t, platform.ButtonTTL.Seconds(), ttl.Seconds(), 60)
}

// fileButtons opens the FileButtons of dir on clock, as a new process
// would, logging into logs when not nil.
func fileButtons(dir string, clock *bottest.Clock, logs *syncbuf.Buffer, max int) *state.FileButtons {
	var logger *slog.Logger
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	return state.NewFileButtons(dir, platform.MemoryOptions{Now: clock.Now, Max: max}, logger)
}

func get(t *testing.T, s platform.ButtonStore, token string) (string, bool) {
	t.Helper()
	v, found, err := s.Get(context.Background(), token)
	require.NoError(t, err)
	return v, found
}

func TestFileButtonsSurviveARestartUntilTheyExpire(t *testing.T) {
	dir := t.TempDir()
	clock := bottest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	token, err := fileButtons(dir, clock, nil, 0).Put(context.Background(), longValue)
	require.NoError(t, err)

	clock.Add(platform.ButtonTTL - time.Minute)
	restarted := fileButtons(dir, clock, nil, 0)
	v, found := get(t, restarted, token)
	assert.True(t, found, "kept across a restart")
	assert.Equal(t, longValue, v)

	clock.Add(time.Minute)
	_, found = get(t, restarted, token)
	assert.False(t, found, "expired after the TTL")
	_, found = get(t, fileButtons(dir, clock, nil, 0), token)
	assert.False(t, found, "an expired value is not loaded again")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")
	assert.Equal(t, state.ButtonsFile, entries[0].Name())
}

func TestFileButtonsAreBounded(t *testing.T) {
	dir := t.TempDir()
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	s := fileButtons(dir, clock, nil, 3)
	var tokens []string
	for i := range 5 {
		token, err := s.Put(context.Background(), fmt.Sprint("v", i))
		require.NoError(t, err)
		tokens = append(tokens, token)
		clock.Add(time.Second)
	}
	restarted := fileButtons(dir, clock, nil, 3)
	for i, token := range tokens {
		_, found := get(t, restarted, token)
		assert.Equal(t, i >= 2, found, "v%d: the oldest go first", i)
	}
}

func TestFileButtonsCorruptFileStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, state.ButtonsFile), []byte(`{"ABC":`), 0o600))
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	var logs syncbuf.Buffer
	s := fileButtons(dir, clock, &logs, 0)
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "buttons file unreadable")

	token, err := s.Put(context.Background(), longValue)
	require.NoError(t, err)
	_, found := get(t, fileButtons(dir, clock, nil, 0), token)
	assert.True(t, found, "the next write replaced the corrupt file")
}

// A file that cannot be written (a directory in its place) never stops
// the bot: new buttons work for the life of the process.
func TestFileButtonsUnusableFileKeepsMemory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, state.ButtonsFile), 0o700))
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	var logs syncbuf.Buffer
	s := fileButtons(dir, clock, &logs, 0)
	for range 2 {
		token, err := s.Put(context.Background(), longValue)
		require.NoError(t, err)
		_, found := get(t, s, token)
		assert.True(t, found)
	}
	assert.Contains(t, logs.String(), "buttons file not written")
	assert.Equal(t, 1, strings.Count(logs.String(), "buttons file not written"), "logged once, not per button")
}
