package signedhttp_test

import (
	"bytes"
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

func TestBodyLimitAndCopy(t *testing.T) {
	g := guard(8)
	var mac bytes.Buffer
	body, err := g.Body(nil, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("12345678")), &mac)
	require.NoError(t, err)
	assert.Equal(t, "12345678", string(body))
	assert.Equal(t, "12345678", mac.String(), "what is read is also written to the MAC")

	_, err = g.Body(nil, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("123456789")), nil)
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge, "a declared length over the limit")
	unknown := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("123456789"))
	unknown.ContentLength = -1
	_, err = g.Body(httptest.NewRecorder(), unknown, nil)
	assert.ErrorIs(t, err, signedhttp.ErrBodyTooLarge, "an undeclared length over the limit")
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
