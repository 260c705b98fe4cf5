package caracal_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// objectOf is a JSON object of exactly n bytes.
func objectOf(n int) []byte {
	return []byte(`{"id":"` + strings.Repeat("x", n-10) + `"}`)
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
	f := always(t, reply{body: objectOf(size)})
	c := newClient(f)
	budget := int64(3*size + size/2)
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
			read += int64(len(z.ID)) + 10
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, read, budget, "the answers together stay within the budget")
	assert.Positive(t, read)
	assert.LessOrEqual(t, len(f.Hits()), 20, "no call is retried")
}

func TestReadBudgetSpentSendsNothingMore(t *testing.T) {
	f := always(t, reply{body: objectOf(1000)})
	c := newClient(f)
	ctx := caracal.WithReadBudget(t.Context(), 1500)
	_, err := c.Zone(ctx, zoneID)
	require.NoError(t, err)
	_, err = c.Zone(ctx, zoneID)
	assertOverBudget(t, err, 1500)
	assert.Equal(t, "not read: this command's read budget of 1500 bytes was used up", err.(*caracal.ReadBudgetError).Reason())
	assert.Len(t, f.Hits(), 2, "the body cut short is not retried")

	_, err = c.STSMetrics(ctx)
	assertOverBudget(t, err, 1500)
	assert.Len(t, f.Hits(), 2, "nothing is sent once the budget is used up")
}

func TestReadBudgetFitsABodyEndingExactlyAtIt(t *testing.T) {
	f := always(t, reply{body: objectOf(1000)})
	ctx := caracal.WithReadBudget(t.Context(), 2000)
	c := newClient(f)
	for range 2 {
		_, err := c.Zone(ctx, zoneID)
		require.NoError(t, err)
	}
	_, err := c.Zone(ctx, zoneID)
	assertOverBudget(t, err, 2000)
}

func TestReadBudgetCutsErrorBodiesToo(t *testing.T) {
	f := always(t, reply{status: http.StatusNotFound, body: objectOf(4096)})
	_, err := newClient(f).Zone(caracal.WithReadBudget(t.Context(), 1024), zoneID)
	assertOverBudget(t, err, 1024)
	assert.False(t, caracal.IsNotFound(err), "an unread 404 proves nothing")
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
