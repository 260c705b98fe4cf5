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
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/ops"
	"github.com/caracal-bot/caracal-bot/scheduler"
	"github.com/caracal-bot/caracal-bot/state"
)

// sharedState is what replicas share: in memory for one replica (with
// de-duplication, the replay memory, the tickets filed, the values of long
// buttons and the denial watch's state in state_dir when set, so that they
// survive restarts), in
// Redis (REDIS_URL) for several. Redis failing never stops the bot:
// de-duplication degrades to local and /readyz says so.
type sharedState struct {
	dedup *state.Degrading
	rate  bot.RateLimiter
	lease scheduler.Lease
	// tickets keeps ticket idempotency keys; nil means in memory.
	// Whichever it is, the ticket system is asked before a ticket is filed.
	tickets tickets.Store
	// buttons keeps the values of buttons too long for their platform.
	buttons platform.ButtonStore
	// denials keeps the denial watch's state.
	denials denialwatch.Store
	checks  []ops.Check
	close   func()
}

func newSharedState(cfg *config.Config, logger *slog.Logger) (*sharedState, error) {
	holder, _ := os.Hostname()
	holder = fmt.Sprintf("%s-%d", holder, os.Getpid())
	if !cfg.RedisURL.IsSet() {
		local := localDedup(cfg.StateDir, logger)
		return &sharedState{dedup: state.NewDegrading(local, local, logger), rate: bot.NewMemoryRateLimiter(nil),
			lease: scheduler.NewMemoryLeases().Holder(holder), tickets: localTickets(cfg.StateDir, logger),
			buttons: localButtons(cfg.StateDir, logger), denials: localDenialWatch(cfg.StateDir), close: func() {}}, nil
	}
	r, err := state.NewRedis(cfg.RedisURL.Reveal(), "")
	if err != nil {
		return nil, err
	}
	state.RouteLogs(logger)
	dedup := state.NewDegrading(r, bot.NewMemoryDeduper(nil), logger)
	logger.Info("shared state in Redis", "holder", holder)
	return &sharedState{dedup: dedup, rate: r, lease: r.Holder(holder), tickets: r.Tickets(), buttons: r.Buttons(), denials: r.DenialWatch(),
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

// localTickets is where a bot without Redis, and every command-line run,
// remembers the tickets it filed: files in state_dir/tickets, shared by
// the processes using that directory and kept across restarts; nil (process
// memory) without a state_dir.
func localTickets(stateDir string, logger *slog.Logger) tickets.Store {
	if stateDir == "" {
		return nil
	}
	return state.NewFileTicketStore(filepath.Join(stateDir, state.TicketsDir), state.FileOptions{Logger: logger})
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

// localDenialWatch is where one replica without Redis keeps the denial
// watch's state: a file in state_dir, which survives restarts, else process
// memory.
func localDenialWatch(stateDir string) denialwatch.Store {
	if stateDir == "" {
		return &denialwatch.MemoryStore{}
	}
	return state.NewFileDenialWatch(stateDir)
}
