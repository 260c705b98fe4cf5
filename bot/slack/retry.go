package slack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

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

// platform is the metrics label of this adapter.
const platform = "slack"

// delivery is the state of delivering one reply: where it goes, the
// request ID for logs, and the deadline (on the Poster's clock).
type delivery struct {
	p         *Poster
	ctx       context.Context
	target    Target
	requestID string
	deadline  time.Time
	failed    []string // methods that were given up on, for the log
}

// start begins a delivery bounded by MaxDeliveryTime and ctx.
func (p *Poster) start(ctx context.Context, t Target, reply chat.Reply) (*delivery, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.MaxDeliveryTime)
	return &delivery{p: p, ctx: ctx, target: t, requestID: requestID(reply), deadline: p.opts.Now().Add(p.opts.MaxDeliveryTime)}, cancel
}

// finish records a failed delivery: one error log naming the channel, the
// request ID and the methods given up on, and the Undelivered counter.
func (d *delivery) finish(err error) error {
	if err == nil {
		return nil
	}
	if m := d.p.opts.Metrics; m != nil {
		m.Undelivered.WithLabelValues(platform).Inc()
	}
	d.p.opts.Logger.Error("slack: reply not delivered", "channel", d.target.ChannelID, "request_id", d.requestID,
		"method", strings.Join(d.failed, ","), "err", err)
	return err
}

// call runs one API call, retrying rate limits (after Retry-After) and
// transport errors, 5xx answers and Slack's transient error codes (with
// exponential backoff) until it succeeds, fails for good, or the next
// wait would pass the deadline.
func (d *delivery) call(method string, fn func(ctx context.Context) error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(d.ctx, attemptTimeout)
		err := fn(ctx)
		cancel()
		if err == nil {
			return nil
		}
		wait, retry := d.classify(method, err, &backoff)
		switch {
		case !retry:
			return d.fail(method, err)
		case d.ctx.Err() != nil:
			return d.fail(method, fmt.Errorf("%w (last error: %v)", d.ctx.Err(), err))
		case d.p.opts.Now().Add(wait).After(d.deadline):
			return d.fail(method, fmt.Errorf("giving up after %d attempts: %w", attempt, err))
		}
		d.p.opts.Logger.Debug("slack: retrying", "method", method, "attempt", attempt, "wait", wait, "err", err)
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
	return fmt.Errorf("slack %s: %w", method, err)
}

// classify counts err in the metrics and says whether and how long to wait
// before retrying.
func (d *delivery) classify(method string, err error, backoff *time.Duration) (time.Duration, bool) {
	m := d.p.opts.Metrics
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		if m != nil {
			m.RateLimited.WithLabelValues(platform, method).Inc()
		}
		if rl.RetryAfter > 0 {
			return rl.RetryAfter, true
		}
		return nextBackoff(backoff), true
	}
	if d.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return 0, false // our own deadline or the caller's cancellation, not Slack's fault
	}
	if m != nil {
		m.PlatformErrors.WithLabelValues(platform, method).Inc()
	}
	if transient(err) {
		return nextBackoff(backoff), true
	}
	return 0, false
}

// transient reports errors worth retrying: 5xx answers, transport
// failures and Slack's error codes for its own trouble.
func transient(err error) bool {
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true
		}
		return false
	}
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// nextBackoff returns a wait in [step/2, step] and doubles the step.
func nextBackoff(step *time.Duration) time.Duration {
	s := *step
	*step = min(2*s, maxBackoff)
	return s/2 + rand.N(s/2+1)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// requestID is the reply's "Request ID" field, one line and short, for logs.
func requestID(r chat.Reply) string {
	for _, f := range r.Fields {
		if strings.EqualFold(strings.TrimSpace(f.Label), "request id") {
			return clipBytes(chat.OneLine(f.Value), 128)
		}
	}
	return ""
}
