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
	guard  signedhttp.Guard
	scheme ed25519Scheme
}

// ed25519Scheme is Discord's signature scheme (signedhttp.Scheme) under
// the application's public key; keyErr says why the key is unusable.
type ed25519Scheme struct {
	key    ed25519.PublicKey
	keyErr error
}

// NewVerifier returns a Verifier for the hex public key. now and replay may
// be nil (wall clock, in-memory store); maxBody <= 0 means
// signedhttp.DefaultMaxBody. With an invalid key every request is refused
// (check keys at start-up with ParsePublicKey).
func NewVerifier(publicKey string, maxBody int64, now func() time.Time, replay signedhttp.ReplayStore) *Verifier {
	key, err := ParsePublicKey(publicKey)
	return &Verifier{guard: signedhttp.NewGuard(Name, maxBody, now, replay), scheme: ed25519Scheme{key: key, keyErr: err}}
}

// Verify reads r's body, checks it and returns it with its signedhttp.Use:
// an interaction AlreadyHandled (a replay) must be answered idempotently
// and not run again. Nothing in the body may be trusted or acted on unless
// the error is nil; failures are signedhttp's errors. w may be nil; when
// given, an oversized body also closes the connection.
func (v *Verifier) Verify(w http.ResponseWriter, r *http.Request) ([]byte, signedhttp.Use, error) {
	return v.guard.Verify(w, r, v.scheme)
}

// Signature implements signedhttp.Scheme.
func (ed25519Scheme) Signature(h http.Header) (signature, timestamp string) {
	return h.Get("X-Signature-Ed25519"), h.Get("X-Signature-Timestamp")
}

// Check implements signedhttp.Scheme: the Ed25519 signature of timestamp
// + body under the application's public key.
func (s ed25519Scheme) Check(h http.Header, body []byte) (string, error) {
	if s.keyErr != nil {
		return "", fmt.Errorf("%w: %v", signedhttp.ErrBadSignature, s.keyErr)
	}
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", signedhttp.ErrBadSignature
	}
	ts := h.Get("X-Signature-Timestamp")
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(s.key, msg, sig) {
		return "", signedhttp.ErrBadSignature
	}
	// Ed25519 signatures are deterministic: the same timestamp and body give
	// the same signature, whatever the case of its hex digits.
	return hex.EncodeToString(sig), nil
}
