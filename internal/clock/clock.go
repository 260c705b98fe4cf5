// Package clock holds the context-aware wait that the bot's retry loops
// share.
package clock

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, then returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
