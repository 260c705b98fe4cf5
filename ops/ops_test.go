package ops_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/ops"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	counter := prometheus.NewCounter(prometheus.CounterOpts{Name: "caracal_bot_test_total", Help: "test"})
	reg.MustRegister(counter)
	counter.Inc()
	slackUp := false
	checks := []ops.Check{
		{Name: "caracal", Run: func(context.Context) error { return nil }},
		{Name: "slack", Run: func(context.Context) error {
			if !slackUp {
				return errors.New("socket mode disconnected")
			}
			return nil
		}},
	}
	srv := httptest.NewServer(ops.Handler(reg, checks))
	defer srv.Close()

	code, body := get(t, srv.URL+"/healthz")
	assert.Equal(t, 200, code)
	assert.Equal(t, "ok\n", body)

	code, body = get(t, srv.URL+"/readyz")
	assert.Equal(t, 503, code)
	var r ops.Readiness
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	assert.False(t, r.Ready)
	assert.Equal(t, []ops.CheckResult{{Name: "caracal", OK: true}, {Name: "slack", Detail: "socket mode disconnected"}}, r.Checks)

	slackUp = true
	code, _ = get(t, srv.URL+"/readyz")
	assert.Equal(t, 200, code)

	code, body = get(t, srv.URL+"/metrics")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "caracal_bot_test_total 1")
}

func TestDegradedChecksAreReportedButKeepTheBotReady(t *testing.T) {
	r := ops.Evaluate(context.Background(), []ops.Check{
		{Name: "shared state", Degraded: true, Run: func(context.Context) error { return errors.New("redis unreachable") }},
	}, time.Second)
	assert.True(t, r.Ready)
	assert.Equal(t, []ops.CheckResult{{Name: "shared state", Degraded: true, Detail: "redis unreachable"}}, r.Checks)
}

// storm sends n concurrent /readyz probes and returns their bodies.
func storm(t *testing.T, url string, n int) []string {
	t.Helper()
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, bodies[i] = get(t, url+"/readyz") })
	}
	wg.Wait()
	return bodies
}

func TestCachedCheckRunsOnceForAProbeStorm(t *testing.T) {
	for name, result := range map[string]error{"success": nil, "failure": errors.New("Admin API /health: unreachable")} {
		t.Run(name, func(t *testing.T) {
			var runs atomic.Int32
			srv := httptest.NewServer(ops.Handler(prometheus.NewRegistry(), []ops.Check{{Name: "caracal", Degraded: true, CacheFor: time.Minute,
				Run: func(context.Context) error { runs.Add(1); return result }}}))
			defer srv.Close()
			for _, body := range storm(t, srv.URL, 200) {
				assert.Contains(t, body, `"ready":true`)
				if result != nil {
					assert.Contains(t, body, result.Error(), "the cached failure is reported to every probe")
				}
			}
			assert.EqualValues(t, 1, runs.Load(), "200 probes within CacheFor share one run")
		})
	}
}

func TestCachedCheckRunsAgainOnceStale(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runs := 0
		h := ops.Handler(prometheus.NewRegistry(), []ops.Check{{Name: "caracal", CacheFor: 2 * time.Second,
			Run: func(context.Context) error { runs++; return errors.New("down") }}})
		probe := func() int {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			return rec.Code
		}
		assert.Equal(t, http.StatusServiceUnavailable, probe())
		time.Sleep(time.Second)
		assert.Equal(t, http.StatusServiceUnavailable, probe(), "the failure is cached too")
		assert.Equal(t, 1, runs)
		time.Sleep(time.Second)
		probe()
		assert.Equal(t, 2, runs, "stale after CacheFor")
	})
}

func TestCachedCheckOutlivesTheProbeThatStartedIt(t *testing.T) {
	release := make(chan struct{})
	var runs atomic.Int32
	h := ops.Handler(prometheus.NewRegistry(), []ops.Check{{Name: "caracal", CacheFor: time.Minute,
		Run: func(ctx context.Context) error { runs.Add(1); <-release; return ctx.Err() }}})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/readyz", nil))
		first <- rec.Code
	}()
	require.Eventually(t, func() bool { return runs.Load() == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	assert.Equal(t, http.StatusServiceUnavailable, <-first, "the cancelled probe stops waiting")
	close(release)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, http.StatusOK, rec.Code, "the run itself was not cancelled, and its outcome is cached")
	assert.EqualValues(t, 1, runs.Load())
}
