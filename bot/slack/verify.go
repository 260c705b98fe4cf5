package slack

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

// Verifier checks that HTTP requests come from Slack: the v0 HMAC-SHA256
// signature of "v0:timestamp:body" under the signing secret, plus the
// shared checks of signedhttp (timestamp window, bounded body, memory of
// the signatures already handled).
type Verifier struct {
	guard  signedhttp.Guard
	scheme v0Scheme
}

// v0Scheme is Slack's signature scheme (signedhttp.Scheme) under a signing
// secret.
type v0Scheme struct{ secret string }

// NewVerifier returns a Verifier. now and replay may be nil (wall clock,
// in-memory store); maxBody <= 0 means signedhttp.DefaultMaxBody.
func NewVerifier(secret string, maxBody int64, now func() time.Time, replay signedhttp.ReplayStore) *Verifier {
	return &Verifier{guard: signedhttp.NewGuard(Name, maxBody, now, replay), scheme: v0Scheme{secret}}
}

// Verify reads r's body, checks it and returns it with its signedhttp.Use:
// a request AlreadyHandled (Slack's retry, a replay) must be answered 200
// and not run again. Nothing in the body may be trusted or acted on unless
// the error is nil; failures are signedhttp's errors. w may be nil; when
// given, an oversized body also closes the connection.
func (v *Verifier) Verify(w http.ResponseWriter, r *http.Request) ([]byte, signedhttp.Use, error) {
	return v.guard.Verify(w, r, v.scheme)
}

// Signature implements signedhttp.Scheme.
func (v0Scheme) Signature(h http.Header) (signature, timestamp string) {
	return h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
}

// Check implements signedhttp.Scheme: the v0 signature of the body under
// the signing secret, through slack-go. The injected clock governs the
// window and the replay memory; slack-go also checks the window against
// the wall clock, which is the same clock outside tests.
func (s v0Scheme) Check(h http.Header, body []byte) (string, error) {
	if s.secret == "" {
		return "", fmt.Errorf("%w: no signing secret configured", signedhttp.ErrBadSignature)
	}
	sv, err := slack.NewSecretsVerifier(h, s.secret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return "", signedhttp.ErrStaleTimestamp
	case errors.Is(err, slack.ErrMissingHeaders):
		return "", signedhttp.ErrMissingSignature
	case err != nil:
		return "", signedhttp.ErrBadSignature
	}
	if _, err := sv.Write(body); err != nil || sv.Ensure() != nil {
		return "", signedhttp.ErrBadSignature
	}
	// Hex digits may come in either case; the key must not.
	return strings.ToLower(h.Get("X-Slack-Signature")), nil
}
