package caracal

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/caracal-bot/caracal-bot/egress"
)

const (
	// baseRetryWait is the first backoff step; it doubles on every attempt.
	baseRetryWait = 100 * time.Millisecond
	// minRetryWait is resty's floor on a computed wait (it raises anything
	// lower to this), kept tiny so that "Retry-After: 0" retries at once.
	minRetryWait = time.Millisecond
)

// errRetryBudget stops the retry loop when the next wait would end after the
// context deadline; send turns it back into the last answer.
var errRetryBudget = errors.New("retry wait exceeds the context deadline")

// shouldRetry is the resty retry condition: GETs are retried on 429, 502, 503
// and 504 and on transport errors, never once the caller's context is done
// nor when a body was over its cap or the read budget.
// With a condition installed resty retries transport errors only when the
// condition says so, hence the explicit err branch.
func (c *Client) shouldRetry(resp *resty.Response, err error) bool {
	if resp == nil || resp.Request == nil {
		return false // the request was never sent (could not be built)
	}
	if resp.Request.Context().Err() != nil {
		return false
	}
	if err != nil {
		_, refused := egress.AsRedirect(err)
		var overBudget *ReadBudgetError
		return !refused && !errors.Is(err, resty.ErrResponseBodyTooLarge) && !errors.As(err, &overBudget)
	}
	switch resp.StatusCode() {
	case http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryDelay is the resty RetryAfter callback. It returns the wait before the
// next attempt: Retry-After when the answer carries one, else exponential
// backoff with jitter, both clamped to MaxRetryWait. It refuses (ending the
// loop) when the wait would outlast the context deadline.
func (c *Client) retryDelay(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	if resp == nil || resp.Request == nil {
		return 0, nil // resty's own backoff
	}
	ctx := resp.Request.Context()
	attempt := resp.Request.Attempt
	wait := backoff(attempt, c.maxWait)
	if ra, ok := parseRetryAfter(resp.Header().Get("Retry-After"), time.Now()); ok {
		wait = min(ra, c.maxWait)
	}
	wait = max(wait, minRetryWait)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
		return 0, errRetryBudget
	}
	cl, _ := callFrom(ctx)
	attrs := []slog.Attr{
		slog.String("service", string(cl.svc)),
		slog.String("path", cl.path),
		slog.Int("attempt", attempt),
		slog.Duration("wait", wait),
	}
	if resp.RawResponse != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "caracal retry", attrs...)
	return wait, nil
}

// backoff returns the wait after the given attempt (1-based): baseRetryWait
// doubled per attempt, capped at maxWait, with jitter in [d/2, d].
func backoff(attempt int, maxWait time.Duration) time.Duration {
	attempt = min(max(attempt, 1), 16)
	d := min(baseRetryWait<<(attempt-1), maxWait)
	if d <= 1 {
		return max(d, 0)
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date.
// A date in the past means zero. ok is false when the value is absent or
// unparseable.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second) // avoid Duration overflow
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}
