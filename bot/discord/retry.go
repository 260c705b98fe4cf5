package discord

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Backoff for transport errors and 5xx answers: 500 ms doubling to 20 s,
// each wait between half and all of the step.
const (
	firstBackoff = 500 * time.Millisecond
	maxBackoff   = 20 * time.Second
	// attemptTimeout bounds one HTTP call, so a stuck connection cannot
	// eat the whole delivery budget.
	attemptTimeout = 30 * time.Second
)

// metricsPlatform is this adapter's platform label in bot.Metrics.
const metricsPlatform = "discord"

// redactedText replaces secrets in error messages.
const redactedText = "[redacted]"

// delivery is the state of delivering one reply: where it goes, the
// request ID for logs, the deadline (on the Poster's clock) and the
// secrets to keep out of errors and logs.
type delivery struct {
	p          *Poster
	ctx        context.Context
	target     Target
	requestID  string
	threadName string
	deadline   time.Time
	secrets    []string
	failed     []string // methods given up on, for the log
}

// start begins a delivery bounded by MaxDeliveryTime and ctx.
func (p *Poster) start(ctx context.Context, t Target, reply chat.Reply) (*delivery, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.MaxDeliveryTime)
	d := &delivery{p: p, ctx: ctx, target: t, requestID: requestIDOf(reply),
		threadName: clipPlain(chat.OneLine(p.opts.ThreadName(reply)), maxThreadName),
		deadline:   p.opts.Now().Add(p.opts.MaxDeliveryTime)}
	if d.threadName == "" {
		d.threadName = "caracal"
	}
	for _, s := range []string{t.InteractionToken, strings.TrimPrefix(p.s.Token, "Bot ")} {
		if strings.TrimSpace(s) != "" {
			d.secrets = append(d.secrets, s)
		}
	}
	return d, cancel
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
	case <-d.ctx.Done():
		d.failed = append(d.failed, "ack")
		return fmt.Errorf("discord: interaction not acknowledged: %w", d.ctx.Err())
	}
}

// finish records a failed delivery: one error log naming the channel, the
// request ID and the methods given up on, and the Undelivered counter.
func (d *delivery) finish(err error) error {
	if err == nil {
		return nil
	}
	if m := d.p.opts.Metrics; m != nil {
		m.Undelivered.WithLabelValues(metricsPlatform).Inc()
	}
	d.p.opts.Logger.Error("discord: reply not delivered", "channel", d.target.ChannelID, "request_id", d.requestID,
		"method", strings.Join(d.failed, ","), "err", err.Error())
	return err
}

// call runs one API call, retrying rate limits (after retry_after) and
// transport errors and 5xx answers (with exponential backoff) until it
// succeeds, fails for good, or the next wait would pass the deadline.
// Errors come back with the secrets redacted.
func (d *delivery) call(method string, fn func(opt discordgo.RequestOption) error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(d.ctx, attemptTimeout)
		err := fn(discordgo.WithContext(ctx))
		cancel()
		if err == nil {
			return nil
		}
		err = d.redact(err)
		wait, retry := d.classify(method, err, &backoff)
		switch {
		case !retry:
			return d.fail(method, err)
		case d.ctx.Err() != nil:
			return d.fail(method, fmt.Errorf("%w (last error: %v)", d.ctx.Err(), err))
		case d.p.opts.Now().Add(wait).After(d.deadline):
			return d.fail(method, fmt.Errorf("giving up after %d attempts: %w", attempt, err))
		}
		d.p.opts.Logger.Debug("discord: retrying", "method", method, "attempt", attempt, "wait", wait, "err", err.Error())
		if serr := d.p.opts.Sleep(d.ctx, wait); serr != nil {
			return d.fail(method, fmt.Errorf("%w (last error: %v)", serr, err))
		}
	}
}

// recovered forgets the last failed method: another way around it is being taken.
func (d *delivery) recovered() {
	if len(d.failed) > 0 {
		d.failed = d.failed[:len(d.failed)-1]
	}
}

func (d *delivery) fail(method string, err error) error {
	d.failed = append(d.failed, method)
	return fmt.Errorf("discord %s: %w", method, err)
}

// classify counts err in the metrics and says whether and how long to wait
// before retrying.
func (d *delivery) classify(method string, err error, backoff *time.Duration) (time.Duration, bool) {
	m := d.p.opts.Metrics
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		if m != nil {
			m.RateLimited.WithLabelValues(metricsPlatform, method).Inc()
		}
		if rl.RateLimit != nil && rl.TooManyRequests != nil && rl.RetryAfter > 0 {
			return rl.RetryAfter, true
		}
		return nextBackoff(backoff), true
	}
	if d.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return 0, false // our own deadline or the caller's cancellation, not Discord's fault
	}
	if m != nil {
		m.PlatformErrors.WithLabelValues(metricsPlatform, method).Inc()
	}
	if transient(err) {
		return nextBackoff(backoff), true
	}
	return 0, false
}

// transient reports errors worth retrying: 5xx answers and transport
// failures. discordgo reports a 502 (with MaxRestRetries 0) as a plain
// error, "Exceeded Max retries HTTP 502 Bad Gateway, <body>".
func transient(err error) bool {
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		return re.Response != nil && re.Response.StatusCode >= 500
	}
	if strings.Contains(err.Error(), "Exceeded Max retries HTTP 502") {
		return true
	}
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
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

// nextBackoff returns a wait in [step/2, step] and doubles the step.
func nextBackoff(step *time.Duration) time.Duration {
	s := *step
	*step = min(2*s, maxBackoff)
	return s/2 + rand.N(s/2+1)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redact hides the interaction token and the bot token in err's message:
// discordgo puts request URLs, which carry the interaction token, into
// rate-limit and transport errors. The original stays reachable with
// errors.As for classification.
func (d *delivery) redact(err error) error {
	msg := err.Error()
	clean := msg
	for _, s := range d.secrets {
		clean = strings.ReplaceAll(clean, s, redactedText)
		if esc := url.PathEscape(s); esc != s {
			clean = strings.ReplaceAll(clean, esc, redactedText)
		}
	}
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
