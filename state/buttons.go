package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caracal-bot/caracal-bot/bot/platform"
)

// ButtonsFile is the file a FileButtons keeps in its directory.
const ButtonsFile = "buttons.json"

// FileButtons is the platform.ButtonStore of a bot without Redis whose
// buttons must outlive a restart: a platform.MemoryButtons whose values
// (by token, with their expiry) are also kept in a JSON file, rewritten
// atomically without the expired ones on every Put. Like FileDeduper it
// never stops the bot: a corrupt or unreadable file is logged and the
// store starts empty, a failed write is logged and the values then last as
// long as the process. Each process needs its own directory.
type FileButtons struct {
	*platform.MemoryButtons
}

// NewFileButtons returns the FileButtons kept in dir/buttons.json, with
// the values of the file that have not expired. opts.Entries and
// opts.Saved are the file's.
func NewFileButtons(dir string, opts platform.MemoryOptions, logger *slog.Logger) *FileButtons {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f := &buttonsFile{path: filepath.Join(dir, ButtonsFile), log: logger}
	opts.Entries, opts.Saved = f.load(), f.save
	return &FileButtons{MemoryButtons: platform.NewMemoryButtons(opts)}
}

// buttonsFile reads and writes the file of a FileButtons; its store's lock
// serialises the writes.
type buttonsFile struct {
	path    string
	log     *slog.Logger
	failing bool // the last write failed
}

// load reads the file; a missing one is empty, so is an unreadable or
// corrupt one, with a warning.
func (f *buttonsFile) load() map[string]platform.ButtonEntry {
	entries := map[string]platform.ButtonEntry{}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return entries
	}
	if err == nil {
		err = json.Unmarshal(data, &entries)
	}
	if err != nil {
		f.log.Warn("state: buttons file unreadable; the buttons of earlier answers will say they expired",
			"file", f.path, "err", err)
		return map[string]platform.ButtonEntry{}
	}
	return entries
}

// save writes the entries. A failure is logged when writes start failing
// and when they work again.
func (f *buttonsFile) save(entries map[string]platform.ButtonEntry) {
	data, err := json.Marshal(entries)
	if err == nil {
		err = writeAtomic(f.path, data)
	}
	switch {
	case err != nil && !f.failing:
		f.log.Warn("state: buttons file not written; new buttons work until the bot restarts", "file", f.path, "err", err)
	case err == nil && f.failing:
		f.log.Info("state: buttons file written again", "file", f.path)
	}
	f.failing = err != nil
}

// RedisButtons is the platform.ButtonStore of several replicas: each value
// under its token in Redis for platform.ButtonTTL, so the replica that
// receives the click finds it whichever one drew the button.
type RedisButtons struct {
	r   *Redis
	ttl time.Duration
}

// Buttons returns the button store in this Redis.
func (r *Redis) Buttons() *RedisButtons { return &RedisButtons{r: r, ttl: platform.ButtonTTL} }

// Put implements platform.ButtonStore.
func (b *RedisButtons) Put(ctx context.Context, value string) (string, error) {
	token := platform.NewButtonToken()
	if err := b.r.c.Set(ctx, b.r.prefix+"button:"+token, value, b.ttl).Err(); err != nil {
		return "", fmt.Errorf("state: redis button: %w", err)
	}
	return token, nil
}

// Get implements platform.ButtonStore.
func (b *RedisButtons) Get(ctx context.Context, token string) (string, bool, error) {
	v, err := b.r.c.Get(ctx, b.r.prefix+"button:"+token).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("state: redis button: %w", err)
	}
	return v, true, nil
}
