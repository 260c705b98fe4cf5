package tickets

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/internal/clock"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Retry defaults.
const (
	DefaultMaxAttempts = 4
	DefaultBaseWait    = 500 * time.Millisecond
	DefaultMaxWait     = 30 * time.Second
	maxResponseBytes   = 1 << 20
	maxMessageRunes    = 300
)

// RetryPolicy bounds the retries of one call: 429 (honouring Retry-After,
// or GitHub's x-ratelimit-reset), 5xx and connection failures are retried
// with exponential backoff, never past the context's deadline. Other
// transport errors (a timeout or a reset after the request was sent) are
// retried for lookups (GET) only: after a POST the ticket may exist, and a
// second POST would file it twice.
type RetryPolicy struct {
	// MaxAttempts is the most requests sent per call (default 4).
	MaxAttempts int
	// BaseWait is the first backoff step; it doubles per attempt (default 500ms).
	BaseWait time.Duration
	// MaxWait is the longest wait honoured; a longer Retry-After ends the
	// retries at once with the *Error's RetryAfter set (default 30s).
	MaxWait time.Duration
	// Sleep waits d or until ctx ends (default: a timer); tests inject one.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for HTTP-date Retry-After and rate-limit resets.
	Now func() time.Time
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseWait <= 0 {
		p.BaseWait = DefaultBaseWait
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.Sleep == nil {
		p.Sleep = clock.Sleep
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return p
}

// ClientOptions are the HTTP settings shared by the Ticketers.
type ClientOptions struct {
	// HTTPClient sends the requests (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// Retry bounds retries.
	Retry RetryPolicy
	// UserAgent is sent with every request (default "caracal-bot").
	UserAgent string
	// Scrubber removes secrets from error texts and, as the last guard,
	// the bot's configured secrets from every request body (default: one
	// that knows the system's own credentials).
	Scrubber *redact.Scrubber
}

// caller sends one logical call with retries and turns failures into *Error.
type caller struct {
	system string
	client *http.Client
	retry  RetryPolicy
	agent  string
	scrub  *redact.Scrubber // for every error text
}

// newCaller builds the caller of one system; own are the system's
// credentials, sent in its Authorization header and nowhere else: the
// client refuses redirects to another origin and scrubs request bodies.
func newCaller(system string, o ClientOptions, own ...string) *caller {
	c := &caller{system: system, retry: o.Retry.withDefaults(), agent: o.UserAgent, scrub: o.Scrubber}
	if c.scrub == nil {
		c.scrub = redact.New(own...)
	}
	if o.HTTPClient == nil {
		c.client = egress.New(30*time.Second, c.scrub)
	} else {
		c.client = egress.Client(o.HTTPClient, c.scrub)
	}
	if c.agent == "" {
		c.agent = "caracal-bot"
	}
	return c
}

// response is a read answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends the request build makes (once per attempt, so bodies are fresh)
// until it gets a 2xx answer, a final error, or runs out of attempts or time.
func (c *caller) do(ctx context.Context, op string, build func(ctx context.Context) (*http.Request, error)) (*response, error) {
	last := &Error{System: c.system, Op: op}
	for attempt := 1; ; attempt++ {
		last.Attempts = attempt
		req, err := build(ctx)
		if err != nil {
			last.Err = errors.New(c.scrub.String(err.Error()))
			return nil, last
		}
		req.Header.Set("User-Agent", c.agent)
		var wait time.Duration
		resp, err := c.client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				last.Err = ctx.Err()
				return nil, last
			}
			last.Status, last.Message, last.Err = 0, "", c.transportError(err)
			if !dialFailed(err) && req.Method != http.MethodGet {
				// The request may have reached the system: sending it again
				// could file a second ticket, so the caller spools it instead.
				return nil, last
			}
			wait = c.backoff(attempt)
		} else {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
			_ = resp.Body.Close()
			r := &response{status: resp.StatusCode, header: resp.Header, body: body}
			if r.status >= 200 && r.status < 300 {
				return r, nil
			}
			last.Status, last.Err, last.Message = r.status, nil, c.message(body)
			var retry bool
			wait, retry = c.classify(r, attempt, last)
			if !retry {
				return nil, last
			}
		}
		if attempt >= c.retry.MaxAttempts || wait > c.retry.MaxWait {
			return nil, last
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
			return nil, last
		}
		if err := c.retry.Sleep(ctx, wait); err != nil {
			return nil, last
		}
	}
}

// classify decides whether an error answer is worth another attempt, and
// after what wait. It records a rate limit's wait on last.
func (c *caller) classify(r *response, attempt int, last *Error) (time.Duration, bool) {
	now := c.retry.Now()
	ra, hasRA := parseRetryAfter(r.header.Get("Retry-After"), now)
	reset, hasReset := rateLimitReset(r.header, now)
	switch {
	case r.status == http.StatusTooManyRequests,
		r.status == http.StatusForbidden && (hasRA || hasReset): // GitHub's secondary rate limit
		wait := c.backoff(attempt)
		if hasRA {
			wait = ra
		} else if hasReset {
			wait = reset
		}
		last.RetryAfter = wait
		return wait, true
	case r.status == http.StatusInternalServerError, r.status == http.StatusBadGateway,
		r.status == http.StatusServiceUnavailable, r.status == http.StatusGatewayTimeout:
		if hasRA {
			return ra, true
		}
		return c.backoff(attempt), true
	}
	return 0, false
}

// backoff is BaseWait·2^(attempt-1) with jitter, at most MaxWait.
func (c *caller) backoff(attempt int) time.Duration {
	d := c.retry.BaseWait << min(attempt-1, 16)
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	return min(d, c.retry.MaxWait)
}

// dialFailed reports whether err happened before the request was sent (no
// connection could be made), which makes a retry safe.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 86400)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// rateLimitReset reads GitHub's x-ratelimit-remaining: 0 with
// x-ratelimit-reset (epoch seconds) as the wait until the reset.
func rateLimitReset(h http.Header, now time.Time) (time.Duration, bool) {
	if h.Get("X-Ratelimit-Remaining") != "0" {
		return 0, false
	}
	n, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64)
	if err != nil {
		return 0, false
	}
	return max(time.Unix(n, 0).Sub(now), 0), true
}

// message clips and scrubs an error answer's text for an *Error.
func (c *caller) message(body []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "?")), " ")
	s = c.scrub.String(s)
	if utf8.RuneCountInString(s) > maxMessageRunes {
		s = string([]rune(s)[:maxMessageRunes]) + "…"
	}
	return s
}

// transportError is a failed request's error, scrubbed; a refused
// redirect is reported alone, its URLs free of credentials and queries.
func (c *caller) transportError(err error) error {
	if r, ok := egress.AsRedirect(err); ok {
		return r
	}
	return errors.New(c.scrub.String(err.Error()))
}
