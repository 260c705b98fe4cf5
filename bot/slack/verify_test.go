package slack

import (
	"context"
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

func signedRequest(ts int64, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, PathCommands, strings.NewReader(body))
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(testSecret, ts, body))
	return r
}

func TestVerifier_ClockAndReplay(t *testing.T) {
	clock := bottest.NewClock(time.Now())
	v := NewVerifier(testSecret, 0, clock.Now, nil)
	ts := clock.Now().Unix()

	body, use, err := v.Verify(nil, signedRequest(ts, "a=1"))
	require.NoError(t, err)
	assert.Equal(t, "a=1", string(body))
	assert.Equal(t, signedhttp.First, use)
	body, use, err = v.Verify(nil, signedRequest(ts, "a=1"))
	require.NoError(t, err, "the same signed request again is no failure")
	assert.Equal(t, "a=1", string(body))
	assert.Equal(t, signedhttp.AlreadyHandled, use)
	_, use, err = v.Verify(nil, signedRequest(ts, "a=2"))
	require.NoError(t, err)
	assert.Equal(t, signedhttp.First, use, "another body is another signature")

	// Once the window has passed, the remembered signature may be
	// forgotten: the request is stale by then.
	clock.Add(signedhttp.Window + 2*time.Second)
	_, _, err = v.Verify(nil, signedRequest(ts, "a=1"))
	assert.ErrorIs(t, err, signedhttp.ErrStaleTimestamp)
	assert.Equal(t, http.StatusUnauthorized, signedhttp.Status(err))
}

func TestVerifier_Failures(t *testing.T) {
	now := time.Now()
	v := NewVerifier(testSecret, 16, func() time.Time { return now }, nil)
	_, _, err := v.Verify(nil, signedRequest(now.Unix(), strings.Repeat("x", 17)))
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, signedhttp.Status(err))
	r := signedRequest(now.Unix()-1, strings.Repeat("x", 17))
	r.ContentLength = -1 // unknown: the limit applies while reading
	_, _, err = v.Verify(nil, r)
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge)

	r = signedRequest(now.Unix(), "a=1")
	r.Header.Set("X-Slack-Signature", "v0=zz")
	_, _, err = v.Verify(nil, r)
	assert.ErrorIs(t, err, signedhttp.ErrBadSignature)

	_, _, err = NewVerifier("", 0, nil, nil).Verify(nil, signedRequest(now.Unix(), "a=1"))
	assert.ErrorIs(t, err, signedhttp.ErrBadSignature, "no secret refuses everything")
}

type failingStore struct{}

func (failingStore) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("redis: connection refused")
}

func TestVerifier_ReplayStoreDown(t *testing.T) {
	v := NewVerifier(testSecret, 0, nil, failingStore{})
	_, _, err := v.Verify(nil, signedRequest(time.Now().Unix(), "a=1"))
	assert.ErrorIs(t, err, signedhttp.ErrReplayUnavailable)
	assert.Equal(t, http.StatusServiceUnavailable, signedhttp.Status(err))
}
