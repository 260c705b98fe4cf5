package caracaltest

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartURLs(t *testing.T) {
	srv := startRef(t)
	urls := srv.URLs()
	require.Len(t, urls, 5)
	for _, svc := range caracal.AllServices() {
		assert.Equal(t, urls[svc], srv.URL(svc))
		assert.Equal(t, http.StatusOK, readyStatus(srv, svc))
	}
}

func TestListenFivePorts(t *testing.T) {
	sim := New(refOpts()...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := map[caracal.Service]string{}
	for _, svc := range caracal.AllServices() {
		addrs[svc] = "127.0.0.1:0"
	}
	_, err := sim.Listen(ctx, map[caracal.Service]string{"nope": "127.0.0.1:0"})
	assert.Error(t, err)

	l, err := sim.Listen(ctx, addrs)
	require.NoError(t, err)
	urls := l.URLs()
	require.Len(t, urls, 5)
	for _, svc := range caracal.AllServices() {
		assert.Equal(t, http.StatusOK, do(t, http.MethodGet, urls[svc]+"/ready", nil).status, svc)
	}
	apiURL := urls[caracal.ServiceAPI]
	r := do(t, http.MethodGet, apiURL+"/v1/zones", map[string]string{"Authorization": "Bearer " + DefaultAdminToken})
	assert.Equal(t, http.StatusOK, r.status)

	// A hanging request does not hold up shutdown.
	w := sim.World()
	w.API.Hang = true
	sim.SetWorld(w)
	done := make(chan error, 1)
	go func() {
		_, err := http.Get(apiURL + "/health")
		done <- err
	}()
	require.Eventually(t, func() bool { return sim.hanging.Load() == 1 }, 2*time.Second, 5*time.Millisecond)
	cancel()
	waited := make(chan error, 1)
	go func() { waited <- l.Wait() }()
	select {
	case err := <-waited:
		assert.NoError(t, err)
	case <-time.After(3 * time.Second):
		t.Fatal("Listen did not shut down")
	}
	assert.Error(t, <-done)
	_, err = http.Get(apiURL + "/health")
	assert.Error(t, err, "the listener is closed")
}

func TestListenPrefixed(t *testing.T) {
	sim := New(refOpts()...)
	ctx, cancel := context.WithCancel(context.Background())
	l, err := sim.ListenPrefixed(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	urls := l.URLs()
	require.Len(t, urls, 5)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/coordinator$`, urls[caracal.ServiceCoordinator])
	for _, svc := range caracal.AllServices() {
		assert.Equal(t, http.StatusOK, do(t, http.MethodGet, urls[svc]+"/ready", nil).status, svc)
	}
	_, err = sim.ListenPrefixed(ctx, l.URLs()[caracal.ServiceAPI][len("http://"):len(l.URLs()[caracal.ServiceAPI])-len("/api")])
	assert.Error(t, err, "the address is taken")
	cancel()
	assert.NoError(t, l.Wait())
	assert.Len(t, DefaultAddrs("127.0.0.1"), 5)
	assert.Equal(t, "127.0.0.1:3000", DefaultAddrs("127.0.0.1")[caracal.ServiceAPI])
}

// After Close, hangs and latency no longer hold requests, and serving goes on.
func TestServesAfterClose(t *testing.T) {
	srv := startRef(t, WithLatency(time.Hour))
	srv.Close()
	start := time.Now()
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.STSURL+"/ready", nil).status)
	assert.Less(t, time.Since(start), 2*time.Second)
}

// A world is re-anchored to the clock when the clock has moved on.
func TestWorldReanchors(t *testing.T) {
	var now atomic.Int64
	now.Store(ReferenceTime().UnixNano())
	srv := Start(t, WithClock(func() time.Time { return time.Unix(0, now.Load()).UTC() }))
	first := func() string {
		r := api(t, srv, zonePath(ZoneResearch, "/audit/by-request/0d28d1d8-62d9-4254-a601-b5c10f56220a"))
		return strict[[]caracal.AuditRow](t, r.body)[0].OccurredAt
	}
	assert.Equal(t, "2026-08-22T09:14:03.118Z", first())
	now.Add(int64(30 * time.Second))
	require.NoError(t, srv.UseScenario("allowed"))
	assert.Equal(t, "2026-08-22T09:14:03.118Z", first(), "within a minute the built world is reused")
	now.Add(int64(2 * time.Hour))
	require.NoError(t, srv.UseScenario("allowed"))
	assert.Equal(t, "2026-08-22T11:14:33.118Z", first())
}

// A world shifted field by field reads on the wire as its JSON shifted,
// and a clone as the world itself.
func TestShiftedWorldIsTheShiftedJSON(t *testing.T) {
	d := 97*24*time.Hour + 7*time.Second + 13*time.Millisecond
	w := baseWorld()
	raw := encodeWorld(w)
	want := decodeWorld(shiftJSON(raw, d))
	shiftUnix(&want.AuditMetrics, d)
	shifted, clone := w.shifted(d), w.Clone()
	assert.True(t, bytes.Equal(encodeWorld(&want), encodeWorld(&shifted)), "shifted")
	assert.True(t, bytes.Equal(raw, encodeWorld(&clone)), "cloned")
}
