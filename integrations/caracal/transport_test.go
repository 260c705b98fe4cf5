package caracal_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestUnreachablePortIsTransportError(t *testing.T) {
	c := caracal.New(caracal.Config{APIURL: "http://" + deadAddr(t), AdminToken: adminTok, MaxRetryWait: 10 * time.Millisecond})
	_, err := c.Zones(t.Context())
	var te *caracal.TransportError
	require.True(t, errors.As(err, &te), "%T %v", err, err)
	assert.Equal(t, caracal.ServiceAPI, te.Service)
	assert.Equal(t, "GET", te.Method)
	assert.Equal(t, "/v1/zones", te.Path)
	assert.False(t, te.Timeout)
	assert.True(t, caracal.IsTransport(err))
	_, isErr := caracal.AsError(err)
	assert.False(t, isErr)
}

// hang blocks each request until the client gives up.
func hang(t *testing.T) *fake {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	return f
}

func TestPerAttemptTimeout(t *testing.T) {
	f := hang(t)
	c := newClient(f, func(c *caracal.Config) { c.CallTimeout = 100 * time.Millisecond; c.MaxRetries = 1 })
	start := time.Now()
	_, err := c.GatewayMetrics(t.Context())
	assert.Less(t, time.Since(start), 2*time.Second)
	var te *caracal.TransportError
	require.True(t, errors.As(err, &te), "%T %v", err, err)
	assert.True(t, te.Timeout)
	assert.Len(t, f.Hits(), 2, "a timed-out attempt is retried")
}

func TestContextDeadlineIsTimeout(t *testing.T) {
	f := hang(t)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := newClient(f).Explain(ctx, zoneID, "r")
	var te *caracal.TransportError
	require.True(t, errors.As(err, &te), "%T %v", err, err)
	assert.True(t, te.Timeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, f.Hits(), 1, "ctx deadline is not retried")
}

func TestDecodeErrors(t *testing.T) {
	objectBodies := []string{
		"garbage", "<html><body>proxy</body></html>", "[]", "null", `"str"`, "42",
		`{"id": 5}`, `{"id":"x"} trailing`, "", "   ", `{"id":"x"`,
	}
	for _, body := range objectBodies {
		f := always(t, reply{body: []byte(body), header: map[string]string{"Content-Type": "application/json"}})
		_, err := newClient(f).Zone(t.Context(), zoneID)
		assertDecodeError(t, err, body)
		assert.Len(t, f.Hits(), 1, "a decode error is not retried")
	}
	listBodies := []string{`{}`, `{"items": {}}`, `{"items": null}`, `[]`, `{"items": [1]}`, `{"items":[],"next_cursor":5}`}
	for _, body := range listBodies {
		f := always(t, reply{body: []byte(body)})
		_, err := newClient(f).Audit(t.Context(), zoneID, caracal.AuditQuery{})
		assertDecodeError(t, err, body)
	}
	for _, body := range []string{`{}`, `null`, `[{"id": 1}]`} {
		f := always(t, reply{body: []byte(body)})
		_, err := newClient(f).AuditByRequest(t.Context(), zoneID, "r")
		assertDecodeError(t, err, body)
	}
	f := always(t, reply{body: []byte(`{"requests_total": -1}`)})
	_, err := newClient(f).GatewayMetrics(t.Context())
	assertDecodeError(t, err, "negative counter")
}

func assertDecodeError(t *testing.T, err error, body string) {
	t.Helper()
	var de *caracal.DecodeError
	require.True(t, errors.As(err, &de), "body %q: want *DecodeError, got %T %v", body, err, err)
	assert.NotEmpty(t, de.Path)
	assert.False(t, caracal.IsTransport(err))
}

func TestOversizedBodies(t *testing.T) {
	huge := []byte(`{"id":"` + strings.Repeat("x", 9<<20) + `"}`)
	f := always(t, reply{body: huge})
	_, err := newClient(f).Zone(t.Context(), zoneID)
	assertDecodeError(t, err, "9 MiB")
	assert.Len(t, f.Hits(), 1)

	f = always(t, reply{status: 500, body: huge, header: map[string]string{"X-Request-Id": "rid"}})
	_, err = newClient(f).Zone(t.Context(), zoneID)
	e, ok := caracal.AsError(err)
	require.True(t, ok, "%T %v", err, err)
	assert.Equal(t, 500, e.Status)
	assert.Equal(t, "rid", e.RequestID)
}

// TestOperatorObjectsHaveASmallerCap: metrics, stats and approval status
// are a few KiB; 2 MiB of them is not Caracal, where 2 MiB of a zone may be.
func TestOperatorObjectsHaveASmallerCap(t *testing.T) {
	f := always(t, reply{body: []byte(`{"id":"` + strings.Repeat("x", 2<<20) + `"}`)})
	c := newClient(f)
	_, err := c.STSMetrics(t.Context())
	assertDecodeError(t, err, "2 MiB metrics")
	_, err = c.CoordinatorStats(t.Context())
	assertDecodeError(t, err, "2 MiB stats")
	_, err = c.ApprovalStatus(t.Context(), "apr-1")
	assertDecodeError(t, err, "2 MiB approval")
	_, err = c.Zone(t.Context(), zoneID)
	require.NoError(t, err)
}

func TestEmptyListsAreNonNil(t *testing.T) {
	f := always(t, reply{body: []byte(`{"items":[],"next_cursor":null}`)})
	l, err := newClient(f).Sessions(t.Context(), zoneID, caracal.SessionQuery{})
	require.NoError(t, err)
	assert.NotNil(t, l.Items)
	zs, err := newClient(f).Zones(t.Context())
	require.NoError(t, err)
	assert.NotNil(t, zs)
	assert.Empty(t, zs)

	f = always(t, reply{body: []byte(`[]`)})
	rows, err := newClient(f).AuditByRequest(t.Context(), zoneID, "r")
	require.NoError(t, err)
	assert.NotNil(t, rows)
}

func TestNilContextDoesNotPanic(t *testing.T) {
	f := always(t, reply{body: fixture(t, "zone.json")})
	c := newClient(f)
	var nilCtx context.Context
	_, err := c.Zone(nilCtx, zoneID)
	require.NoError(t, err)
	p := c.Ready(nilCtx, caracal.ServiceAPI)
	assert.True(t, p.Reachable)
	_, err = caracal.CollectPages(nilCtx, func(string) (*caracal.List[caracal.Zone], error) { return nil, nil }, 1)
	require.NoError(t, err)
}

func TestCallerHTTPClientNotModified(t *testing.T) {
	f := always(t, reply{body: fixture(t, "zone.json")})
	hc := &http.Client{Timeout: time.Minute}
	c := newClient(f, func(c *caracal.Config) { c.HTTPClient = hc; c.CallTimeout = time.Second })
	_, err := c.Zone(t.Context(), zoneID)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, hc.Timeout)
	assert.Nil(t, hc.Transport)
}
