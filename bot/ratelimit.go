package bot

import (
	"context"
	"sync"
	"time"
)

// RateLimiter counts requests per key in fixed windows. The in-memory one
// serves a single replica; a shared backend (Redis) serves several.
type RateLimiter interface {
	// Allow counts one request for key and reports whether it is within
	// limit requests per window.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
}

// MemoryRateLimiter is a RateLimiter for one replica.
type MemoryRateLimiter struct {
	mu      sync.Mutex
	windows map[string]rateWindow
	now     func() time.Time
}

type rateWindow struct {
	start time.Time
	count int
}

// NewMemoryRateLimiter returns an empty limiter; now may be nil.
func NewMemoryRateLimiter(now func() time.Time) *MemoryRateLimiter {
	if now == nil {
		now = time.Now
	}
	return &MemoryRateLimiter{windows: map[string]rateWindow{}, now: now}
}

// Allow implements RateLimiter.
func (m *MemoryRateLimiter) Allow(_ context.Context, key string, limit int, window time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	w := m.windows[key]
	if now.Sub(w.start) >= window {
		w = rateWindow{start: now}
		if len(m.windows) > 4096 {
			for k, old := range m.windows {
				if now.Sub(old.start) >= window {
					delete(m.windows, k)
				}
			}
		}
	}
	w.count++
	m.windows[key] = w
	return w.count <= limit, nil
}
