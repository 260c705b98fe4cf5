package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Target is a channel the scheduler posts to.
type Target struct {
	Platform  string // a chat platform's name, as the configuration names it
	ChannelID string
}

// String renders the target as "slack:C0123".
func (t Target) String() string { return t.Platform + ":" + t.ChannelID }

// Poster delivers a reply to a channel: the root message, its thread and
// its files. The composition root posts through its registry of chat
// platforms.
type Poster interface {
	Post(ctx context.Context, target Target, r chat.Reply) error
}

// DigestTargets lists the channels of every digest job, once each: where
// `digest --post` delivers.
func DigestTargets(jobs []Job) []Target {
	seen := map[Target]bool{}
	var out []Target
	for _, j := range jobs {
		for _, t := range j.Targets {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// PostAll posts r to every target, carrying on past failures, and returns
// them joined. It takes no lease: it is for a person's explicit request
// (`digest --post`), not for scheduled runs.
func PostAll(ctx context.Context, p Poster, targets []Target, r chat.Reply) error {
	var errs []error
	for _, t := range targets {
		if err := p.Post(ctx, t, r); err != nil {
			errs = append(errs, fmt.Errorf("post to %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}

// Post delivers r to every target while this replica still holds the lease
// with the fencing token it was granted. It returns how many posts
// succeeded and whether the lease was held to the end. A failed post is
// logged and the others still go out.
func (l *Leadership) Post(ctx context.Context, p Poster, token int64, targets []Target, r chat.Reply, log *slog.Logger) (posted int, held bool) {
	for _, t := range targets {
		now, leader, err := l.Acquire(ctx)
		if err != nil || !leader || now != token {
			log.Warn("lost the lease; not posting, another replica may lead now", "target", t.String(), "err", err)
			return posted, false
		}
		if err := p.Post(ctx, t, r); err != nil {
			log.Error("post failed", "target", t.String(), "err", err)
			continue
		}
		posted++
	}
	return posted, true
}
