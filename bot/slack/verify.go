package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot"
)

// Verification limits.
const (
	// DefaultMaxBody is the largest request body accepted from Slack.
	DefaultMaxBody int64 = 64 << 10
	// SignatureWindow is how far a request's timestamp may be from now,
	// either way, as Slack recommends (and slack-go enforces).
	SignatureWindow = 5 * time.Minute
)

// Verification failures. Every one of them is answered 401, except
// ErrBodyTooLarge (413) and ErrReplayUnavailable (503).
var (
	ErrMissingSignature  = errors.New("slack: missing signature headers")
	ErrBadSignature      = errors.New("slack: invalid signature")
	ErrStaleTimestamp    = errors.New("slack: request timestamp outside the 5-minute window")
	ErrReplayed          = errors.New("slack: replayed request signature")
	ErrBodyTooLarge      = errors.New("slack: request body too large")
	ErrReplayUnavailable = errors.New("slack: replay protection unavailable")
)

// ReplayStore remembers verified signatures for a while so a captured
// request cannot be replayed inside the timestamp window. Any bot.Deduper
// satisfies it (bot.MemoryDeduper here; a shared Redis backend later).
type ReplayStore interface {
	// FirstSeen records key for ttl and reports whether it was new.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// Verifier checks that HTTP requests come from Slack: the v0 HMAC-SHA256
// signature of "v0:timestamp:body" under the signing secret, a timestamp at
// most SignatureWindow from now, a bounded body and a signature never seen
// before.
type Verifier struct {
	secret  string
	maxBody int64
	now     func() time.Time
	replay  ReplayStore
}

// NewVerifier returns a Verifier. now and replay may be nil (wall clock,
// in-memory store); maxBody <= 0 means DefaultMaxBody.
func NewVerifier(secret string, maxBody int64, now func() time.Time, replay ReplayStore) *Verifier {
	if now == nil {
		now = time.Now
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	if replay == nil {
		replay = bot.NewMemoryDeduper(now)
	}
	return &Verifier{secret: secret, maxBody: maxBody, now: now, replay: replay}
}

// Verify reads r's body, checks it and returns it. Nothing in the body may
// be trusted or acted on unless the error is nil. w may be nil; when given,
// an oversized body also closes the connection.
//
// The injected clock governs the window check and the replay memory;
// slack-go's NewSecretsVerifier also checks the window against the wall
// clock, which is the same clock outside tests.
func (v *Verifier) Verify(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if v.secret == "" {
		return nil, fmt.Errorf("%w: no signing secret configured", ErrBadSignature)
	}
	sig := r.Header.Get("X-Slack-Signature")
	rawTS := r.Header.Get("X-Slack-Request-Timestamp")
	if sig == "" || rawTS == "" {
		return nil, ErrMissingSignature
	}
	ts, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable timestamp", ErrStaleTimestamp)
	}
	sent := time.Unix(ts, 0)
	now := v.now()
	if d := now.Sub(sent); d > SignatureWindow || d < -SignatureWindow {
		return nil, ErrStaleTimestamp
	}
	if r.ContentLength > v.maxBody {
		return nil, ErrBodyTooLarge
	}
	sv, err := slack.NewSecretsVerifier(r.Header, v.secret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return nil, ErrStaleTimestamp
	case errors.Is(err, slack.ErrMissingHeaders):
		return nil, ErrMissingSignature
	case err != nil:
		return nil, ErrBadSignature
	}
	body, err := io.ReadAll(io.TeeReader(http.MaxBytesReader(w, r.Body, v.maxBody), &sv))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, ErrBodyTooLarge
	} else if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrBadSignature, err)
	}
	if err := sv.Ensure(); err != nil {
		return nil, ErrBadSignature
	}
	// Hex digits may come in either case; the key must not.
	key := "slack:sig:" + strings.ToLower(sig)
	ttl := sent.Add(SignatureWindow).Sub(now) + time.Second
	first, err := v.replay.FirstSeen(r.Context(), key, ttl)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReplayUnavailable, err)
	}
	if !first {
		return nil, ErrReplayed
	}
	return body, nil
}

// verifyStatus is the HTTP status that answers a verification failure.
func verifyStatus(err error) int {
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrReplayUnavailable):
		return http.StatusServiceUnavailable
	default:
		return http.StatusUnauthorized
	}
}
