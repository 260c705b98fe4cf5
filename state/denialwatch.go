package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/redis/go-redis/v9"

	"github.com/caracal-bot/caracal-bot/denialwatch"
)

// DenialWatchFile is the file a FileDenialWatch keeps in its directory.
const DenialWatchFile = "denial-watch.json"

// FileDenialWatch is the denialwatch.Store of a bot without Redis: the
// watch's state in state_dir/denial-watch.json, rewritten atomically (a
// temporary file renamed over it) on every save, so that a restart with
// the same state_dir resumes the watch. Like the other files of state_dir
// it belongs to one process, so it does not fence: the lease tokens of a
// process without Redis start again at every start.
type FileDenialWatch struct{ path string }

// NewFileDenialWatch returns the store kept in dir/denial-watch.json
// (created, with dir, on the first save).
func NewFileDenialWatch(dir string) *FileDenialWatch {
	return &FileDenialWatch{path: filepath.Join(dir, DenialWatchFile)}
}

// Load implements denialwatch.Store: nil before the first save.
func (f *FileDenialWatch) Load(context.Context) ([]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: denial watch file: %w", err)
	}
	return data, nil
}

// Save implements denialwatch.Store.
func (f *FileDenialWatch) Save(_ context.Context, _ int64, state []byte) error {
	if err := writeAtomic(f.path, state); err != nil {
		return fmt.Errorf("state: denial watch file: %w", err)
	}
	return nil
}

// RedisDenialWatch is the denialwatch.Store of several replicas: the state
// and the fencing token it was saved under, in one Redis hash without
// expiry. A save under an older token than the hash's is refused.
type RedisDenialWatch struct {
	r    *Redis
	key  string
	save *redis.Script
}

// DenialWatch returns the denial watch's store in this Redis.
func (r *Redis) DenialWatch() *RedisDenialWatch {
	return &RedisDenialWatch{r: r, key: r.prefix + "denial-watch", save: redis.NewScript(fencedSaveScript)}
}

// fencedSaveScript saves a state unless a newer holder saved one. KEYS:
// the hash. ARGV: the fencing token, the state. Returns 1 when saved, 0
// when refused.
const fencedSaveScript = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')
if cur > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'state', ARGV[2])
return 1`

// Load implements denialwatch.Store.
func (s *RedisDenialWatch) Load(ctx context.Context) ([]byte, error) {
	data, err := s.r.c.HGet(ctx, s.key, "state").Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("state: redis denial watch: %w", err)
	}
	return data, nil
}

// Save implements denialwatch.Store.
func (s *RedisDenialWatch) Save(ctx context.Context, token int64, state []byte) error {
	saved, err := s.save.Run(ctx, s.r.c, []string{s.key}, token, state).Int()
	switch {
	case err != nil:
		return fmt.Errorf("state: redis denial watch: %w", err)
	case saved == 0:
		return denialwatch.ErrFenced
	}
	return nil
}
