package tickets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/internal/clock"
)

// Spool limits.
const (
	maxKeptBundles = 100
	spoolFileMode  = 0o600
	spoolDirMode   = 0o700
)

// DeliverFunc delivers one spooled item, returning its ticket.
type DeliverFunc func(ctx context.Context, it Item) (Ref, error)

// Spool is a directory of tickets that could not be delivered: per item a
// JSON file (the ticket request) and a zip (the bundle), named by a hash of
// the idempotency key, so a repeated click replaces its item. Items are
// retried by RetrySpooled (and Run), deleted once delivered, kept otherwise.
// It also keeps copies of bundles filed to systems without attachments
// (Keep), under kept/.
type Spool struct {
	dir     string
	deliver DeliverFunc
	log     *slog.Logger
	now     func() time.Time
	pass    sync.Mutex // one retry pass at a time
}

// Item is one spooled ticket request.
type Item struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	System    string `json:"system"`
	Zone      string `json:"zone,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Ticket is the request; its Attachment lives in the item's zip.
	Ticket         Ticket    `json:"ticket"`
	AttachmentName string    `json:"attachment_name,omitempty"`
	AttachmentType string    `json:"attachment_content_type,omitempty"`
	DiagnosisHash  string    `json:"diagnosis_hash"`
	Attempts       int       `json:"attempts"`
	LastError      string    `json:"last_error,omitempty"`
	SpooledAt      time.Time `json:"spooled_at"`
	LastTriedAt    time.Time `json:"last_tried_at"`
}

// NewSpool opens (creating) the spool directory dir. deliver is what
// RetrySpooled calls per item; log and now may be nil.
func NewSpool(dir string, deliver DeliverFunc, log *slog.Logger, now func() time.Time) (*Spool, error) {
	if dir == "" {
		return nil, errors.New("tickets: spool directory is empty")
	}
	if err := os.MkdirAll(dir, spoolDirMode); err != nil {
		return nil, fmt.Errorf("tickets: spool: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Spool{dir: dir, deliver: deliver, log: log, now: now}, nil
}

// Dir returns the spool directory.
func (s *Spool) Dir() string { return s.dir }

// ItemID is the file stem of key's item.
func ItemID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// Save writes (or replaces) the item of it.Key: the zip first, then the
// JSON that makes it visible. It returns the JSON file's path.
func (s *Spool) Save(it Item) (string, error) {
	it.ID = ItemID(it.Key)
	if prev, err := s.Load(it.ID); err == nil {
		it.SpooledAt, it.Attempts = prev.SpooledAt, prev.Attempts+it.Attempts
	}
	if it.SpooledAt.IsZero() {
		it.SpooledAt = s.now()
	}
	if a := it.Ticket.Attachment; a != nil {
		it.AttachmentName, it.AttachmentType = a.Name, contentType(a)
		if err := writeFileAtomic(s.path(it.ID, ".zip"), a.Data); err != nil {
			return "", err
		}
	}
	return s.path(it.ID, ".json"), s.writeItem(it)
}

func (s *Spool) writeItem(it Item) error {
	it.Ticket.Attachment = nil
	data, err := json.MarshalIndent(it, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path(it.ID, ".json"), data)
}

// Load reads one item with its attachment.
func (s *Spool) Load(id string) (Item, error) {
	var it Item
	data, err := os.ReadFile(s.path(id, ".json"))
	if err != nil {
		return it, err
	}
	if err := json.Unmarshal(data, &it); err != nil {
		return it, fmt.Errorf("tickets: spool item %s: %w", id, err)
	}
	it.ID = id
	if it.Ticket.Body.Empty() {
		it.Ticket.Body, it.Ticket.DiagnosisHash = legacyBody(data), it.DiagnosisHash
	}
	if it.AttachmentName != "" {
		zip, err := os.ReadFile(s.path(id, ".zip"))
		if err != nil {
			return it, fmt.Errorf("tickets: spool item %s: bundle: %w", id, err)
		}
		it.Ticket.Attachment = &Attachment{Name: it.AttachmentName, ContentType: it.AttachmentType, Data: zip}
	}
	return it, nil
}

// legacyBody is the body of an item spooled by a version that kept the
// ticket as escaped markdown ("markdown"): its lines as literal paragraphs.
func legacyBody(data []byte) Doc {
	var old struct {
		Ticket struct {
			Markdown string `json:"markdown"`
		} `json:"ticket"`
	}
	_ = json.Unmarshal(data, &old)
	var d Doc
	for l := range strings.Lines(old.Ticket.Markdown) {
		if l = strings.TrimSpace(l); l != "" {
			d.Paragraph(Text(l))
		}
	}
	return d
}

// Has reports whether key has a spooled item.
func (s *Spool) Has(key string) bool {
	_, err := os.Stat(s.path(ItemID(key), ".json"))
	return err == nil
}

// Items lists the spooled items (with attachments), oldest first. Items
// that cannot be read are skipped and logged.
func (s *Spool) Items() ([]Item, error) {
	names, err := filepath.Glob(filepath.Join(s.dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, n := range names {
		it, err := s.Load(strings.TrimSuffix(filepath.Base(n), ".json"))
		if err != nil {
			s.log.Warn("unreadable spooled ticket", "file", n, "err", err)
			continue
		}
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].SpooledAt.Before(items[j].SpooledAt) })
	return items, nil
}

// Remove deletes key's item.
func (s *Spool) Remove(key string) error {
	id := ItemID(key)
	err := os.Remove(s.path(id, ".json"))
	if zerr := os.Remove(s.path(id, ".zip")); zerr != nil && !errors.Is(zerr, fs.ErrNotExist) {
		err = errors.Join(err, zerr)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// RetryReport says what a retry pass did.
type RetryReport struct {
	Delivered []Delivered
	Failed    []Failed
}

// Delivered is a spooled item that reached its ticket system.
type Delivered struct {
	Item Item
	Ref  Ref
}

// Failed is a spooled item that is still spooled.
type Failed struct {
	Item Item
	Err  error
}

// RetrySpooled tries every spooled item once: delivered items are deleted,
// the others kept with their attempt count and last error.
func (s *Spool) RetrySpooled(ctx context.Context) (RetryReport, error) {
	s.pass.Lock()
	defer s.pass.Unlock()
	var rep RetryReport
	items, err := s.Items()
	if err != nil {
		return rep, err
	}
	for _, it := range items {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		ref, err := s.deliver(ctx, it)
		if err == nil {
			if rerr := s.Remove(it.Key); rerr != nil {
				s.log.Warn("cannot remove delivered spooled ticket", "id", it.ID, "err", rerr)
			}
			rep.Delivered = append(rep.Delivered, Delivered{Item: it, Ref: ref})
			continue
		}
		it.Attempts++
		it.LastError, it.LastTriedAt = err.Error(), s.now()
		if werr := s.writeItem(it); werr != nil {
			s.log.Warn("cannot update spooled ticket", "id", it.ID, "err", werr)
		}
		rep.Failed = append(rep.Failed, Failed{Item: it, Err: err})
	}
	return rep, nil
}

// Run retries the spool every interval until ctx ends, backing off (up to
// 16 intervals) while items keep failing.
func (s *Spool) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Minute
	}
	wait := interval
	for {
		if clock.Sleep(ctx, wait) != nil {
			return
		}
		rep, err := s.RetrySpooled(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("ticket spool retry failed", "err", err)
		}
		for _, d := range rep.Delivered {
			s.log.Info("spooled ticket delivered", "system", d.Ref.System, "ticket", d.Ref.ID, "url", d.Ref.URL)
		}
		wait = interval
		if len(rep.Failed) > 0 {
			s.log.Warn("spooled tickets still undelivered", "count", len(rep.Failed), "err", rep.Failed[0].Err)
			wait = min(2*wait, 16*interval)
		}
	}
}

// Keep stores a copy of a bundle under kept/ (the newest 100 are kept) and
// returns its path.
func (s *Spool) Keep(name string, data []byte) (string, error) {
	dir := filepath.Join(s.dir, "kept")
	if err := os.MkdirAll(dir, spoolDirMode); err != nil {
		return "", err
	}
	p := filepath.Join(dir, safeFileName(name))
	if err := writeFileAtomic(p, data); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(dir)
	if err == nil && len(entries) > maxKeptBundles {
		sort.Slice(entries, func(i, j int) bool { return modTime(entries[i]).Before(modTime(entries[j])) })
		for _, e := range entries[:len(entries)-maxKeptBundles] {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	return p, nil
}

func modTime(e fs.DirEntry) time.Time {
	if info, err := e.Info(); err == nil {
		return info.ModTime()
	}
	return time.Time{}
}

func (s *Spool) path(id, ext string) string { return filepath.Join(s.dir, id+ext) }

// writeFileAtomic writes data to a temporary file and renames it into place.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(spoolFileMode), f.Close())
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
