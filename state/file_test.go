package state_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/state"
)

// fileStore opens the FileDeduper of dir on clock, as a new process would,
// logging into logs when not nil.
func fileStore(dir string, clock *bottest.Clock, logs *syncbuf.Buffer, maxKeys int) *state.FileDeduper {
	opts := state.FileOptions{Now: clock.Now, MaxKeys: maxKeys}
	if logs != nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	return state.NewFileDeduper(dir, opts)
}

func firstSeen(t *testing.T, d *state.FileDeduper, key string, ttl time.Duration) bool {
	t.Helper()
	first, err := d.FirstSeen(context.Background(), key, ttl)
	require.NoError(t, err)
	return first
}

func TestFileDeduperSurvivesARestartUntilKeysExpire(t *testing.T) {
	dir := t.TempDir()
	clock := bottest.NewClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	d := fileStore(dir, clock, nil, 0)
	assert.True(t, firstSeen(t, d, "slack:sig:v0=abc", 5*time.Minute))
	assert.False(t, firstSeen(t, d, "slack:sig:v0=abc", 5*time.Minute))
	assert.True(t, firstSeen(t, d, "slack:cmd:T1", time.Minute))

	restarted := fileStore(dir, clock, nil, 0)
	assert.False(t, firstSeen(t, restarted, "slack:sig:v0=abc", 5*time.Minute), "remembered across a restart")
	assert.False(t, firstSeen(t, restarted, "slack:cmd:T1", time.Minute))

	clock.Add(time.Minute)
	restarted = fileStore(dir, clock, nil, 0)
	assert.True(t, firstSeen(t, restarted, "slack:cmd:T1", time.Minute), "an expired key is new again")
	assert.False(t, firstSeen(t, restarted, "slack:sig:v0=abc", 5*time.Minute), "the other is not expired yet")

	clock.Add(5 * time.Minute)
	assert.True(t, firstSeen(t, restarted, "slack:sig:v0=abc", 5*time.Minute), "expired in memory too")

	raw, err := os.ReadFile(filepath.Join(dir, state.DedupFile))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "v0=abc", "the file holds digests, not signatures")
	assert.NotContains(t, string(raw), "T1")
}

func TestFileDeduperForgetIsKept(t *testing.T) {
	dir := t.TempDir()
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	d := fileStore(dir, clock, nil, 0)
	assert.True(t, firstSeen(t, d, "discord:interaction:I1", time.Minute))
	require.NoError(t, d.Forget(context.Background(), "discord:interaction:I1"))
	require.NoError(t, d.Forget(context.Background(), "never-seen"))
	assert.True(t, firstSeen(t, fileStore(dir, clock, nil, 0), "discord:interaction:I1", time.Minute),
		"a forgotten key may come again after a restart")
}

func TestFileDeduperIsBounded(t *testing.T) {
	dir := t.TempDir()
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	d := fileStore(dir, clock, nil, 3)
	for i := range 5 {
		assert.True(t, firstSeen(t, d, fmt.Sprint("k", i), time.Duration(i+1)*time.Minute))
	}
	restarted := fileStore(dir, clock, nil, 3)
	// Kept keys first: asking for a dropped key records it again.
	for _, i := range []int{4, 3, 2} {
		assert.False(t, firstSeen(t, restarted, fmt.Sprint("k", i), time.Hour), "k%d is kept", i)
	}
	for _, i := range []int{0, 1} {
		assert.True(t, firstSeen(t, restarted, fmt.Sprint("k", i), time.Hour), "k%d, closest to expiry, went first", i)
	}
	info, err := os.Stat(filepath.Join(dir, state.DedupFile))
	require.NoError(t, err)
	assert.Less(t, info.Size(), int64(3*100), "three entries of a digest and a time")
}

func TestFileDeduperCorruptFileStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, state.DedupFile)
	require.NoError(t, os.WriteFile(path, []byte(`{"truncated":`), 0o600))
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	var logs syncbuf.Buffer
	d := fileStore(dir, clock, &logs, 0)
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "de-duplication file unreadable")

	assert.True(t, firstSeen(t, d, "k", time.Minute))
	assert.False(t, firstSeen(t, fileStore(dir, clock, nil, 0), "k", time.Minute), "the next write replaced the corrupt file")
}

// An unreadable and unwritable file (here a directory in its place) never
// stops the bot: the memory works for the life of the process.
func TestFileDeduperUnusableFileKeepsMemory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, state.DedupFile), 0o700))
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	var logs syncbuf.Buffer
	d := fileStore(dir, clock, &logs, 0)
	assert.Contains(t, logs.String(), "de-duplication file unreadable")

	assert.True(t, firstSeen(t, d, "a", time.Minute))
	assert.False(t, firstSeen(t, d, "a", time.Minute))
	assert.True(t, firstSeen(t, d, "b", time.Minute))
	assert.Equal(t, 1, strings.Count(logs.String(), "de-duplication file not written"), "logged once, not per request")
}

func TestFileDeduperConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	d := fileStore(dir, clock, nil, 0)
	var winners [4]atomic.Int32
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprint("event:E", i%4)
			if first, err := d.FirstSeen(context.Background(), key, time.Minute); err == nil && first {
				winners[i%4].Add(1)
			}
			if i%8 == 0 {
				_ = d.Forget(context.Background(), "unrelated")
			}
		}()
	}
	wg.Wait()
	restarted := fileStore(dir, clock, nil, 0)
	for i := range winners {
		assert.Equal(t, int32(1), winners[i].Load(), "E%d runs once", i)
		assert.False(t, firstSeen(t, restarted, fmt.Sprint("event:E", i), time.Minute), "E%d is in the file", i)
	}
}
