package scheduler

import (
	"context"
	"errors"
	"fmt"

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
