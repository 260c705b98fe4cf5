package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

// testKey is a fixed Ed25519 key pair standing in for Discord's.
var testKey = ed25519.NewKeyFromSeed([]byte("caracal-bot discord test seed 32"))

func testPublicKey() string { return hex.EncodeToString(testKey.Public().(ed25519.PublicKey)) }

func signature(ts, body string) string {
	return hex.EncodeToString(ed25519.Sign(testKey, []byte(ts+body)))
}

func signedRequest(ts int64, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, PathInteractions, strings.NewReader(body))
	s := strconv.FormatInt(ts, 10)
	r.Header.Set("X-Signature-Timestamp", s)
	r.Header.Set("X-Signature-Ed25519", signature(s, body))
	return r
}

func TestVerifier_ClockAndReplay(t *testing.T) {
	clock := bottest.NewClock(time.Unix(1_700_000_000, 0))
	v := NewVerifier(testPublicKey(), 0, clock.Now, nil)
	ts := clock.Now().Unix()

	body, use, err := v.Verify(nil, signedRequest(ts, `{"type":1}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":1}`, string(body))
	assert.Equal(t, signedhttp.First, use)
	_, use, err = v.Verify(nil, signedRequest(ts, `{"type":1}`))
	require.NoError(t, err, "the same signed request again is no failure")
	assert.Equal(t, signedhttp.AlreadyHandled, use)
	r := signedRequest(ts, `{"type":1}`)
	r.Header.Set("X-Signature-Ed25519", strings.ToUpper(r.Header.Get("X-Signature-Ed25519")))
	_, use, err = v.Verify(nil, r)
	require.NoError(t, err)
	assert.Equal(t, signedhttp.AlreadyHandled, use, "the same signature in upper case is the same signature")
	_, use, err = v.Verify(nil, signedRequest(ts, `{"type": 1}`))
	require.NoError(t, err)
	assert.Equal(t, signedhttp.First, use, "another body is another signature")

	// A timestamp 6 minutes old, or ahead, is refused.
	_, _, err = v.Verify(nil, signedRequest(ts-6*60, `{"type":2}`))
	assert.ErrorIs(t, err, signedhttp.ErrStaleTimestamp)
	_, _, err = v.Verify(nil, signedRequest(ts+6*60, `{"type":2}`))
	assert.ErrorIs(t, err, signedhttp.ErrStaleTimestamp)
	_, _, err = v.Verify(nil, signedRequest(ts-4*60, `{"type":2}`))
	assert.NoError(t, err, "4 minutes is inside the window")

	// Once the window has passed, the remembered signature may be
	// forgotten: the request is stale by then.
	clock.Add(signedhttp.Window + 2*time.Second)
	_, _, err = v.Verify(nil, signedRequest(ts, `{"type":1}`))
	assert.ErrorIs(t, err, signedhttp.ErrStaleTimestamp)
	assert.Equal(t, http.StatusUnauthorized, signedhttp.Status(err))
}

func TestVerifier_Failures(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	v := NewVerifier(testPublicKey(), 16, clock, nil)
	_, _, err := v.Verify(nil, signedRequest(now.Unix(), strings.Repeat("x", 17)))
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, signedhttp.Status(err))
	r := signedRequest(now.Unix()-1, strings.Repeat("x", 17))
	r.ContentLength = -1 // unknown: the limit applies while reading
	_, _, err = v.Verify(nil, r)
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge)

	tests := []struct {
		name   string
		mutate func(r *http.Request)
		want   error
	}{
		{"no signature", func(r *http.Request) { r.Header.Del("X-Signature-Ed25519") }, signedhttp.ErrMissingSignature},
		{"no timestamp", func(r *http.Request) { r.Header.Del("X-Signature-Timestamp") }, signedhttp.ErrMissingSignature},
		{"signature not hex", func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", "zz") }, signedhttp.ErrBadSignature},
		{"signature too short", func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", "abcd") }, signedhttp.ErrBadSignature},
		{"signature of another body", func(r *http.Request) {
			r.Header.Set("X-Signature-Ed25519", signature(r.Header.Get("X-Signature-Timestamp"), "{}"))
		}, signedhttp.ErrBadSignature},
		{"timestamp changed after signing", func(r *http.Request) {
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(now.Unix()-1, 10))
		}, signedhttp.ErrBadSignature},
		{"timestamp unreadable", func(r *http.Request) { r.Header.Set("X-Signature-Timestamp", "yesterday") }, signedhttp.ErrStaleTimestamp},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signedRequest(now.Unix(), `{"n":`+strconv.Itoa(i)+`}`)
			tt.mutate(r)
			_, _, err := v.Verify(nil, r)
			assert.ErrorIs(t, err, tt.want)
			assert.Equal(t, http.StatusUnauthorized, signedhttp.Status(err))
		})
	}

	other := ed25519.NewKeyFromSeed([]byte("another key, another application"))
	_, _, err = NewVerifier(hex.EncodeToString(other.Public().(ed25519.PublicKey)), 0, clock, nil).Verify(nil, signedRequest(now.Unix(), "{}"))
	assert.ErrorIs(t, err, signedhttp.ErrBadSignature, "signed by another key")
	for _, key := range []string{"", "not hex", "abcd"} {
		_, _, err = NewVerifier(key, 0, clock, nil).Verify(nil, signedRequest(now.Unix(), "{}"))
		assert.ErrorIs(t, err, signedhttp.ErrBadSignature, "key %q", key)
		_, err = ParsePublicKey(key)
		assert.Error(t, err)
	}

	_, _, err = NewVerifier(testPublicKey(), 0, clock, failingStore{}).Verify(nil, signedRequest(now.Unix(), "{}"))
	assert.ErrorIs(t, err, signedhttp.ErrReplayUnavailable)
	assert.Equal(t, http.StatusServiceUnavailable, signedhttp.Status(err))
}

type failingStore struct{}

func (failingStore) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("redis down")
}
