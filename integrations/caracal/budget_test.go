package caracal_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// objectOf is a JSON object of exactly n bytes.
func objectOf(n int) []byte {
	return []byte(`{"id":"` + strings.Repeat("x", n-9) + `"}`)
}

func assertOverBudget(t *testing.T, err error, budget int64) {
	t.Helper()
	var be *caracal.ReadBudgetError
	require.True(t, errors.As(err, &be), "want *ReadBudgetError, got %T: %v", err, err)
	assert.Equal(t, budget, be.Budget)
	assert.NotEmpty(t, be.Path)
	assert.False(t, caracal.IsTransport(err), "a budget error is not an outage")
}

// TestReadBudgetHoldsUnderConcurrentReads: twenty calls at once under one
// budget that holds three and a half of their bodies: at most three get
// their answer, the others fail with the budget error, and none is retried.
func TestReadBudgetHoldsUnderConcurrentReads(t *testing.T) {
	const size = 256 << 10
	budget := int64(3*size + size/2)
	for name, serve := range lengths {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusOK, objectOf(size))
			c := newClient(f)
			ctx := caracal.WithReadBudget(t.Context(), budget)
			var mu sync.Mutex
			var read int64
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					z, err := c.Zone(ctx, zoneID)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						assertOverBudget(t, err, budget)
						return
					}
					read += int64(len(z.ID)) + 9
				})
			}
			wg.Wait()
			assert.LessOrEqual(t, read, budget, "the answers together stay within the budget")
			assert.LessOrEqual(t, len(f.Hits()), 20, "no call is retried")
		})
	}
}

// chunked answers every request with body in two flushed parts, so that
// its length is not declared.
func chunked(t *testing.T, status int, body []byte) *fake {
	return newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		_, _ = w.Write(body[len(body)/2:])
	})
}

// lengths serve the same body with and without a Content-Length.
var lengths = map[string]func(t *testing.T, status int, body []byte) *fake{
	"declared length": func(t *testing.T, status int, body []byte) *fake {
		return always(t, reply{status: status, body: body, header: map[string]string{"Content-Length": strconv.Itoa(len(body))}})
	},
	"undeclared length": chunked,
}

func TestReadBudgetSpentSendsNothingMore(t *testing.T) {
	for name, serve := range lengths {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusOK, objectOf(1000))
			c := newClient(f)
			ctx := caracal.WithReadBudget(t.Context(), 2000)
			for range 2 {
				_, err := c.Zone(ctx, zoneID)
				require.NoError(t, err, "a body ending exactly at the budget is complete")
			}
			_, err := c.Zone(ctx, zoneID)
			assertOverBudget(t, err, 2000)
			assert.Equal(t, "not read: this command's read budget of 2000 bytes was used up", err.(*caracal.ReadBudgetError).Reason())
			_, err = c.STSMetrics(ctx)
			assertOverBudget(t, err, 2000)
			assert.Len(t, f.Hits(), 2, "nothing is sent once the budget is used up")
		})
	}
}

func TestReadBudgetStopsABodyThatDoesNotFit(t *testing.T) {
	for name, serve := range lengths {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusOK, objectOf(1000))
			c := newClient(f)
			ctx := caracal.WithReadBudget(t.Context(), 1500)
			_, err := c.Zone(ctx, zoneID)
			require.NoError(t, err)
			_, err = c.Zone(ctx, zoneID)
			assertOverBudget(t, err, 1500)
			assert.Len(t, f.Hits(), 2, "not retried")
		})
	}
	t.Run("a refused declared length costs nothing", func(t *testing.T) {
		f := routes(t, map[string]reply{
			apiPrefix + "/v1/zones/" + zoneID: {body: objectOf(2000), header: map[string]string{"Content-Length": "2000"}},
			stsPrefix + "/metrics.json":       {body: []byte(`{}`)},
		})
		c := newClient(f)
		ctx := caracal.WithReadBudget(t.Context(), 1500)
		_, err := c.Zone(ctx, zoneID)
		assertOverBudget(t, err, 1500)
		_, err = c.STSMetrics(ctx)
		require.NoError(t, err, "the budget is still whole")
	})
}

func TestReadBudgetCutsErrorBodiesToo(t *testing.T) {
	for name, serve := range lengths {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusNotFound, objectOf(4096))
			_, err := newClient(f).Zone(caracal.WithReadBudget(t.Context(), 1024), zoneID)
			assertOverBudget(t, err, 1024)
			assert.False(t, caracal.IsNotFound(err), "an unread 404 proves nothing")
		})
	}
}

// TestProbesPastTheBudgetStillReportTheirStatus: a probe is a status; with
// the budget used up it still tells up from down, without its body.
func TestProbesPastTheBudgetStillReportTheirStatus(t *testing.T) {
	f := always(t, reply{body: []byte(`{"ok":true}`)})
	c := newClient(f)
	ctx := caracal.WithReadBudget(t.Context(), 5)
	p := c.Ready(ctx, caracal.ServiceAPI)
	assert.True(t, p.Reachable)
	assert.True(t, p.OK)
	assert.Nil(t, p.Body)
	p = c.Health(ctx, caracal.ServiceSTS)
	assert.True(t, p.OK, "also once nothing is left")
}

func TestNoReadBudgetMeansOnlyTheResponseCap(t *testing.T) {
	f := always(t, reply{body: objectOf(4 << 20)})
	c := newClient(f)
	for _, ctx := range []context.Context{t.Context(), caracal.WithReadBudget(t.Context(), 0)} {
		_, err := c.Zone(ctx, zoneID)
		require.NoError(t, err)
	}
}
