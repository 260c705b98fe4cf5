package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
)

// oneShotClient sends each request on a connection of its own, closed
// after the answer. http.Get's keep-alive transport, with many requests at
// once, can leave a connection dialled but never used, and serve's
// shutdown then waits 5 s for it (net/http treats a new connection as idle
// only after 5 s).
var oneShotClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// getStatus fetches url and returns its status and body.
func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := oneShotClient.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestServeReadyzStormCostsCaracalAFewCalls: however many probes arrive
// at once, /readyz asks Caracal's Admin API /health at most a few times.
func TestServeReadyzStormCostsCaracalAFewCalls(t *testing.T) {
	var health atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		health.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(api.Close)
	base := startServe(t, nil, map[string]string{"CARACAL_API_URL": api.URL})

	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			code, body := getStatus(t, base+"/readyz")
			assert.Equal(t, http.StatusOK, code)
			assert.Contains(t, body, `"ready":true`)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, health.Load(), int32(3), "200 concurrent probes share cached /health calls")
	assert.Positive(t, health.Load())
}

func TestServeOpsListenAddrMovesTheOpsEndpoints(t *testing.T) {
	fake := slackfake.Start(t)
	opsAddr := freeAddr(t)
	base := startServe(t, fake, map[string]string{"SLACK_SIGNING_SECRET": testSigningSecret, "BOT_OPS_LISTEN_ADDR": opsAddr})

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": `"ready":true`, "/metrics": "go_goroutines"} {
		code, body := getStatus(t, "http://"+opsAddr+path)
		assert.Equal(t, http.StatusOK, code, path)
		assert.Contains(t, body, want, path)
		code, _ = getStatus(t, base+path)
		assert.Equal(t, http.StatusNotFound, code, "the public listener no longer serves %s", path)
	}
	code, ack := signedPost(t, base+"/slack/commands", slashForm("status", "trig-ops-listener", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, ack, "Working on it", "Slack endpoints stay on the public listener")
	code, _ = signedPost(t, "http://"+opsAddr+"/slack/commands", slashForm("status", "trig-ops-listener-2", fake), time.Now())
	assert.Equal(t, http.StatusNotFound, code, "and are not on the ops listener")
}

// freeAddr returns a loopback host:port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	return closedURL(t)[len("http://"):]
}
