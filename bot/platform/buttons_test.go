package platform_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
)

func TestButtonTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		token := platform.NewButtonToken()
		require.True(t, platform.IsButtonToken(token), token)
		require.False(t, seen[token], "tokens repeat")
		seen[token] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("A", 25), strings.Repeat("A", 27), strings.Repeat("a", 26),
		strings.Repeat("A", 25) + "1", strings.Repeat("A", 25) + "|", strings.Repeat("A", 24) + "é"} {
		assert.False(t, platform.IsButtonToken(bad), "%q", bad)
	}
}

func TestMemoryButtonsExpireAndAreBounded(t *testing.T) {
	ctx := context.Background()
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	var saved []int
	m := platform.NewMemoryButtons(platform.MemoryOptions{Now: clock.Now, Max: 2, TTL: time.Hour,
		Saved: func(e map[string]platform.ButtonEntry) { saved = append(saved, len(e)) }})
	var tokens []string
	for i := range 3 {
		token, err := m.Put(ctx, fmt.Sprint("v", i))
		require.NoError(t, err)
		tokens = append(tokens, token)
		clock.Add(time.Minute)
	}
	assert.Equal(t, []int{1, 2, 2}, saved, "Saved sees the entries after each Put, bounded")
	_, found, _ := m.Get(ctx, tokens[0])
	assert.False(t, found, "the oldest went first")
	v, found, _ := m.Get(ctx, tokens[2])
	assert.True(t, found)
	assert.Equal(t, "v2", v)

	clock.Add(time.Hour - 2*time.Minute)
	_, found, _ = m.Get(ctx, tokens[1])
	assert.False(t, found, "expired after its TTL")
	_, found, _ = m.Get(ctx, tokens[2])
	assert.True(t, found)
}

func TestMemoryButtonsStartWithTheEntriesNotExpired(t *testing.T) {
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	m := platform.NewMemoryButtons(platform.MemoryOptions{Now: clock.Now, Entries: map[string]platform.ButtonEntry{
		"LIVE": {Value: "a", Expires: clock.Now().Add(time.Minute)},
		"GONE": {Value: "b", Expires: clock.Now()},
	}})
	v, found, _ := m.Get(context.Background(), "LIVE")
	assert.True(t, found)
	assert.Equal(t, "a", v)
	_, found, _ = m.Get(context.Background(), "GONE")
	assert.False(t, found)
}
