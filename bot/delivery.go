package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/internal/clock"
)

// Backoff for transient failures: 500 ms doubling to 20 s, each wait
// between half and all of the step.
const (
	firstBackoff = 500 * time.Millisecond
	maxBackoff   = 20 * time.Second
	// attemptTimeout bounds one platform call, so a stuck connection cannot
	// eat the whole delivery budget.
	attemptTimeout = 30 * time.Second
)

// Failure is a platform adapter's reading of one failed call.
type Failure struct {
	// RateLimited is a 429; RetryAfter is the wait the platform asked for
	// (0 when it named none, and the backoff applies).
	RateLimited bool
	RetryAfter  time.Duration
	// Transient is a failure worth retrying: a 5xx answer, a transport
	// error, a platform error code for its own trouble.
	Transient bool
}

// DefaultMaxDeliveryTime bounds one reply's delivery when the options do not.
const DefaultMaxDeliveryTime = 2 * time.Minute

// DeliveryOptions configure how an adapter's poster delivers replies.
// Every field is optional.
type DeliveryOptions struct {
	Logger  *slog.Logger
	Metrics *Metrics
	// MaxDeliveryTime bounds the delivery of one reply, retries included
	// (default DefaultMaxDeliveryTime).
	MaxDeliveryTime time.Duration
	// Now and Sleep are the clock; tests inject fakes so Retry-After waits
	// take no time. Sleep must return early with ctx.Err() when ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Delivery retries the platform calls that deliver one reply, within one
// deadline, and keeps what a failed delivery's log line needs. The Slack
// and Discord posters each wrap one per reply. A Delivery is used by one
// goroutine.
type Delivery struct {
	DeliveryOptions
	// Ctx ends the delivery; it carries the deadline.
	Ctx      context.Context
	Deadline time.Time // on Now's clock
	// Platform is the metrics label and log prefix ("slack", "discord").
	Platform string
	// Channel and RequestID name the reply in the failure log.
	Channel, RequestID string
	// Classify reads a failed call; errors it does not know are permanent.
	Classify func(err error) Failure
	// Redact, when set, cleans every error before it is classified,
	// logged or returned (e.g. tokens inside request URLs).
	Redact func(error) error

	failed []string // methods given up on, for the log
}

// NewDelivery starts a delivery bounded by d.MaxDeliveryTime and ctx, the
// defaults of its options filled in; call cancel when it is over.
func NewDelivery(ctx context.Context, d Delivery) (*Delivery, context.CancelFunc) {
	if d.MaxDeliveryTime <= 0 {
		d.MaxDeliveryTime = DefaultMaxDeliveryTime
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sleep == nil {
		d.Sleep = clock.Sleep
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(ctx, d.MaxDeliveryTime)
	d.Ctx = ctx
	d.Deadline = d.Now().Add(d.MaxDeliveryTime)
	return &d, cancel
}

// Call runs one platform call, retrying rate limits (after the wait the
// platform named) and transient failures (with exponential backoff) until
// it succeeds, fails for good, or the next wait would pass the deadline.
func (d *Delivery) Call(method string, fn func(ctx context.Context) error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(d.Ctx, attemptTimeout)
		err := fn(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if d.Redact != nil {
			err = d.Redact(err)
		}
		wait, retry := d.classify(method, err, &backoff)
		switch {
		case !retry:
			return d.Fail(method, err)
		case d.Ctx.Err() != nil:
			return d.Fail(method, fmt.Errorf("%w (last error: %v)", d.Ctx.Err(), err))
		case d.Now().Add(wait).After(d.Deadline):
			return d.Fail(method, fmt.Errorf("giving up after %d attempts: %w", attempt, err))
		}
		d.Logger.Debug(d.Platform+": retrying", "method", method, "attempt", attempt, "wait", wait, "err", err.Error())
		if serr := d.Sleep(d.Ctx, wait); serr != nil {
			return d.Fail(method, fmt.Errorf("%w (last error: %v)", serr, err))
		}
	}
}

// classify counts err in the metrics and says whether and how long to
// wait before retrying.
func (d *Delivery) classify(method string, err error, backoff *time.Duration) (time.Duration, bool) {
	f := d.Classify(err)
	if f.RateLimited {
		if d.Metrics != nil {
			d.Metrics.RateLimited.WithLabelValues(d.Platform, method).Inc()
		}
		if f.RetryAfter > 0 {
			return f.RetryAfter, true
		}
		return nextBackoff(backoff), true
	}
	if d.Ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return 0, false // our own deadline or the caller's cancellation, not the platform's fault
	}
	if d.Metrics != nil {
		d.Metrics.PlatformErrors.WithLabelValues(d.Platform, method).Inc()
	}
	if f.Transient {
		return nextBackoff(backoff), true
	}
	return 0, false
}

// Fail records that method was given up on and returns err naming it.
func (d *Delivery) Fail(method string, err error) error {
	d.failed = append(d.failed, method)
	return fmt.Errorf("%s %s: %w", d.Platform, method, err)
}

// Recovered forgets the last failed method: another way around it is
// being taken.
func (d *Delivery) Recovered() {
	if len(d.failed) > 0 {
		d.failed = d.failed[:len(d.failed)-1]
	}
}

// Finish ends the delivery with err. A failure is logged once, naming the
// channel, the request ID and the methods given up on, and counted as
// undelivered; err is returned unchanged.
func (d *Delivery) Finish(err error) error {
	if err == nil {
		return nil
	}
	if d.Metrics != nil {
		d.Metrics.Undelivered.WithLabelValues(d.Platform).Inc()
	}
	d.Logger.Error(d.Platform+": reply not delivered", "channel", d.Channel, "request_id", d.RequestID,
		"method", strings.Join(d.failed, ","), "err", err.Error())
	return err
}

// TransportFailure reports errors from the network rather than from the
// platform: dial and connection errors, timeouts.
func TransportFailure(err error) bool {
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
