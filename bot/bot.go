// Package bot is the platform-neutral dispatcher between chat adapters and
// the commands: it acknowledges, authorizes, de-duplicates, queues work on a
// bounded worker pool, runs the command and hands the reply to the adapter's
// Responder for delivery. Adapters (bot/slack, bot/discord, bot/console)
// turn platform events into Requests and render replies natively.
package bot

import (
	"context"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Request is one command to run for a user, from any platform.
type Request struct {
	Invocation chat.Invocation
	// DedupKey identifies the delivery: a request whose key was seen
	// recently is dropped (Slack retries, repeated Socket Mode envelopes,
	// double-clicked buttons). Empty means never de-duplicate.
	DedupKey string
	// DedupFor is how long the key is remembered (0 = the dispatcher's
	// default, ten minutes); button clicks use a few seconds so a second,
	// deliberate click later still runs.
	DedupFor time.Duration
	// Groups are the platform groups (Slack user groups, Discord roles) the
	// user belongs to, for permission rules; nil when unknown.
	Groups []string
	// Responder delivers the outcome on the platform.
	Responder Responder
}

// Responder is what an adapter implements for one request.
type Responder interface {
	// Deliver posts the command's reply: for a channel reply the root
	// message and its thread, for an ephemeral reply a message only the user
	// sees. It retries platform rate limits and outages for a bounded time.
	Deliver(ctx context.Context, reply chat.Reply) error
	// Note sends the user who asked a private note that accompanies the
	// answer (what was removed from their paste); it never replaces,
	// edits or removes the answer itself.
	Note(ctx context.Context, note chat.Reply) error
}

// Runner runs one command and always returns a reply (errors become
// ephemeral replies); *commands.Registry satisfies it.
type Runner interface {
	Handle(ctx context.Context, inv chat.Invocation) chat.Reply
}

// Outcome is what Submit decided; the adapter acknowledges accordingly
// (for Slack HTTP, in the 200 response body).
type Outcome struct {
	Status OutcomeStatus
	// Ack is the short, ephemeral text to show the user at once ("" for a
	// duplicate, which is acknowledged silently).
	Ack string
}

// OutcomeStatus classifies a submitted request.
type OutcomeStatus string

// Submit outcomes.
const (
	Accepted  OutcomeStatus = "accepted"
	Duplicate OutcomeStatus = "duplicate"
	Busy      OutcomeStatus = "busy"
	Forbidden OutcomeStatus = "forbidden"
	Stopping  OutcomeStatus = "stopping"
	Throttled OutcomeStatus = "throttled"
)
