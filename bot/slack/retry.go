package slack

import (
	"context"
	"errors"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
)

// delivery is the state of delivering one reply: the shared retry loop
// and where the reply goes.
type delivery struct {
	*bot.Delivery
	p      *Poster
	target Target
}

// start begins a delivery bounded by MaxDeliveryTime and ctx.
func (p *Poster) start(ctx context.Context, t Target, reply chat.Reply) (*delivery, context.CancelFunc) {
	d, cancel := bot.NewDelivery(ctx, bot.Delivery{DeliveryOptions: p.opts.DeliveryOptions,
		Platform: Name, Channel: t.ChannelID, RequestID: reply.RequestID(), Classify: classify})
	return &delivery{Delivery: d, p: p, target: t}, cancel
}

// classify reads a failed Slack call: 429s with their Retry-After; 5xx
// answers, transport failures and Slack's error codes for its own trouble
// as transient.
func classify(err error) bot.Failure {
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return bot.Failure{RateLimited: true, RetryAfter: rl.RetryAfter}
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		return bot.Failure{Transient: sc.Code >= 500}
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return bot.Failure{Transient: true}
		}
		return bot.Failure{}
	}
	return bot.Failure{Transient: bot.TransportFailure(err)}
}
