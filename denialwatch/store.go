package denialwatch

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/digest"
)

// Store keeps the watch's state where every replica that may lead finds
// it: Redis (package state) when configured, else a file in state_dir,
// else memory. The state is one small JSON document (see snapshot).
type Store interface {
	// Load returns the state saved last; nil when none was.
	Load(ctx context.Context) ([]byte, error)
	// Save replaces the state. token is the fencing token of the lease
	// holding it was made under: a store shared by replicas refuses it
	// with ErrFenced when a holder with a newer token has saved since.
	Save(ctx context.Context, token int64, state []byte) error
}

// ErrFenced is Save's refusal of a state made under an older lease holding
// than the one saved last: another replica leads the watch now.
var ErrFenced = errors.New("denial watch: a newer leader has saved its state")

// MemoryStore is a Store in process memory, lost on restart: the default
// without Redis or a state directory, and what tests share between
// watches. It fences like a shared store.
type MemoryStore struct {
	mu    sync.Mutex
	token int64
	state []byte
}

// Load implements Store.
func (m *MemoryStore) Load(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.state...), nil
}

// Save implements Store.
func (m *MemoryStore) Save(_ context.Context, token int64, state []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if token < m.token {
		return ErrFenced
	}
	m.token, m.state = token, append([]byte(nil), state...)
	return nil
}

// snapshotVersion is the version of the state document; a document of
// another version is read as no state.
const snapshotVersion = 1

// snapshot is the watch's state document: per zone, when the watch started
// watching it, its cursor and the requests counted that its reads may
// meet again; the clusters with their counts and when each was announced.
type snapshot struct {
	Version  int                   `json:"version"`
	Zones    map[string]*zoneState `json:"zones"`
	Clusters []*cluster            `json:"clusters"`
}

// zoneState is what is saved of one zone's tail.
type zoneState struct {
	// Started is when the watch first watched the zone: denials that
	// occurred before it are never counted.
	Started time.Time `json:"started"`
	// Cursor is the newest occurred_at the last complete read reached
	// (never past the bot's clock at that read): every deny row that
	// occurred before Cursor − overlap has been read.
	Cursor time.Time `json:"cursor"`
	// Counted holds the requests counted (or found older than Started)
	// whose rows a read may meet again: when each occurred, unix ms, by
	// request ID ("row:<id>" for a row without one).
	Counted map[string]int64 `json:"counted"`
	// Aggregates are the zone's running aggregates, when the watch keeps
	// them (Options.Aggregate).
	Aggregates *digest.Aggregates `json:"aggregates,omitempty"`
}

// decodeSnapshot reads a saved state; ok is false when there is none or it
// cannot be read (a new state is started then).
func decodeSnapshot(data []byte) (s *snapshot, ok bool, err error) {
	if len(data) == 0 {
		return nil, false, nil
	}
	s = &snapshot{}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, false, err
	}
	if s.Version != snapshotVersion {
		return nil, false, errors.New("denial watch: unknown state version")
	}
	if s.Zones == nil {
		s.Zones = map[string]*zoneState{}
	}
	maps.DeleteFunc(s.Zones, func(_ string, z *zoneState) bool { return z == nil })
	for _, z := range s.Zones {
		if z.Counted == nil {
			z.Counted = map[string]int64{}
		}
	}
	s.Clusters = slices.DeleteFunc(s.Clusters, func(c *cluster) bool { return c == nil })
	for _, c := range s.Clusters {
		if c.Buckets == nil {
			c.Buckets = map[int64]int{}
		}
	}
	return s, true, nil
}

func newSnapshot() *snapshot {
	return &snapshot{Version: snapshotVersion, Zones: map[string]*zoneState{}}
}
