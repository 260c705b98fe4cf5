package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/ops"
	"github.com/caracal-bot/caracal-bot/scheduler"
	"github.com/caracal-bot/caracal-bot/state"
)

// sharedState is what replicas share: in memory for one replica (with
// de-duplication, the replay memory and the values of long buttons in
// state_dir when set, so that they survive restarts), in Redis (REDIS_URL)
// for several. Redis failing never stops the bot: de-duplication degrades
// to local and /readyz says so.
type sharedState struct {
	dedup *state.Degrading
	rate  bot.RateLimiter
	lease scheduler.Lease
	// tickets keeps ticket idempotency keys; nil means in memory.
	tickets tickets.Store
	// buttons keeps the values of buttons too long for their platform.
	buttons platform.ButtonStore
	checks  []ops.Check
	close   func()
}

func newSharedState(cfg *config.Config, logger *slog.Logger) (*sharedState, error) {
	holder, _ := os.Hostname()
	holder = fmt.Sprintf("%s-%d", holder, os.Getpid())
	if !cfg.RedisURL.IsSet() {
		local := localDedup(cfg.StateDir, logger)
		return &sharedState{dedup: state.NewDegrading(local, local, logger), rate: bot.NewMemoryRateLimiter(nil),
			lease: scheduler.NewMemoryLeases().Holder(holder), close: func() {},
			buttons: localButtons(cfg.StateDir, logger)}, nil
	}
	r, err := state.NewRedis(cfg.RedisURL.Reveal(), "")
	if err != nil {
		return nil, err
	}
	state.RouteLogs(logger)
	dedup := state.NewDegrading(r, bot.NewMemoryDeduper(nil), logger)
	logger.Info("shared state in Redis", "holder", holder)
	return &sharedState{dedup: dedup, rate: r, lease: r.Holder(holder), tickets: r.Tickets(), buttons: r.Buttons(),
		checks: []ops.Check{{Name: "shared state", Degraded: true, Run: func(ctx context.Context) error {
			if err := r.Ping(ctx); err != nil {
				return fmt.Errorf("Redis unreachable; de-duplication is local to this replica and scheduled posts wait for it: %w", err)
			}
			return nil
		}}},
		close: func() { _ = r.Close() }}, nil
}

// localDedup is where one replica without Redis remembers deliveries and
// the signatures of handled requests: a file in state_dir, which survives
// restarts, else process memory.
func localDedup(stateDir string, logger *slog.Logger) bot.Deduper {
	if stateDir == "" {
		return bot.NewMemoryDeduper(nil)
	}
	logger.Info("handled requests remembered across restarts", "file", filepath.Join(stateDir, state.DedupFile))
	return state.NewFileDeduper(stateDir, state.FileOptions{Logger: logger})
}

// localButtons is where one replica without Redis keeps the values of
// buttons too long for their platform: a file in state_dir, which survives
// restarts, else process memory.
func localButtons(stateDir string, logger *slog.Logger) platform.ButtonStore {
	if stateDir == "" {
		return platform.NewMemoryButtons(platform.MemoryOptions{})
	}
	return state.NewFileButtons(stateDir, platform.MemoryOptions{}, logger)
}
