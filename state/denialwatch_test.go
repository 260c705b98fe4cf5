package state_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/state"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

func TestDenialWatchStores(t *testing.T) {
	srv := redistest.Start(t)
	r, err := state.NewRedis(srv.URL(), "test:"+t.Name()+":")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	dir := filepath.Join(t.TempDir(), "state")
	for _, tc := range []struct {
		name  string
		store denialwatch.Store
	}{{"memory", &denialwatch.MemoryStore{}}, {"file", state.NewFileDenialWatch(dir)}, {"redis", r.DenialWatch()}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			got, err := tc.store.Load(ctx)
			require.NoError(t, err)
			assert.Nil(t, got, "nothing saved yet")
			require.NoError(t, tc.store.Save(ctx, 3, []byte(`{"version":1}`)))
			require.NoError(t, tc.store.Save(ctx, 3, []byte(`{"version":1,"zones":{}}`)), "the same holding saves again")
			got, err = tc.store.Load(ctx)
			require.NoError(t, err)
			assert.JSONEq(t, `{"version":1,"zones":{}}`, string(got))
		})
	}
}

func TestRedisDenialWatchFences(t *testing.T) {
	srv := redistest.Start(t)
	r, err := state.NewRedis(srv.URL(), "")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	ctx := context.Background()
	store := r.DenialWatch()
	require.NoError(t, store.Save(ctx, 7, []byte("new leader")))
	assert.ErrorIs(t, store.Save(ctx, 6, []byte("deposed leader")), denialwatch.ErrFenced)
	got, err := store.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "new leader", string(got))

	srv.Stop()
	_, err = store.Load(ctx)
	assert.ErrorContains(t, err, "state: redis denial watch")
	assert.NotErrorIs(t, store.Save(ctx, 8, []byte("x")), denialwatch.ErrFenced, "an outage is not a refusal")
}

func TestFileDenialWatchSurvivesARestartAndSaysWhyItCannotRead(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	require.NoError(t, state.NewFileDenialWatch(dir).Save(ctx, 1, []byte(`{"version":1}`)))
	got, err := state.NewFileDenialWatch(dir).Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, `{"version":1}`, string(got), "a new process reads what the last one saved")
	require.NoError(t, state.NewFileDenialWatch(dir).Save(ctx, 1, []byte(`{"version":1,"zones":{}}`)), "tokens start again after a restart: no fencing")

	require.NoError(t, os.Chmod(filepath.Join(dir, state.DenialWatchFile), 0))
	if os.Getuid() != 0 {
		_, err = state.NewFileDenialWatch(dir).Load(ctx)
		assert.ErrorContains(t, err, "state: denial watch file")
	}
}
