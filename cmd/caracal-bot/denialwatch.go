package main

import (
	"context"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// startDenialWatch runs the denial watch when the configuration enables
// it: it reads the audit log through client, diagnoses through the
// commands and posts through poster, while it holds the shared lease.
func startDenialWatch(ctx context.Context, g *errgroup.Group, cfg *config.Config, registry *commands.Registry,
	client *caracal.Client, poster chatPoster, shared *sharedState, logger *slog.Logger) error {
	opts, ok := denialwatch.FromConfig(cfg)
	if !ok {
		return nil
	}
	opts.Source, opts.Runner, opts.Poster = client, registry, poster
	opts.Lease, opts.Store = shared.lease, shared.denials
	opts.Logger = logger.With("component", "denial-watch")
	w, err := denialwatch.New(opts)
	if err != nil {
		return fmt.Errorf("denial watch: %w", err)
	}
	g.Go(func() error { return w.Run(ctx) })
	return nil
}
