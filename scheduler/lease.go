package scheduler

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Lease is how the bot's replicas agree on scheduled posts: a named leader
// lease, so that only one of them posts, and the record of which runs were
// posted, so that a replica that did not lead can tell a digest its leader
// posted from one a dead leader never did. A Lease value acts for one
// replica (its holder).
type Lease interface {
	// Acquire takes the lease for ttl when it is free or expired, or renews
	// it when this holder already has it. ok reports whether this holder
	// holds it now; token is the fencing token of the holding, which grows
	// every time the lease changes hands and stays the same on renewal.
	Acquire(ctx context.Context, name string, ttl time.Duration) (token int64, ok bool, err error)
	// Release gives the lease up if this holder still holds it with token.
	Release(ctx context.Context, name string, token int64) error
	// Posted reports whether job's run at fire (or a later one) was posted
	// by any replica.
	Posted(ctx context.Context, job string, fire time.Time) (bool, error)
	// MarkPosted records that job's run at fire was posted.
	MarkPosted(ctx context.Context, job string, fire time.Time) error
}

// MemoryLeases is an in-process lease table and post record: the
// single-replica default, and what tests share between schedulers. Several
// replicas share the Redis one (package state).
type MemoryLeases struct {
	mu     sync.Mutex
	leases map[string]memoryLease
	tokens int64
	posted map[string]time.Time // job → latest fire time posted
}

type memoryLease struct {
	holder  string
	token   int64
	expires time.Time
}

// NewMemoryLeases returns an empty lease table.
func NewMemoryLeases() *MemoryLeases {
	return &MemoryLeases{leases: map[string]memoryLease{}, posted: map[string]time.Time{}}
}

// Holder returns the Lease through which one replica acquires leases of
// this table.
func (m *MemoryLeases) Holder(id string) Lease { return memoryHolder{m: m, id: id} }

type memoryHolder struct {
	m  *MemoryLeases
	id string
}

// Acquire implements Lease.
func (h memoryHolder) Acquire(ctx context.Context, name string, ttl time.Duration) (int64, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	if ttl <= 0 {
		return 0, false, errors.New("lease: ttl must be positive")
	}
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	cur, held := m.leases[name]
	switch {
	case held && cur.holder == h.id && now.Before(cur.expires):
		cur.expires = now.Add(ttl)
		m.leases[name] = cur
		return cur.token, true, nil
	case held && now.Before(cur.expires):
		return 0, false, nil
	}
	m.tokens++
	m.leases[name] = memoryLease{holder: h.id, token: m.tokens, expires: now.Add(ttl)}
	return m.tokens, true, nil
}

// Release implements Lease.
func (h memoryHolder) Release(_ context.Context, name string, token int64) error {
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.leases[name]; ok && cur.holder == h.id && cur.token == token {
		delete(m.leases, name)
	}
	return nil
}

// Posted implements Lease.
func (h memoryHolder) Posted(ctx context.Context, job string, fire time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	return !h.m.posted[job].Before(fire), nil
}

// MarkPosted implements Lease.
func (h memoryHolder) MarkPosted(_ context.Context, job string, fire time.Time) error {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if fire.After(h.m.posted[job]) {
		h.m.posted[job] = fire
	}
	return nil
}

// Leadership is one replica's holding of a named Lease: the scheduler's,
// and the denial watch's. Acquire takes or renews it, KeepWhile renews it
// through a long run, Release gives it up at shutdown. Safe for concurrent
// use.
type Leadership struct {
	lease Lease
	name  string
	ttl   time.Duration

	mu    sync.Mutex
	token int64 // the token last granted, 0 when not holding
}

// NewLeadership returns the holding of the lease name through lease, each
// acquisition lasting ttl.
func NewLeadership(lease Lease, name string, ttl time.Duration) *Leadership {
	return &Leadership{lease: lease, name: name, ttl: ttl}
}

// Acquire takes or renews the lease: ok when this replica leads now, with
// the fencing token of its holding.
func (l *Leadership) Acquire(ctx context.Context) (token int64, ok bool, err error) {
	token, ok, err = l.lease.Acquire(ctx, l.name, l.ttl)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil || !ok {
		l.token = 0
		return 0, false, err
	}
	l.token = token
	return token, true, nil
}

// KeepWhile renews the lease every third of its ttl, from now until the
// returned stop is called (it waits for the renewals to end) or ctx ends,
// so that a long run keeps the lease it started with. Renewal stops when
// the lease is lost.
func (l *Leadership) KeepWhile(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.keep(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

func (l *Leadership) keep(ctx context.Context) {
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, ok, err := l.Acquire(ctx); err != nil || !ok {
				return
			}
		}
	}
}

// Release gives the lease up at shutdown if this replica holds it.
func (l *Leadership) Release(ctx context.Context) error {
	l.mu.Lock()
	token := l.token
	l.token = 0
	l.mu.Unlock()
	if token == 0 {
		return nil
	}
	return l.lease.Release(ctx, l.name, token)
}
