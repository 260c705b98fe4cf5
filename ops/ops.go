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
	"golang.org/x/sync/singleflight"
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
	// CacheFor keeps the outcome of a run, failure included, for this long
	// on /readyz: probes that arrive meanwhile, however many, share one run,
	// so a probe storm cannot stampede what the check calls. Zero runs the
	// check on every probe.
	CacheFor time.Duration
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

// Handler serves /healthz, /readyz and /metrics (from gatherer). Checks
// with a CacheFor share their runs across probes.
func Handler(gatherer prometheus.Gatherer, checks []Check) http.Handler {
	checks = withCaches(checks)
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

// withCaches returns checks with each CacheFor check's Run replaced by a
// cached one, built once so that every probe shares it.
func withCaches(checks []Check) []Check {
	out := make([]Check, len(checks))
	for i, c := range checks {
		if c.CacheFor > 0 {
			c.Run = (&cachedRun{run: c.Run, ttl: c.CacheFor}).Run
		}
		out[i] = c
	}
	return out
}

// cachedRun runs a check at most once per ttl: a probe within ttl of the
// last run gets its outcome, and concurrent probes after it share one run.
type cachedRun struct {
	run    func(ctx context.Context) error
	ttl    time.Duration
	flight singleflight.Group

	mu  sync.Mutex
	at  time.Time // when err was stored; zero before the first run
	err error
}

// Run returns the cached outcome while it is fresh, else joins or starts
// the one run in flight. The run is not cancelled with the probe that
// started it (the others still wait for it) but keeps its deadline; each
// probe stops waiting when its own context ends.
func (c *cachedRun) Run(ctx context.Context) error {
	if ok, err := c.fresh(); ok {
		return err
	}
	ch := c.flight.DoChan("", func() (any, error) {
		if ok, err := c.fresh(); ok {
			return nil, err // a run finished between fresh and DoChan
		}
		rctx, cancel := detached(ctx)
		defer cancel()
		err := c.run(rctx)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.at, c.err = time.Now(), err
		return nil, err
	})
	select {
	case r := <-ch:
		return r.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fresh returns the stored outcome if it is younger than ttl.
func (c *cachedRun) fresh() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= c.ttl {
		return false, nil
	}
	return true, c.err
}

// detached keeps ctx's values and deadline but not its cancellation.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(base, deadline)
	}
	return context.WithCancel(base)
}
