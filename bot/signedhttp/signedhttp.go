// Package signedhttp verifies signed HTTP requests from chat platforms:
// Guard.Verify runs the checks every platform shares (the timestamp window,
// the body limit, the memory of requests already handled, by their
// signatures) around the platform's own signature Scheme, and each failure
// has the HTTP status that answers it.
package signedhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/caracal-bot/caracal-bot/bot"
)

// Limits.
const (
	// DefaultMaxBody is the largest request body accepted.
	DefaultMaxBody int64 = 64 << 10
	// Window is how far a request's timestamp may be from now, either way,
	// as Slack recommends; Discord's own libraries check no age at all.
	Window = 5 * time.Minute
	// maxTimestamp refuses absurd timestamps before any time arithmetic.
	maxTimestamp = 1 << 40
)

// Verification failures. Status answers each with 401, except
// ErrBodyTooLarge (413) and ErrReplayUnavailable (503).
var (
	ErrMissingSignature  = errors.New("missing signature headers")
	ErrBadSignature      = errors.New("invalid signature")
	ErrStaleTimestamp    = errors.New("request timestamp outside the 5-minute window")
	ErrBodyTooLarge      = errors.New("request body too large")
	ErrReplayUnavailable = errors.New("replay protection unavailable")
)

// ReplayStore remembers used signatures for a while so that a request is
// handled once inside its timestamp window, whether it comes again as the
// platform's retry or as a replay. Any bot.Deduper satisfies it: in memory,
// a file that survives restarts (state.FileDeduper), Redis for several
// replicas.
type ReplayStore interface {
	// FirstSeen records key for ttl and reports whether it was new.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// Guard applies the shared checks for one platform's verifier.
type Guard struct {
	platform string
	maxBody  int64
	now      func() time.Time
	replay   ReplayStore
}

// NewGuard returns the Guard of platform ("slack", "discord"; it keeps the
// platforms' replay keys apart). now and replay may be nil (wall clock,
// in-memory store); maxBody <= 0 means DefaultMaxBody.
func NewGuard(platform string, maxBody int64, now func() time.Time, replay ReplayStore) Guard {
	if now == nil {
		now = time.Now
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	if replay == nil {
		replay = bot.NewMemoryDeduper(now)
	}
	return Guard{platform: platform, maxBody: maxBody, now: now, replay: replay}
}

// Scheme is one platform's signature scheme.
type Scheme interface {
	// Signature returns the request's signature and timestamp (Unix
	// seconds) headers, "" when missing.
	Signature(h http.Header) (signature, timestamp string)
	// Check verifies the signature of body under the headers h, whose
	// timestamp is within the window; it returns the signature in a
	// canonical form, the key of the replay memory, or a failure.
	Check(h http.Header, body []byte) (canonical string, err error)
}

// Verify reads r's body, checks it with s and the shared checks, and
// returns it with its Use: a request AlreadyHandled (the platform's retry,
// a replay) must be answered 2xx and not run again. Nothing in the body may
// be trusted or acted on unless the error is nil; failures are the errors
// of this package. w may be nil; when given, an oversized body also closes
// the connection.
func (g Guard) Verify(w http.ResponseWriter, r *http.Request, s Scheme) ([]byte, Use, error) {
	sig, rawTS := s.Signature(r.Header)
	if sig == "" || rawTS == "" {
		return nil, First, ErrMissingSignature
	}
	sent, err := g.Timestamp(rawTS)
	if err != nil {
		return nil, First, err
	}
	body, err := g.Body(w, r)
	if err != nil {
		return nil, First, err
	}
	canonical, err := s.Check(r.Header, body)
	if err != nil {
		return nil, First, err
	}
	use, err := g.FirstUse(r.Context(), canonical, sent)
	if err != nil {
		return nil, use, err
	}
	return body, use, nil
}

// Timestamp reads a timestamp header (Unix seconds) and checks that it is
// within Window of now; it returns the time it names.
func (g Guard) Timestamp(raw string) (time.Time, error) {
	ts, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || ts < 0 || ts > maxTimestamp {
		return time.Time{}, fmt.Errorf("%w: unreadable timestamp", ErrStaleTimestamp)
	}
	sent := time.Unix(ts, 0)
	if d := g.now().Sub(sent); d > Window || d < -Window {
		return time.Time{}, ErrStaleTimestamp
	}
	return sent, nil
}

// Body reads r's body, at most the limit. w may be nil; when given, an
// oversized body also closes the connection.
func (g Guard) Body(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > g.maxBody {
		return nil, ErrBodyTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, g.maxBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, ErrBodyTooLarge
	} else if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrBadSignature, err)
	}
	return body, nil
}

// Use is what FirstUse found of a verified request.
type Use uint8

const (
	// First is a request not seen before: handle it.
	First Use = iota
	// AlreadyHandled is the very same signed request seen before: the
	// platform's retry, or a replay. Answer it 2xx and run nothing again; a
	// refusal would only make the platform retry and count a failure.
	AlreadyHandled
)

// FirstUse records a verified signature, in a canonical form, until the
// window of the request sent at sent has closed, and reports whether the
// request is its First use or AlreadyHandled. Its only error is
// ErrReplayUnavailable: a signature seen before is never an error.
func (g Guard) FirstUse(ctx context.Context, signature string, sent time.Time) (Use, error) {
	// At least a second: the body may have been read slowly past the window.
	ttl := max(sent.Add(Window).Sub(g.now())+time.Second, time.Second)
	first, err := g.replay.FirstSeen(ctx, g.platform+":sig:"+signature, ttl)
	switch {
	case err != nil:
		return First, fmt.Errorf("%w: %v", ErrReplayUnavailable, err)
	case !first:
		return AlreadyHandled, nil
	}
	return First, nil
}

// Status is the HTTP status that answers a verification failure.
func Status(err error) int {
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrReplayUnavailable):
		return http.StatusServiceUnavailable
	default:
		return http.StatusUnauthorized
	}
}
