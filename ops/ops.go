// Package ops serves the bot's operational endpoints: /healthz (the process
// answers), /readyz (every readiness check passes: chat connections,
// Caracal reachability) and /metrics (Prometheus).
package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness condition. Run returns nil when it holds, else an
// error whose text says what is wrong (never a secret).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
	// Degraded marks a check whose failure is reported but leaves the bot
	// ready: it keeps answering in a reduced mode (e.g. local-only
	// de-duplication while Redis is down).
	Degraded bool
}

// CheckResult is one check's outcome on /readyz.
type CheckResult struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Degraded bool   `json:"degraded,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Readiness is the /readyz body.
type Readiness struct {
	Ready  bool          `json:"ready"`
	Checks []CheckResult `json:"checks"`
}

// Evaluate runs every check at once, each bounded by timeout.
func Evaluate(ctx context.Context, checks []Check, timeout time.Duration) Readiness {
	results := make([]CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			results[i] = CheckResult{Name: c.Name, OK: true}
			if err := c.Run(cctx); err != nil {
				results[i] = CheckResult{Name: c.Name, Degraded: c.Degraded, Detail: err.Error()}
			}
		}()
	}
	wg.Wait()
	r := Readiness{Ready: true, Checks: results}
	for _, c := range results {
		r.Ready = r.Ready && (c.OK || c.Degraded)
	}
	return r
}

// Handler serves /healthz, /readyz and /metrics (from gatherer).
func Handler(gatherer prometheus.Gatherer, checks []Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ready := Evaluate(r.Context(), checks, 3*time.Second)
		w.Header().Set("Content-Type", "application/json")
		if !ready.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(ready)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	return mux
}
