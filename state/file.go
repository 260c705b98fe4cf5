package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// DedupFile is the file a FileDeduper keeps in its directory.
const DedupFile = "dedup.json"

// DefaultFileKeys bounds a FileDeduper (or a FileTicketStore) unless
// FileOptions say otherwise: far more deliveries than a chat workspace
// sends in the ten minutes a key is kept, in a file of under a megabyte
// (far more tickets than are filed in the 30 days a record is kept).
const DefaultFileKeys = 10_000

// FileOptions configure a FileDeduper or a FileTicketStore.
type FileOptions struct {
	// MaxKeys bounds the keys kept (<= 0: DefaultFileKeys); beyond it the
	// keys closest to expiry are dropped first.
	MaxKeys int
	// Now is the clock (default time.Now); tests inject one.
	Now    func() time.Time
	Logger *slog.Logger // optional
}

// withDefaults fills in the defaults of the options left zero.
func (o FileOptions) withDefaults() FileOptions {
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultFileKeys
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// FileDeduper is the bot.Deduper (and so the signedhttp.ReplayStore) of a
// bot without Redis whose memory must outlive a restart: the delivery keys
// and the signatures of handled requests, kept in memory and in a JSON file
// of SHA-256 digests (never a key itself) with their expiry. The file is
// rewritten atomically (a temporary file renamed over it) on every change,
// without the expired keys. It never stops the bot: a corrupt or unreadable
// file is logged and the memory starts empty, a failed write is logged and
// the memory then lasts as long as the process. Safe for concurrent use
// within one process; each process needs its own directory.
type FileDeduper struct {
	mu      sync.Mutex
	path    string
	expiry  map[string]time.Time // by key digest
	maxKeys int
	now     func() time.Time
	log     *slog.Logger
	failing bool // the last write failed
}

// NewFileDeduper returns the FileDeduper kept in dir/dedup.json, with the
// keys of the file that have not expired.
func NewFileDeduper(dir string, opts FileOptions) *FileDeduper {
	opts = opts.withDefaults()
	d := &FileDeduper{path: filepath.Join(dir, DedupFile), maxKeys: opts.MaxKeys, now: opts.Now, log: opts.Logger}
	d.expiry = d.load()
	d.prune(d.now())
	return d
}

// FirstSeen implements bot.Deduper.
func (d *FileDeduper) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	k := digest(key)
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if until, ok := d.expiry[k]; ok && now.Before(until) {
		return false, nil
	}
	d.expiry[k] = now.Add(ttl)
	d.save(now)
	return true, nil
}

// Forget implements bot.Deduper.
func (d *FileDeduper) Forget(_ context.Context, key string) error {
	k := digest(key)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.expiry[k]; ok {
		delete(d.expiry, k)
		d.save(d.now())
	}
	return nil
}

// digest is what the file holds of a key: signatures and delivery ids
// stay out of it, and every entry has the same size.
func digest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// load reads the file: unix milliseconds of expiry by key digest. A missing
// file is an empty memory; so is an unreadable or corrupt one, with a warning.
func (d *FileDeduper) load() map[string]time.Time {
	expiry := map[string]time.Time{}
	data, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return expiry
	}
	var raw map[string]int64
	if err == nil {
		err = json.Unmarshal(data, &raw)
	}
	if err != nil {
		d.log.Warn("state: de-duplication file unreadable; starting with an empty memory of handled requests",
			"file", d.path, "err", err)
		return expiry
	}
	for k, ms := range raw {
		expiry[k] = time.UnixMilli(ms)
	}
	return expiry
}

// prune drops the keys expired at now, then, over the bound, those closest
// to expiry.
func (d *FileDeduper) prune(now time.Time) {
	maps.DeleteFunc(d.expiry, func(_ string, until time.Time) bool { return !now.Before(until) })
	if over := len(d.expiry) - d.maxKeys; over > 0 {
		keys := slices.SortedFunc(maps.Keys(d.expiry), func(a, b string) int { return d.expiry[a].Compare(d.expiry[b]) })
		for _, k := range keys[:over] {
			delete(d.expiry, k)
		}
	}
}

// save prunes and writes the file. A failure is logged when writes start
// failing and when they work again, and never returned: the memory goes on.
func (d *FileDeduper) save(now time.Time) {
	d.prune(now)
	err := d.write()
	switch {
	case err != nil && !d.failing:
		d.log.Warn("state: de-duplication file not written; handled requests are remembered in memory only until it is",
			"file", d.path, "err", err)
	case err == nil && d.failing:
		d.log.Info("state: de-duplication file written again", "file", d.path)
	}
	d.failing = err != nil
}

// write replaces the file atomically with the current keys.
func (d *FileDeduper) write() error {
	raw := make(map[string]int64, len(d.expiry))
	for k, until := range d.expiry {
		raw[k] = until.UnixMilli()
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return writeAtomic(d.path, data)
}

// writeAtomic replaces the file at path with data: a temporary file of the
// same directory (created, with its parents, when missing) is written,
// synced and renamed over it, so a reader or a crash sees the old file or
// the new one, never a part.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if err := errors.Join(err, tmp.Close()); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}
