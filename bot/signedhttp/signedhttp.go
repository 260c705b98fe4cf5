// Package signedhttp holds what the Slack and Discord request verifiers
// share: the timestamp window, the body limit, the memory of requests
// already handled (by their signatures), and the failures with the HTTP
// status answering each. Each platform checks its own signature scheme.
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

// Body reads r's body, at most the limit, also writing it to also (a MAC)
// when not nil. w may be nil; when given, an oversized body also closes
// the connection.
func (g Guard) Body(w http.ResponseWriter, r *http.Request, also io.Writer) ([]byte, error) {
	if r.ContentLength > g.maxBody {
		return nil, ErrBodyTooLarge
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, g.maxBody)
	if also != nil {
		src = io.TeeReader(src, also)
	}
	body, err := io.ReadAll(src)
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
