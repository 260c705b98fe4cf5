package tickets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RulesetVersion names the router's rules the diagnoses come from. It is
// part of the idempotency key: after a rules change the same request gets a
// fresh ticket. Bump it with ROUTER.md.
const RulesetVersion = "router-2026-11"

// Key is the idempotency key of the ticket for one request in one zone
// under one ruleset version.
func Key(zone, requestID, rulesetVersion string) string {
	if zone == "" {
		zone = "-"
	}
	return "caracal-bot:ticket:v1:" + zone + ":" + requestID + ":" + rulesetVersion
}

// Marker is the stable token of key that the ticket systems remember: the
// label of a Jira issue or a GitHub issue (looked up before creating, so
// two runs, a restart or two replicas without shared state find the ticket
// the first one filed) and the webhook's Idempotency-Key header.
// "caracal-bot-" and the first 20 hex digits of SHA-256(key): a valid label
// everywhere (no spaces, 32 characters), safe in any header.
func Marker(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "caracal-bot-" + hex.EncodeToString(sum[:10])
}

// markerLabels are a ticket's labels and its key's Marker.
func markerLabels(t Ticket) []string {
	labels := slices.Clone(t.Labels)
	if t.Key != "" {
		labels = append(labels, Marker(t.Key))
	}
	return labels
}

// DiagnosisHash fingerprints what a ticket reports: the surface, cause,
// verdict and the eight steps (each "name status detail"). A second click
// comments on the ticket only when it changed.
func DiagnosisHash(surface, cause, verdict string, steps []string) string {
	h := sha256.New()
	for _, s := range append([]string{surface, cause, verdict}, steps...) {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s + ";"))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// diagnosisMarker is how a ticket and the bot's comments on it carry the
// hash of the diagnosis they report, so a lookup in the ticket system
// (Finder) learns what it last said: a line of its own, prefix, hash,
// suffix. Echoed text cannot forge it: the renderers escape the first
// character of the prefix ("<" in markdown, "{" in Jira).
type diagnosisMarker struct{ prefix, suffix string }

// The diagnosis markers: a hidden HTML comment on GitHub, a grey line in Jira.
var (
	githubDiagnosis = diagnosisMarker{prefix: "<!-- caracal-bot-diagnosis: ", suffix: " -->"}
	jiraDiagnosis   = diagnosisMarker{prefix: "{color:#97a0af}caracal-bot-diagnosis: ", suffix: "{color}"}
)

// line is the marker of hash; "" when there is no hash.
func (m diagnosisMarker) line(hash string) string {
	if hash == "" {
		return ""
	}
	return m.prefix + hash + m.suffix
}

// find returns the hash of the last marker line in text.
func (m diagnosisMarker) find(text string) (string, bool) {
	hash, found := "", false
	for l := range strings.Lines(text) {
		l = strings.TrimRight(l, "\r\n")
		h, ok := strings.CutPrefix(l, m.prefix)
		if h, ok2 := strings.CutSuffix(h, m.suffix); ok && ok2 && isDiagnosisHash(h) {
			hash, found = h, true
		}
	}
	return hash, found
}

// isDiagnosisHash reports whether s has the form of a DiagnosisHash.
func isDiagnosisHash(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// Record is what the Store keeps per key: the ticket and the diagnosis it
// last reported.
type Record struct {
	Ref           Ref       `json:"ref"`
	DiagnosisHash string    `json:"diagnosis_hash"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Store remembers the ticket filed per idempotency key and serializes the
// clicks for one key. The in-memory one serves a single replica; a shared
// backend (Redis) serves several.
type Store interface {
	// Get returns the record of key, if any.
	Get(ctx context.Context, key string) (Record, bool, error)
	// Put stores the record of key.
	Put(ctx context.Context, key string, rec Record) error
	// Lock takes key's lock for at most ttl. ok is false when someone else
	// holds it. unlock releases it (only if still ours); it is never nil
	// when ok.
	Lock(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// MemoryStore is a Store for one replica.
type MemoryStore struct {
	mu      sync.Mutex
	records map[string]Record
	locks   map[string]memLock
	seq     uint64
	now     func() time.Time
}

type memLock struct {
	token uint64
	until time.Time
}

// NewMemoryStore returns an empty in-memory Store; now may be nil.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{records: map[string]Record{}, locks: map[string]memLock{}, now: now}
}

// Get implements Store.
func (m *MemoryStore) Get(_ context.Context, key string) (Record, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[key]
	return r, ok, nil
}

// Put implements Store.
func (m *MemoryStore) Put(_ context.Context, key string, rec Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[key] = rec
	return nil
}

// Lock implements Store.
func (m *MemoryStore) Lock(_ context.Context, key string, ttl time.Duration) (func(), bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if l, held := m.locks[key]; held && now.Before(l.until) {
		return nil, false, nil
	}
	m.seq++
	token := m.seq
	m.locks[key] = memLock{token: token, until: now.Add(ttl)}
	var once sync.Once
	return func() {
		once.Do(func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if l, held := m.locks[key]; held && l.token == token {
				delete(m.locks, key)
			}
		})
	}, true, nil
}
