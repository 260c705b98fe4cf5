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
	secret string
	guard  signedhttp.Guard
}

// NewVerifier returns a Verifier. now and replay may be nil (wall clock,
// in-memory store); maxBody <= 0 means signedhttp.DefaultMaxBody.
func NewVerifier(secret string, maxBody int64, now func() time.Time, replay signedhttp.ReplayStore) *Verifier {
	return &Verifier{secret: secret, guard: signedhttp.NewGuard(Name, maxBody, now, replay)}
}

// Verify reads r's body, checks it and returns it with its signedhttp.Use:
// a request AlreadyHandled (Slack's retry, a replay) must be answered 200
// and not run again. Nothing in the body may be trusted or acted on unless
// the error is nil; failures are signedhttp's errors. w may be nil; when
// given, an oversized body also closes the connection.
//
// The injected clock governs the window check and the replay memory;
// slack-go's NewSecretsVerifier also checks the window against the wall
// clock, which is the same clock outside tests.
func (v *Verifier) Verify(w http.ResponseWriter, r *http.Request) ([]byte, signedhttp.Use, error) {
	if v.secret == "" {
		return nil, signedhttp.First, fmt.Errorf("%w: no signing secret configured", signedhttp.ErrBadSignature)
	}
	sig := r.Header.Get("X-Slack-Signature")
	rawTS := r.Header.Get("X-Slack-Request-Timestamp")
	if sig == "" || rawTS == "" {
		return nil, signedhttp.First, signedhttp.ErrMissingSignature
	}
	sent, err := v.guard.Timestamp(rawTS)
	if err != nil {
		return nil, signedhttp.First, err
	}
	sv, err := slack.NewSecretsVerifier(r.Header, v.secret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return nil, signedhttp.First, signedhttp.ErrStaleTimestamp
	case errors.Is(err, slack.ErrMissingHeaders):
		return nil, signedhttp.First, signedhttp.ErrMissingSignature
	case err != nil:
		return nil, signedhttp.First, signedhttp.ErrBadSignature
	}
	body, err := v.guard.Body(w, r, &sv)
	if err != nil {
		return nil, signedhttp.First, err
	}
	if err := sv.Ensure(); err != nil {
		return nil, signedhttp.First, signedhttp.ErrBadSignature
	}
	// Hex digits may come in either case; the key must not.
	use, err := v.guard.FirstUse(r.Context(), strings.ToLower(sig), sent)
	if err != nil {
		return nil, use, err
	}
	return body, use, nil
}
