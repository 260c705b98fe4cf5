package ops_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
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
