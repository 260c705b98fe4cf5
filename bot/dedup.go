package bot

import (
	"context"
	"sync"
	"time"
)

// Deduper remembers delivery keys for a while so repeated deliveries of the
// same event run once. The in-memory one serves a single replica; a shared
// backend (Redis) serves several.
type Deduper interface {
	// FirstSeen records key for ttl and reports whether it was new.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Forget drops key, so a delivery that could not be queued can come again.
	Forget(ctx context.Context, key string) error
}

// MemoryDeduper is a Deduper for one replica.
type MemoryDeduper struct {
	mu      sync.Mutex
	seen    map[string]time.Time
	now     func() time.Time
	inserts int
}

// NewMemoryDeduper returns an empty in-memory Deduper; now may be nil.
func NewMemoryDeduper(now func() time.Time) *MemoryDeduper {
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduper{seen: map[string]time.Time{}, now: now}
}

// FirstSeen implements Deduper.
func (m *MemoryDeduper) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if until, ok := m.seen[key]; ok && now.Before(until) {
		return false, nil
	}
	m.seen[key] = now.Add(ttl)
	m.inserts++
	if m.inserts%256 == 0 {
		for k, until := range m.seen {
			if !now.Before(until) {
				delete(m.seen, k)
			}
		}
	}
	return true, nil
}

// Forget implements Deduper.
func (m *MemoryDeduper) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, key)
	return nil
}
