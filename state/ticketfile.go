package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// TicketsDir is the directory a FileTicketStore keeps in state_dir.
const TicketsDir = "tickets"

// FileTicketStore is the tickets.Store of a bot without Redis: the ticket
// of each idempotency key in a JSON file of its own, named by the key's
// SHA-256, so that it outlives restarts and is shared by every process
// that uses the directory (serve and command-line runs, at the same time
// too). A record is written atomically (a temporary file renamed over it)
// and kept 30 days; beyond MaxKeys records the oldest are dropped.
//
// Lock is a lock file per key created with O_EXCL, holding its token and
// expiry: a holder that died leaves it to expire. Two processes that find
// the same expired lock at the same instant may both take it over; the
// ticket system's lookup (tickets.Finder) still finds the first ticket.
//
// It never stops the bot: a corrupt or unreadable record is logged and read
// as none, a lock file that cannot be created falls back to a lock within
// the process; only a record that cannot be written is an error.
type FileTicketStore struct {
	dir     string
	maxKeys int
	now     func() time.Time
	log     *slog.Logger
	local   *tickets.MemoryStore // locks when lock files cannot be made
	pruneMu sync.Mutex
}

// NewFileTicketStore returns the FileTicketStore kept in dir (created when
// a record is first written).
func NewFileTicketStore(dir string, opts FileOptions) *FileTicketStore {
	opts = opts.withDefaults()
	s := &FileTicketStore{dir: dir, maxKeys: opts.MaxKeys, now: opts.Now, log: opts.Logger}
	s.local = tickets.NewMemoryStore(s.now)
	return s
}

// Get implements tickets.Store.
func (s *FileTicketStore) Get(_ context.Context, key string) (tickets.Record, bool, error) {
	p := s.path(key, ".json")
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return tickets.Record{}, false, nil
	}
	var rec tickets.Record
	if err == nil {
		err = json.Unmarshal(data, &rec)
	}
	if err != nil {
		s.log.Warn("state: ticket record unreadable; the ticket system is asked instead", "file", p, "err", err)
		return tickets.Record{}, false, nil
	}
	if info, err := os.Stat(p); err == nil && s.expired(info) {
		return tickets.Record{}, false, nil
	}
	return rec, true, nil
}

// Put implements tickets.Store.
func (s *FileTicketStore) Put(_ context.Context, key string, rec tickets.Record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := writeAtomic(s.path(key, ".json"), data); err != nil {
		return err
	}
	s.prune()
	return nil
}

// lockFile is what a lock file holds.
type lockFile struct {
	Token string `json:"token"`
	Until int64  `json:"until_unix_ms"`
}

// Lock implements tickets.Store.
func (s *FileTicketStore) Lock(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	p := s.path(key, ".lock")
	for attempt := 0; ; attempt++ {
		err := s.createLock(p, lockFile{Token: token, Until: s.now().Add(ttl).UnixMilli()})
		switch {
		case err == nil:
			var once sync.Once
			return func() { once.Do(func() { s.unlock(p, token) }) }, true, nil
		case !errors.Is(err, fs.ErrExist):
			s.log.Warn("state: ticket lock file not created; locking within this process only", "file", p, "err", err)
			return s.local.Lock(ctx, key, ttl)
		case attempt > 0 || !s.lockExpired(p, ttl):
			return nil, false, nil
		}
		_ = os.Remove(p) // its holder is gone: take it over, once
	}
}

// createLock creates the lock file p, failing with fs.ErrExist when it is there.
func (s *FileTicketStore) createLock(p string, l lockFile) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(l)
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

// lockExpired reports whether the lock file p is past its expiry; one that
// cannot be read (its holder may be writing it) is past it once it is older
// than ttl.
func (s *FileTicketStore) lockExpired(p string, ttl time.Duration) bool {
	var l lockFile
	data, err := os.ReadFile(p)
	if err == nil && json.Unmarshal(data, &l) == nil && l.Until > 0 {
		return s.now().UnixMilli() >= l.Until
	}
	info, err := os.Stat(p)
	return err == nil && s.now().Sub(info.ModTime()) >= ttl
}

// unlock removes the lock file p if it still holds token.
func (s *FileTicketStore) unlock(p, token string) {
	var l lockFile
	if data, err := os.ReadFile(p); err == nil && json.Unmarshal(data, &l) == nil && l.Token == token {
		_ = os.Remove(p)
	}
}

func (s *FileTicketStore) path(key, ext string) string { return filepath.Join(s.dir, digest(key)+ext) }

func (s *FileTicketStore) expired(info fs.FileInfo) bool {
	return s.now().Sub(info.ModTime()) >= ticketRecordTTL
}

// prune drops the expired records (and lock files as old), then, over the
// bound, the oldest records. A failure is logged: the directory then only
// grows.
func (s *FileTicketStore) prune() {
	s.pruneMu.Lock()
	defer s.pruneMu.Unlock()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		s.log.Warn("state: ticket records not pruned", "dir", s.dir, "err", err)
		return
	}
	type entry struct {
		name string
		mod  time.Time
	}
	var live []entry
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		record, lock := strings.HasSuffix(e.Name(), ".json"), strings.HasSuffix(e.Name(), ".lock")
		if (record || lock) && s.expired(info) { // a lock this old was left by a holder that died
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
			continue
		}
		if !record {
			continue
		}
		live = append(live, entry{e.Name(), info.ModTime()})
	}
	if over := len(live) - s.maxKeys; over > 0 {
		slices.SortFunc(live, func(a, b entry) int { return a.mod.Compare(b.mod) })
		for _, r := range live[:over] {
			_ = os.Remove(filepath.Join(s.dir, r.name))
		}
	}
}
