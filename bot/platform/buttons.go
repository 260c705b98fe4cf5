package platform

import (
	"context"
	"crypto/rand"
	"maps"
	"slices"
	"sync"
	"time"
)

// ButtonTTL is how long a ButtonStore keeps a button's value: a button
// older than that answers that it has expired.
const ButtonTTL = 30 * 24 * time.Hour

// DefaultMaxButtons bounds the values a store in memory (or in a file)
// keeps unless told otherwise: beyond it, those closest to expiry go first.
const DefaultMaxButtons = 10_000

// ButtonStore keeps the values of buttons too long for what the platform
// lets a button carry (Discord's custom_id holds 100 characters, a
// diagnosis's value "<128-character request ID> --zone <zone>" more),
// under a short random token the button carries instead, for ButtonTTL.
// Any replica that receives the click must find the value: the composition
// root shares one in Redis between replicas, keeps one in a file of
// state_dir across restarts, or in memory (MemoryButtons).
type ButtonStore interface {
	// Put keeps value and returns its token (see NewButtonToken).
	Put(ctx context.Context, value string) (token string, err error)
	// Get returns the value kept under token; found is false for a token
	// unknown or expired.
	Get(ctx context.Context, token string) (value string, found bool, err error)
}

// ButtonTokenLen is the length of a token made by NewButtonToken.
const ButtonTokenLen = 26

// NewButtonToken returns a new token for a ButtonStore: 128 random bits
// in 26 characters of base32 (A-Z, 2-7), which cannot be guessed or
// enumerated.
func NewButtonToken() string { return rand.Text() }

// IsButtonToken reports whether s has the form of a NewButtonToken token,
// so that a store is never asked for anything else.
func IsButtonToken(s string) bool {
	if len(s) != ButtonTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// ButtonEntry is a value a store keeps and when it expires.
type ButtonEntry struct {
	Value   string    `json:"value"`
	Expires time.Time `json:"expires"`
}

// MemoryOptions configure a MemoryButtons. Every field is optional.
type MemoryOptions struct {
	// Max bounds the values kept (<= 0: DefaultMaxButtons).
	Max int
	// TTL is how long a value is kept (<= 0: ButtonTTL).
	TTL time.Duration
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
	// Entries are kept from the start, by token (a file's, after a restart).
	Entries map[string]ButtonEntry
	// Saved, when set, is called after every Put, under the store's lock,
	// with the entries left once expired and surplus ones were dropped:
	// a file store writes them. It must not keep the map.
	Saved func(entries map[string]ButtonEntry)
}

// MemoryButtons is the ButtonStore of one process: bounded, each value
// kept for its TTL. Safe for concurrent use.
type MemoryButtons struct {
	mu      sync.Mutex
	entries map[string]ButtonEntry
	opts    MemoryOptions
}

// NewMemoryButtons returns a MemoryButtons holding opts.Entries that have
// not expired.
func NewMemoryButtons(opts MemoryOptions) *MemoryButtons {
	if opts.Max <= 0 {
		opts.Max = DefaultMaxButtons
	}
	if opts.TTL <= 0 {
		opts.TTL = ButtonTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &MemoryButtons{entries: maps.Clone(opts.Entries), opts: opts}
	if m.entries == nil {
		m.entries = map[string]ButtonEntry{}
	}
	m.opts.Entries = nil
	m.prune(opts.Now())
	return m
}

// Put implements ButtonStore.
func (m *MemoryButtons) Put(_ context.Context, value string) (string, error) {
	token := NewButtonToken()
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	m.entries[token] = ButtonEntry{Value: value, Expires: now.Add(m.opts.TTL)}
	m.prune(now)
	if m.opts.Saved != nil {
		m.opts.Saved(m.entries)
	}
	return token, nil
}

// Get implements ButtonStore.
func (m *MemoryButtons) Get(_ context.Context, token string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[token]
	if !ok || !m.opts.Now().Before(e.Expires) {
		return "", false, nil
	}
	return e.Value, true, nil
}

// prune drops the entries expired at now, then, over the bound, those
// closest to expiry.
func (m *MemoryButtons) prune(now time.Time) {
	maps.DeleteFunc(m.entries, func(_ string, e ButtonEntry) bool { return !now.Before(e.Expires) })
	if over := len(m.entries) - m.opts.Max; over > 0 {
		tokens := slices.SortedFunc(maps.Keys(m.entries), func(a, b string) int {
			return m.entries[a].Expires.Compare(m.entries[b].Expires)
		})
		for _, t := range tokens[:over] {
			delete(m.entries, t)
		}
	}
}
