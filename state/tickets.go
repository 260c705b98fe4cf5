package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// ticketRecordTTL is how long a ticket is remembered for its idempotency key.
const ticketRecordTTL = 30 * 24 * time.Hour

// TicketStore is the tickets.Store of several replicas: one ticket per
// idempotency key whichever replica handles the click.
type TicketStore struct{ r *Redis }

// Tickets returns the ticket idempotency store in this Redis.
func (r *Redis) Tickets() *TicketStore { return &TicketStore{r: r} }

// Get implements tickets.Store.
func (s *TicketStore) Get(ctx context.Context, key string) (tickets.Record, bool, error) {
	raw, err := s.r.c.Get(ctx, s.r.prefix+"ticket:"+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return tickets.Record{}, false, nil
	}
	if err != nil {
		return tickets.Record{}, false, fmt.Errorf("state: redis ticket record: %w", err)
	}
	var rec tickets.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return tickets.Record{}, false, fmt.Errorf("state: redis ticket record: %w", err)
	}
	return rec, true, nil
}

// Put implements tickets.Store.
func (s *TicketStore) Put(ctx context.Context, key string, rec tickets.Record) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.r.c.Set(ctx, s.r.prefix+"ticket:"+key, raw, ticketRecordTTL).Err()
}

// Lock implements tickets.Store: SET NX PX with a random token, released
// by a compare-and-delete so an expired holder cannot free a new one's lock.
func (s *TicketStore) Lock(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	lockKey := s.r.prefix + "ticket-lock:" + key
	ok, err := s.r.c.SetNX(ctx, lockKey, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("state: redis ticket lock: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	unlock := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.r.unlock.Run(ctx, s.r.c, []string{lockKey}, token).Err()
	}
	return unlock, true, nil
}

// unlockScript deletes a lock only when it still holds the caller's token.
const unlockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`
