package caracaltest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultLatency(t *testing.T) {
	srv := startRef(t)
	srv.Inject("api /v1/zones", Fault{Latency: 150 * time.Millisecond})
	start := time.Now()
	r := api(t, srv, "/v1/zones")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	assert.Equal(t, http.StatusOK, r.status, "latency alone keeps the normal answer")
	start = time.Now()
	api(t, srv, zonePath(ZoneResearch, ""))
	assert.Less(t, time.Since(start), 100*time.Millisecond, "other routes are not slowed")
}

func TestWithLatency(t *testing.T) {
	srv := startRef(t, WithLatency(60*time.Millisecond))
	for _, svc := range caracal.AllServices() {
		start := time.Now()
		do(t, http.MethodGet, srv.URL(svc)+"/health", nil)
		assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond, svc)
	}
}

func TestFaultStatusTimesRetryAfter(t *testing.T) {
	srv := startRef(t)
	path := zonePath(ZoneResearch, "/audit/by-request/0d28d1d8-62d9-4254-a601-b5c10f56220a/explain")
	srv.Inject("api GET /v1/zones/{zone}/audit/by-request/{id}/explain", Fault{Status: 429, RetryAfter: "7", Times: 2})
	for i := 0; i < 2; i++ {
		r := api(t, srv, path)
		assert.Equal(t, http.StatusTooManyRequests, r.status)
		assert.Equal(t, "7", r.header.Get("Retry-After"))
		jsonEqFixture(t, "error-429-rate-limited.json", r.body)
	}
	r := api(t, srv, path)
	assert.Equal(t, http.StatusOK, r.status, "Times: 2 used the fault up")
	assert.Empty(t, r.header.Get("Retry-After"))

	srv.Inject("sts /metrics.json", Fault{Status: 500, Body: `{"custom":true}`})
	r = do(t, http.MethodGet, srv.STSURL+"/metrics.json", nil)
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.JSONEq(t, `{"custom":true}`, string(r.body))
	srv.ClearFaults()
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.STSURL+"/metrics.json", nil).status)
}

// Without a Body, a fault answers with the service's own envelope.
func TestFaultDefaultBodies(t *testing.T) {
	srv := startRef(t)
	srv.Inject("* /ready", Fault{Status: 503})
	srv.Inject("api /v1/**", Fault{Status: 500})
	srv.Inject("gateway /**", Fault{Status: 504})
	srv.Inject("sts /metrics.json", Fault{Status: 401})

	r := api(t, srv, "/v1/zones")
	assert.Equal(t, http.StatusInternalServerError, r.status)
	var env map[string]string
	require.NoError(t, json.Unmarshal(r.body, &env))
	assert.Equal(t, map[string]string{"error": "internal_error", "error_description": "The service failed to process the request",
		"requestId": r.header.Get("X-Request-Id")}, env)

	r = do(t, http.MethodGet, srv.GatewayURL+"/v1/reports", nil)
	assert.Equal(t, http.StatusGatewayTimeout, r.status)
	assert.JSONEq(t, `{"error":"sts_unavailable","error_description":"sts timeout","requestId":"`+r.header.Get("X-Request-Id")+`"}`, string(r.body))
	// The newest matching fault wins: "gateway /**" shadows "* /ready" for the Gateway.
	assert.Equal(t, http.StatusGatewayTimeout, do(t, http.MethodGet, srv.GatewayURL+"/ready", nil).status)

	r = do(t, http.MethodGet, srv.STSURL+"/ready", nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	jsonEqFixture(t, "ready-sts-redis-down.json", r.body)
	r = do(t, http.MethodGet, srv.AuditURL+"/ready", nil)
	jsonEqFixture(t, "ready-audit-consumer-unhealthy.json", r.body)
	r = do(t, http.MethodGet, srv.APIURL+"/ready", nil)
	jsonEqFixture(t, "ready-api-postgres-down.json", r.body)
	r = do(t, http.MethodGet, srv.STSURL+"/metrics.json", nil)
	assert.Equal(t, "unauthorized\n", string(r.body))
}

func TestFaultGarbageAndClose(t *testing.T) {
	srv := startRef(t)
	srv.Inject("api /v1/zones", Fault{Garbage: true})
	r := api(t, srv, "/v1/zones")
	assert.Equal(t, http.StatusOK, r.status)
	var v any
	assert.Error(t, json.Unmarshal(r.body, &v))

	srv.Inject("audit /metrics.json", Fault{Close: true})
	_, err := http.Get(srv.AuditURL + "/metrics.json")
	assert.Error(t, err)
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.AuditURL+"/ready", nil).status)
}

// A hanging request returns as soon as the client gives up, and holds no goroutine.
func TestFaultHangHonoursClientCancel(t *testing.T) {
	srv := startRef(t)
	srv.Inject("coordinator /stats", Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.CoordinatorURL+"/stats", nil)
	start := time.Now()
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Eventually(t, func() bool { return srv.hanging.Load() == 0 }, 2*time.Second, 5*time.Millisecond)
}

// Close releases hanging requests (their connections close).
func TestHangReleasedByClose(t *testing.T) {
	sim := New(refOpts()...)
	base := newHTTPServer(t, sim.ServiceHandler(caracal.ServiceSTS))
	w := sim.World()
	w.STS.Hang = true
	sim.SetWorld(w)
	done := make(chan error, 1)
	go func() {
		_, err := http.Get(base + "/ready")
		done <- err
	}()
	require.Eventually(t, func() bool { return sim.hanging.Load() == 1 }, 2*time.Second, 5*time.Millisecond)
	sim.Close()
	select {
	case err := <-done:
		assert.Error(t, err)
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not release the hanging request")
	}
}

func TestServiceDown(t *testing.T) {
	srv := startRef(t)
	w := srv.World()
	w.API.Down = true
	srv.SetWorld(w)
	_, err := http.Get(srv.APIURL + "/health")
	assert.Error(t, err, "the connection closes without an answer")
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.STSURL+"/health", nil).status)
}

func TestValidateRoute(t *testing.T) {
	for _, ok := range []string{"*", "/ready", "* /ready", "api /v1/zones/*/audit", "api GET /v1/zones/{zone}", "gateway /**", "sts POST /x"} {
		assert.NoError(t, ValidateRoute(ok), ok)
	}
	for _, bad := range []string{"", "api", "api GET", "nope /x", "api v1/zones", "api GET /a /b"} {
		assert.Error(t, ValidateRoute(bad), bad)
	}
	assert.Panics(t, func() { New(refOpts()...).Inject("api", Fault{}) })
}

func TestFaultMethodAndService(t *testing.T) {
	srv := startRef(t)
	srv.Inject("sts POST /ready", Fault{Status: 500})
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.STSURL+"/ready", nil).status, "method must match")
	srv.Inject("audit /ready", Fault{Status: 500})
	assert.Equal(t, http.StatusOK, do(t, http.MethodGet, srv.STSURL+"/ready", nil).status, "service must match")
	assert.Equal(t, http.StatusInternalServerError, do(t, http.MethodGet, srv.AuditURL+"/ready", nil).status)
}

// Faults, scenario switches and requests run concurrently (go test -race).
func TestConcurrentSwitching(t *testing.T) {
	srv := startRef(t)
	names := []string{"deny-no-grant", "redis-outage", "audit-lag", "revoked-policy-not-propagated", "api-unreachable"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 2 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, svc := range caracal.AllServices() {
					req, _ := http.NewRequest(http.MethodGet, srv.URL(svc)+"/ready", nil)
					if resp, err := client.Do(req); err == nil {
						resp.Body.Close()
					}
				}
				req, _ := http.NewRequest(http.MethodGet, srv.APIURL+zonePath(ZoneResearch, "/audit?limit=5"), nil)
				req.Header.Set("Authorization", "Bearer "+DefaultAdminToken)
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	for i := 0; i < 10; i++ {
		require.NoError(t, srv.UseScenario(names[i%len(names)]))
		srv.Inject("sts /ready", Fault{Status: 503, Times: 1})
		_ = srv.World()
		_ = srv.Requests()
	}
	close(stop)
	wg.Wait()
	srv.Reset()
	assert.Equal(t, http.StatusOK, api(t, srv, "/v1/zones").status)
}
