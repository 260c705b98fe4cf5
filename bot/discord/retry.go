package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/redact"
)

// delivery is the state of delivering one reply: the shared retry loop,
// where the reply goes and the thread's name.
type delivery struct {
	*bot.Delivery
	p          *Poster
	target     Target
	threadName string
}

// start begins a delivery bounded by MaxDeliveryTime and ctx. Errors are
// cleaned of the interaction token and the bot token.
func (p *Poster) start(ctx context.Context, t Target, reply chat.Reply) (*delivery, context.CancelFunc) {
	secrets := redact.New(t.InteractionToken, strings.TrimPrefix(p.s.Token, "Bot "))
	bd, cancel := bot.NewDelivery(ctx, bot.Delivery{DeliveryOptions: p.opts.DeliveryOptions,
		Platform: Name, Channel: t.ChannelID, RequestID: reply.RequestID(), Classify: classify,
		Redact: func(err error) error { return scrubbed(err, secrets) },
	})
	d := &delivery{Delivery: bd, p: p, target: t,
		threadName: chat.Clip(chat.OneLine(p.opts.ThreadName(reply)), discordapi.MaxThreadName)}
	if d.threadName == "" {
		d.threadName = "caracal"
	}
	return d, cancel
}

// call runs one discordgo call through the shared retry loop, bound to
// the attempt's context.
func (d *delivery) call(method string, fn func(opt discordgo.RequestOption) error) error {
	return d.Call(method, func(ctx context.Context) error { return fn(discordgo.WithContext(ctx)) })
}

// waitAcked waits until the interaction was acknowledged: editing or
// following up an interaction before that fails.
func (d *delivery) waitAcked() error {
	if d.target.Acked == nil {
		return nil
	}
	select {
	case <-d.target.Acked:
		return nil
	case <-d.Ctx.Done():
		return d.Fail("ack", fmt.Errorf("interaction not acknowledged: %w", d.Ctx.Err()))
	}
}

// classify reads a failed Discord call: 429s with their retry_after; 5xx
// answers and transport failures as transient. discordgo reports a 502
// (with MaxRestRetries 0) as a plain error, "Exceeded Max retries HTTP 502
// Bad Gateway, <body>".
func classify(err error) bot.Failure {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		f := bot.Failure{RateLimited: true}
		if rl.RateLimit != nil && rl.TooManyRequests != nil {
			f.RetryAfter = rl.RetryAfter
		}
		return f
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		return bot.Failure{Transient: re.Response != nil && re.Response.StatusCode >= 500}
	}
	if strings.Contains(err.Error(), "Exceeded Max retries HTTP 502") {
		return bot.Failure{Transient: true}
	}
	return bot.Failure{Transient: bot.TransportFailure(err)}
}

// errorCode is Discord's JSON error code of err (10003 unknown channel,
// 50001 missing access...), 0 for none.
func errorCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// scrubbed hides secrets in err's message: discordgo puts request URLs,
// which carry the interaction token, into rate-limit and transport
// errors. The original stays reachable with errors.As for classification.
func scrubbed(err error, secrets *redact.Scrubber) error {
	msg := err.Error()
	clean := secrets.String(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

// redactedError is an error whose message had secrets removed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
