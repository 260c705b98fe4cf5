package main

import (
	"context"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/redact"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// chatPoster posts scheduled replies, scrubbed, to a channel of the
// platform the target names.
type chatPoster struct {
	platforms *platform.Registry
	scrub     *redact.Scrubber
}

// Post implements scheduler.Poster.
func (p chatPoster) Post(ctx context.Context, t scheduler.Target, r chat.Reply) error {
	r, _ = p.scrub.Reply(r)
	return p.platforms.Post(ctx, t.Platform, t.ChannelID, r)
}

// adjustScheduler, when set, changes the scheduler's options before it
// starts. Only tests set it, in the bot processes they start (TestMain).
var adjustScheduler func(*scheduler.Options)

// startScheduler runs the configured digests and the readiness watch, if
// any; the digests count from the denial watch's aggregates when it runs.
func startScheduler(ctx context.Context, g *errgroup.Group, cfg *config.Config, registry *commands.Registry,
	client *caracal.Client, poster chatPoster, shared *sharedState, metrics *bot.Metrics, logger *slog.Logger) error {
	jobs, watch := scheduler.FromConfig(cfg)
	if len(jobs) == 0 && !watch.Enabled {
		return nil
	}
	runLog, err := scheduler.OpenRunLog(cfg.StateDir)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	opts := scheduler.Options{
		Jobs: jobs, Watch: watch, Digester: registry, Prober: client, Poster: poster,
		Lease: shared.lease, RunLog: runLog, Logger: logger.With("component", "scheduler"), Metrics: metrics,
	}
	// The denial watch keeps running aggregates for the digests: their
	// whole hours are counted from them, on whichever replica posts.
	if cfg.DenialWatch.Enabled {
		opts.Denials = denialwatch.StoredAggregates{Store: shared.denials}
	}
	if adjustScheduler != nil {
		adjustScheduler(&opts)
	}
	sched, err := scheduler.New(opts)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	g.Go(func() error { return sched.Run(ctx) })
	return nil
}

// postDigest implements `digest --post` on the command line: the digest goes
// to the channels of the configured schedules.
func postDigest(ctx context.Context, cfg *config.Config, reply chat.Reply, logger *slog.Logger, scrub *redact.Scrubber) error {
	jobs, _ := scheduler.FromConfig(cfg)
	targets := scheduler.DigestTargets(jobs)
	if len(targets) == 0 {
		return fmt.Errorf("--post needs channels: add %s to a schedule in the configuration", cfg.ChannelKeys())
	}
	platforms, err := openPlatforms(cfg, logger, nil, scrub, nil)
	if err != nil {
		return err
	}
	return scheduler.PostAll(ctx, chatPoster{platforms: platforms, scrub: scrub}, targets, reply)
}
