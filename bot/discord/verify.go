package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/bot"
)

// Verification limits.
const (
	// DefaultMaxBody is the largest interaction body accepted from Discord.
	DefaultMaxBody int64 = 64 << 10
	// SignatureWindow is how far a request's timestamp may be from now,
	// either way. discordgo.VerifyInteraction does not check the age at all.
	SignatureWindow = 5 * time.Minute
)

// Verification failures. Every one of them is answered 401, except
// ErrBodyTooLarge (413) and ErrReplayUnavailable (503).
var (
	ErrMissingSignature  = errors.New("discord: missing signature headers")
	ErrBadSignature      = errors.New("discord: invalid signature")
	ErrStaleTimestamp    = errors.New("discord: request timestamp outside the 5-minute window")
	ErrReplayed          = errors.New("discord: replayed request signature")
	ErrBodyTooLarge      = errors.New("discord: request body too large")
	ErrReplayUnavailable = errors.New("discord: replay protection unavailable")
)

// ReplayStore remembers verified signatures for a while so a captured
// request cannot be replayed inside the timestamp window. Any bot.Deduper
// satisfies it (bot.MemoryDeduper here; a shared Redis backend later).
type ReplayStore interface {
	// FirstSeen records key for ttl and reports whether it was new.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// ParsePublicKey decodes the application's public key as the developer
// portal shows it (64 hex digits).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("discord: the public key must be 64 hex digits (the application's Ed25519 public key)")
	}
	return ed25519.PublicKey(b), nil
}

// Verifier checks that HTTP interactions come from Discord: the Ed25519
// signature (X-Signature-Ed25519) of timestamp + body under the
// application's public key, a timestamp (X-Signature-Timestamp, Unix
// seconds) at most SignatureWindow from now, a bounded body and a signature
// never seen before.
type Verifier struct {
	key     ed25519.PublicKey
	keyErr  error
	maxBody int64
	now     func() time.Time
	replay  ReplayStore
}

// NewVerifier returns a Verifier for the hex public key. now and replay may
// be nil (wall clock, in-memory store); maxBody <= 0 means DefaultMaxBody.
// With an invalid key every request is refused (check keys at start-up with
// ParsePublicKey).
func NewVerifier(publicKey string, maxBody int64, now func() time.Time, replay ReplayStore) *Verifier {
	if now == nil {
		now = time.Now
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	if replay == nil {
		replay = bot.NewMemoryDeduper(now)
	}
	key, err := ParsePublicKey(publicKey)
	return &Verifier{key: key, keyErr: err, maxBody: maxBody, now: now, replay: replay}
}

// Verify reads r's body, checks it and returns it. Nothing in the body may
// be trusted or acted on unless the error is nil. w may be nil; when given,
// an oversized body also closes the connection.
func (v *Verifier) Verify(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if v.keyErr != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, v.keyErr)
	}
	sigHex := r.Header.Get("X-Signature-Ed25519")
	rawTS := r.Header.Get("X-Signature-Timestamp")
	if sigHex == "" || rawTS == "" {
		return nil, ErrMissingSignature
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, ErrBadSignature
	}
	ts, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil || ts < 0 || ts > 1<<40 {
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, v.maxBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, ErrBodyTooLarge
	} else if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrBadSignature, err)
	}
	msg := make([]byte, 0, len(rawTS)+len(body))
	msg = append(append(msg, rawTS...), body...)
	if !ed25519.Verify(v.key, msg, sig) {
		return nil, ErrBadSignature
	}
	// Ed25519 signatures are deterministic: the same timestamp and body give
	// the same signature, whatever the case of its hex digits.
	key := "discord:sig:" + hex.EncodeToString(sig)
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
