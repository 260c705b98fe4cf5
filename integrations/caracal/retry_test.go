package caracal_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// failThenServe answers the first `fails` requests with rp and later ones
// with body.
func failThenServe(t *testing.T, fails int, rp reply, body []byte) *fake {
	return newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n <= fails {
			rp.write(w)
			return
		}
		reply{body: body}.write(w)
	})
}

func TestRetry503ThenSuccess(t *testing.T) {
	f := failThenServe(t, 1, reply{status: 503, body: fixture(t, "error-503-gateway-sts-unavailable.json")}, fixture(t, "zone.json"))
	z, err := newClient(f).Zone(t.Context(), zoneID)
	require.NoError(t, err)
	assert.Equal(t, "Research", z.Name)
	assert.Len(t, f.Hits(), 2)
}

func TestRetryableStatusesExhaustRetries(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			f := always(t, reply{status: status, body: []byte(`{"error":"x"}`)})
			_, err := newClient(f).Zone(t.Context(), zoneID)
			e, ok := caracal.AsError(err)
			require.True(t, ok, "%T %v", err, err)
			assert.Equal(t, status, e.Status)
			assert.Len(t, f.Hits(), 3, "1 attempt + MaxRetries (default 2)")
		})
	}
}

func TestMaxRetriesConfigurable(t *testing.T) {
	f := always(t, reply{status: 503})
	_, err := newClient(f, func(c *caracal.Config) { c.MaxRetries = 4 }).Zone(t.Context(), zoneID)
	require.Error(t, err)
	assert.Len(t, f.Hits(), 5)

	f = always(t, reply{status: 503})
	_, err = newClient(f, noRetries).Zone(t.Context(), zoneID)
	require.Error(t, err)
	assert.Len(t, f.Hits(), 1)
}

func TestNonRetryableStatuses(t *testing.T) {
	for _, status := range []int{500, 400, 401, 403, 404, 409, 501} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			f := always(t, reply{status: status, body: []byte(`{"error":"x"}`)})
			_, err := newClient(f).Zone(t.Context(), zoneID)
			e, ok := caracal.AsError(err)
			require.True(t, ok)
			assert.Equal(t, status, e.Status)
			assert.Len(t, f.Hits(), 1)
		})
	}
}

func TestRetryAfterSecondsHonoured(t *testing.T) {
	f := failThenServe(t, 1, reply{status: 429, body: []byte(`{"error":"rate_limited"}`),
		header: map[string]string{"Retry-After": "1"}}, fixture(t, "zone.json"))
	c := newClient(f, func(c *caracal.Config) { c.MaxRetryWait = 2 * time.Second })
	_, err := c.Zone(t.Context(), zoneID)
	require.NoError(t, err)
	hits := f.Hits()
	require.Len(t, hits, 2)
	gap := hits[1].At.Sub(hits[0].At)
	assert.GreaterOrEqual(t, gap, 950*time.Millisecond, "waited %v", gap)
	assert.Less(t, gap, 1900*time.Millisecond, "waited %v", gap)
}

func TestRetryAfterHTTPDateClampedToMaxWait(t *testing.T) {
	later := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	f := failThenServe(t, 1, reply{status: 503, header: map[string]string{"Retry-After": later}}, fixture(t, "zone.json"))
	c := newClient(f, func(c *caracal.Config) { c.MaxRetryWait = 300 * time.Millisecond })
	_, err := c.Zone(t.Context(), zoneID)
	require.NoError(t, err)
	hits := f.Hits()
	require.Len(t, hits, 2)
	gap := hits[1].At.Sub(hits[0].At)
	// Plain backoff would wait 50-100ms here; the date asks for an hour,
	// clamped to MaxRetryWait.
	assert.GreaterOrEqual(t, gap, 290*time.Millisecond, "waited %v", gap)
	assert.Less(t, gap, 1500*time.Millisecond, "waited %v", gap)
}

func TestRetryAfterZeroAndPastDate(t *testing.T) {
	for _, ra := range []string{"0", time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)} {
		f := failThenServe(t, 1, reply{status: 503, header: map[string]string{"Retry-After": ra}}, fixture(t, "zone.json"))
		c := newClient(f, func(c *caracal.Config) { c.MaxRetryWait = 2 * time.Second })
		_, err := c.Zone(t.Context(), zoneID)
		require.NoError(t, err)
		require.Len(t, f.Hits(), 2)
	}
}

func TestDeadlineShorterThanRetryAfterStopsAtOnce(t *testing.T) {
	f := always(t, reply{status: 503, body: []byte(`{"error":"sts_unavailable"}`), header: map[string]string{"Retry-After": "10"}})
	c := newClient(f, func(c *caracal.Config) { c.MaxRetryWait = 2 * time.Second; c.MaxRetries = 5 })
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Zone(ctx, zoneID)
	assert.Less(t, time.Since(start), 250*time.Millisecond, "must not sleep into the deadline")
	e, ok := caracal.AsError(err)
	require.True(t, ok, "the last answer is reported: %T %v", err, err)
	assert.Equal(t, 503, e.Status)
	assert.Equal(t, "10", e.RetryAfter)
	assert.Len(t, f.Hits(), 1)
}

func TestDeadlineStopsRetryLoop(t *testing.T) {
	f := always(t, reply{status: 503})
	c := newClient(f, func(c *caracal.Config) { c.MaxRetries = 1000; c.MaxRetryWait = 40 * time.Millisecond })
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Zone(ctx, zoneID)
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.Less(t, elapsed, 1500*time.Millisecond)
	n := len(f.Hits())
	assert.Greater(t, n, 1)
	assert.Less(t, n, 1000)
	if e, ok := caracal.AsError(err); ok {
		assert.Equal(t, 503, e.Status)
	} else {
		assert.True(t, caracal.IsTransport(err), "%T %v", err, err)
	}
}

func TestCancelledContextIsNotRetried(t *testing.T) {
	f := always(t, reply{status: 503})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := newClient(f).Zone(ctx, zoneID)
	var te *caracal.TransportError
	require.True(t, errors.As(err, &te), "%T %v", err, err)
	assert.False(t, te.Timeout)
	assert.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, len(f.Hits()), 1)
}

func TestCancelDuringBackoffReportsLastAnswer(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		reply{status: 503, body: []byte(`{"error":"busy"}`)}.write(w)
		cancel()
	})
	_, err := newClient(f, func(c *caracal.Config) { c.MaxRetryWait = 5 * time.Second }).Zone(ctx, zoneID)
	require.Error(t, err)
	assert.LessOrEqual(t, len(f.Hits()), 2)
}

func TestTransportErrorIsRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // drop the connection without answering
			}
			return
		}
		reply{body: fixture(t, "zone.json")}.write(w)
	})
	z, err := newClient(f).Zone(t.Context(), zoneID)
	require.NoError(t, err)
	assert.Equal(t, "Research", z.Name)
	assert.Len(t, f.Hits(), 2)
}

func TestProbesNeverRetry(t *testing.T) {
	f := always(t, reply{status: 503, body: fixture(t, "ready-sts-redis-down.json")})
	c := newClient(f, func(c *caracal.Config) { c.MaxRetries = 5 })
	p := c.Ready(t.Context(), caracal.ServiceSTS)
	assert.False(t, p.OK)
	p = c.Health(t.Context(), caracal.ServiceSTS)
	assert.False(t, p.OK)
	assert.Len(t, f.Hits(), 2)
}
