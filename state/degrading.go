package state

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/caracal-bot/caracal-bot/bot"
)

// Degrading is a bot.Deduper that uses a shared backend and, while that
// fails, a local one: the bot keeps answering (a delivery seen by two
// replicas during a Redis outage may then run twice) and Ready says why.
// It switches back as soon as the shared backend answers again.
type Degrading struct {
	shared   bot.Deduper
	local    bot.Deduper
	log      *slog.Logger
	degraded atomic.Bool
	// retryAt (unix nanoseconds) is when to try the shared backend again
	// after a failure, so an outage costs one timeout per interval, not one
	// per delivery.
	retryAt atomic.Int64
	now     func() time.Time // time.Now; tests move it on
}

// sharedRetryInterval is how long Degrading stays local after a failure.
const sharedRetryInterval = 5 * time.Second

// NewDegrading combines a shared and a local Deduper; logger may be nil.
func NewDegrading(shared, local bot.Deduper, logger *slog.Logger) *Degrading {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Degrading{shared: shared, local: local, log: logger, now: time.Now}
}

// FirstSeen implements bot.Deduper.
func (d *Degrading) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if d.degraded.Load() && d.now().UnixNano() < d.retryAt.Load() {
		return d.local.FirstSeen(ctx, key, ttl)
	}
	first, err := d.shared.FirstSeen(ctx, key, ttl)
	if err == nil {
		if d.degraded.Swap(false) {
			d.log.Info("shared state is back: de-duplication is shared across replicas again")
		}
		_, _ = d.local.FirstSeen(ctx, key, ttl) // keep the local view warm for the next outage
		return first, nil
	}
	d.retryAt.Store(d.now().Add(sharedRetryInterval).UnixNano())
	if !d.degraded.Swap(true) {
		d.log.Warn("shared state unavailable: de-duplicating locally on this replica until it returns", "err", err)
	}
	return d.local.FirstSeen(ctx, key, ttl)
}

// Forget implements bot.Deduper.
func (d *Degrading) Forget(ctx context.Context, key string) error {
	return errors.Join(d.shared.Forget(ctx, key), d.local.Forget(ctx, key))
}

// Ready is a readiness check: an error while de-duplication is local only.
func (d *Degrading) Ready(context.Context) error {
	if d.degraded.Load() {
		return errors.New("shared state (Redis) unavailable: de-duplication is local to this replica")
	}
	return nil
}
