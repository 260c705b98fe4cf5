package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

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
// application's public key, plus the shared checks of signedhttp on the
// timestamp (X-Signature-Timestamp, Unix seconds), the body and the memory
// of the signatures already handled.
type Verifier struct {
	key    ed25519.PublicKey
	keyErr error
	guard  signedhttp.Guard
}

// NewVerifier returns a Verifier for the hex public key. now and replay may
// be nil (wall clock, in-memory store); maxBody <= 0 means
// signedhttp.DefaultMaxBody. With an invalid key every request is refused
// (check keys at start-up with ParsePublicKey).
func NewVerifier(publicKey string, maxBody int64, now func() time.Time, replay signedhttp.ReplayStore) *Verifier {
	key, err := ParsePublicKey(publicKey)
	return &Verifier{key: key, keyErr: err, guard: signedhttp.NewGuard(Name, maxBody, now, replay)}
}

// Verify reads r's body, checks it and returns it with its signedhttp.Use:
// an interaction AlreadyHandled (a replay) must be answered idempotently
// and not run again. Nothing in the body may be trusted or acted on unless
// the error is nil; failures are signedhttp's errors. w may be nil; when
// given, an oversized body also closes the connection.
func (v *Verifier) Verify(w http.ResponseWriter, r *http.Request) ([]byte, signedhttp.Use, error) {
	if v.keyErr != nil {
		return nil, signedhttp.First, fmt.Errorf("%w: %v", signedhttp.ErrBadSignature, v.keyErr)
	}
	sigHex := r.Header.Get("X-Signature-Ed25519")
	rawTS := r.Header.Get("X-Signature-Timestamp")
	if sigHex == "" || rawTS == "" {
		return nil, signedhttp.First, signedhttp.ErrMissingSignature
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, signedhttp.First, signedhttp.ErrBadSignature
	}
	sent, err := v.guard.Timestamp(rawTS)
	if err != nil {
		return nil, signedhttp.First, err
	}
	body, err := v.guard.Body(w, r, nil)
	if err != nil {
		return nil, signedhttp.First, err
	}
	msg := make([]byte, 0, len(rawTS)+len(body))
	msg = append(append(msg, rawTS...), body...)
	if !ed25519.Verify(v.key, msg, sig) {
		return nil, signedhttp.First, signedhttp.ErrBadSignature
	}
	// Ed25519 signatures are deterministic: the same timestamp and body give
	// the same signature, whatever the case of its hex digits.
	use, err := v.guard.FirstUse(r.Context(), hex.EncodeToString(sig), sent)
	if err != nil {
		return nil, use, err
	}
	return body, use, nil
}
