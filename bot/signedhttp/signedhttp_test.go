package signedhttp_test

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

	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

var now = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func guard(maxBody int64) signedhttp.Guard {
	return signedhttp.NewGuard("chatx", maxBody, func() time.Time { return now }, nil)
}

func TestTimestampWindow(t *testing.T) {
	g := guard(0)
	for _, tc := range []struct {
		raw string
		err error
	}{
		{strconv.FormatInt(now.Unix(), 10), nil},
		{strconv.FormatInt(now.Add(-signedhttp.Window).Unix(), 10), nil},
		{strconv.FormatInt(now.Add(signedhttp.Window).Unix(), 10), nil},
		{strconv.FormatInt(now.Add(-signedhttp.Window-time.Second).Unix(), 10), signedhttp.ErrStaleTimestamp},
		{strconv.FormatInt(now.Add(signedhttp.Window+time.Second).Unix(), 10), signedhttp.ErrStaleTimestamp},
		{"-1", signedhttp.ErrStaleTimestamp},
		{"99999999999999", signedhttp.ErrStaleTimestamp},
		{"12:00", signedhttp.ErrStaleTimestamp},
	} {
		sent, err := g.Timestamp(tc.raw)
		if tc.err != nil {
			assert.ErrorIs(t, err, tc.err, tc.raw)
			continue
		}
		require.NoError(t, err, tc.raw)
		assert.Equal(t, tc.raw, strconv.FormatInt(sent.Unix(), 10))
	}
}

func TestBodyLimit(t *testing.T) {
	g := guard(8)
	body, err := g.Body(nil, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("12345678")))
	require.NoError(t, err)
	assert.Equal(t, "12345678", string(body))

	_, err = g.Body(nil, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("123456789")))
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge, "a declared length over the limit")
	unknown := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("123456789"))
	unknown.ContentLength = -1
	_, err = g.Body(httptest.NewRecorder(), unknown)
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge, "an undeclared length over the limit")
}

// upperScheme signs a body with its upper case, in X-Sig, sent at X-TS.
type upperScheme struct{}

func (upperScheme) Signature(h http.Header) (string, string) { return h.Get("X-Sig"), h.Get("X-TS") }

func (upperScheme) Check(h http.Header, body []byte) (string, error) {
	if h.Get("X-Sig") != strings.ToUpper(string(body)) {
		return "", signedhttp.ErrBadSignature
	}
	return strings.ToLower(h.Get("X-Sig")), nil
}

func TestVerifyRunsTheSharedChecksAroundTheScheme(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	request := func(sig string, sent time.Time, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Sig", sig)
		r.Header.Set("X-TS", strconv.FormatInt(sent.Unix(), 10))
		return r
	}
	g := signedhttp.NewGuard("chatx", 8, func() time.Time { return now }, nil)
	for _, tc := range []struct {
		name string
		r    *http.Request
		want error
	}{
		{"no signature", request("", now, "hello"), signedhttp.ErrMissingSignature},
		{"stale", request("HELLO", now.Add(-signedhttp.Window-time.Second), "hello"), signedhttp.ErrStaleTimestamp},
		{"too large", request("HELLO WORLD", now, "hello world"), signedhttp.ErrBodyTooLarge},
		{"bad signature", request("HELLO", now, "howdy"), signedhttp.ErrBadSignature},
	} {
		_, _, err := g.Verify(nil, tc.r, upperScheme{})
		assert.ErrorIs(t, err, tc.want, tc.name)
	}

	body, use, err := g.Verify(nil, request("HELLO", now, "hello"), upperScheme{})
	require.NoError(t, err)
	assert.Equal(t, "hello", string(body))
	assert.Equal(t, signedhttp.First, use)
	body, use, err = g.Verify(nil, request("HELLO", now, "hello"), upperScheme{})
	require.NoError(t, err, "the same request again is no failure")
	assert.Equal(t, "hello", string(body))
	assert.Equal(t, signedhttp.AlreadyHandled, use)

	down := signedhttp.NewGuard("chatx", 8, func() time.Time { return now }, failingStore{})
	_, _, err = down.Verify(nil, request("HELLO", now, "hello"), upperScheme{})
	assert.ErrorIs(t, err, signedhttp.ErrReplayUnavailable)
}

// failingStore is a ReplayStore whose backend is down.
type failingStore struct{}

func (failingStore) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("redis: connection refused")
}

func TestFirstUse(t *testing.T) {
	g := guard(0)
	ctx := context.Background()
	use, err := g.FirstUse(ctx, "abc", now)
	require.NoError(t, err)
	assert.Equal(t, signedhttp.First, use)
	use, err = g.FirstUse(ctx, "abc", now)
	require.NoError(t, err, "a signature seen before is no failure")
	assert.Equal(t, signedhttp.AlreadyHandled, use)
	use, err = signedhttp.NewGuard("other", 0, func() time.Time { return now }, nil).FirstUse(ctx, "abc", now)
	require.NoError(t, err)
	assert.Equal(t, signedhttp.First, use, "each guard has its own memory")

	down := signedhttp.NewGuard("chatx", 0, nil, failingStore{})
	_, err = down.FirstUse(ctx, "abc", now)
	assert.ErrorIs(t, err, signedhttp.ErrReplayUnavailable)
}

// ttlStore records the ttl it is asked to keep a key for.
type ttlStore struct{ ttl time.Duration }

func (s *ttlStore) FirstSeen(_ context.Context, _ string, ttl time.Duration) (bool, error) {
	s.ttl = ttl
	return true, nil
}

func TestFirstUseRemembersUntilTheWindowCloses(t *testing.T) {
	store := &ttlStore{}
	g := signedhttp.NewGuard("chatx", 0, func() time.Time { return now }, store)
	_, err := g.FirstUse(context.Background(), "abc", now.Add(-time.Minute))
	require.NoError(t, err)
	assert.Equal(t, signedhttp.Window-time.Minute+time.Second, store.ttl)
	_, err = g.FirstUse(context.Background(), "def", now.Add(-signedhttp.Window-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, time.Second, store.ttl, "a body read past the window is still remembered a while, never forever")
}

func TestStatus(t *testing.T) {
	assert.Equal(t, http.StatusRequestEntityTooLarge, signedhttp.Status(signedhttp.ErrBodyTooLarge))
	assert.Equal(t, http.StatusServiceUnavailable, signedhttp.Status(signedhttp.ErrReplayUnavailable))
	for _, err := range []error{signedhttp.ErrMissingSignature, signedhttp.ErrBadSignature, signedhttp.ErrStaleTimestamp} {
		assert.Equal(t, http.StatusUnauthorized, signedhttp.Status(err), err.Error())
	}
}
