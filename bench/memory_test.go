package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// workers is how many commands serve runs at once (the dispatcher's pool).
const workers = 4

// Per-response caps of the client: probes, everything else.
const (
	probeCap = 1 << 20
	bodyCap  = 8 << 20
)

// hostile answers every route with 200 and a JSON object just under the
// route's size cap, whose "id" (a field most models decode) holds nearly
// all of it: the worst a broken or hostile Caracal can send without
// tripping a cap. It counts the requests it answers. With declare it
// sends a Content-Length; without, the body is chunked, its length unknown
// until its end.
func hostile(calls *atomic.Int64, declare bool) http.Handler {
	probe, body := bigObject(probeCap-1024), bigObject(bodyCap-1024)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b := body
		if r.URL.Path == "/health" || r.URL.Path == "/ready" {
			b = probe
		}
		w.Header().Set("Content-Type", "application/json")
		if declare {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		}
		_, _ = w.Write(b)
	})
}

// bigObject is {"items":[],"id":"xxx…"} of n bytes; the empty items keep
// the zone list empty, so the diagnosis searches no other zone.
func bigObject(n int) []byte {
	b := append(make([]byte, 0, n), `{"items":[],"id":"`...)
	for len(b) < n-2 {
		b = append(b, 'x')
	}
	return append(b, `"}`...)
}

// heapPeak samples the Go heap in use every millisecond until stopped.
type heapPeak struct {
	peak atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	h.done.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			if inUse := samples[0].Value.Uint64() + samples[1].Value.Uint64(); inUse > h.peak.Load() {
				h.peak.Store(inUse)
			}
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	})
	return h
}

// mib stops sampling and returns the peak in MiB.
func (h *heapPeak) mib() float64 {
	close(h.stop)
	h.done.Wait()
	return float64(h.peak.Load()) / (1 << 20)
}

// benchWhyMemory runs b.N rounds of `workers` concurrent `why` commands
// through the command registry against the Caracal at urls, and reports
// the peak Go heap in use (heap-MiB) and the time of a round.
func benchWhyMemory(b *testing.B, urls map[caracal.Service]string, requestID string) {
	client := caracal.New(caracal.Config{
		APIURL: urls[caracal.ServiceAPI], STSURL: urls[caracal.ServiceSTS], GatewayURL: urls[caracal.ServiceGateway],
		AuditURL: urls[caracal.ServiceAudit], CoordinatorURL: urls[caracal.ServiceCoordinator],
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken, CallTimeout: 30 * time.Second,
	})
	registry := commands.New(commands.Env{Caracal: client, DefaultZone: caracaltest.ZoneResearch, Timeout: time.Minute, CallTimeout: 30 * time.Second})
	inv := chat.Invocation{Platform: "console", Command: "why", Text: requestID}
	peak := startHeapPeak()
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				if _, err := registry.Run(context.Background(), inv); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(peak.mib(), "heap-MiB")
}

// BenchmarkWhyMemory measures the heap of serve's four workers diagnosing
// at once: "hostile" against a Caracal answering every route with a chunked
// body just under its cap, "hostile-declared" the same with a
// Content-Length, "normal" (the time baseline) against the simulator.
func BenchmarkWhyMemory(b *testing.B) {
	b.Run("normal", func(b *testing.B) {
		srv := caracaltest.Start(b, caracaltest.WithScenario("deny-no-grant"))
		sc, _ := caracaltest.ScenarioByName("deny-no-grant")
		benchWhyMemory(b, map[caracal.Service]string{caracal.ServiceAPI: srv.APIURL, caracal.ServiceSTS: srv.STSURL,
			caracal.ServiceGateway: srv.GatewayURL, caracal.ServiceAudit: srv.AuditURL, caracal.ServiceCoordinator: srv.CoordinatorURL}, sc.ID)
	})
	for _, declare := range []bool{false, true} {
		name := map[bool]string{false: "hostile", true: "hostile-declared"}[declare]
		b.Run(name, func(b *testing.B) {
			var calls atomic.Int64
			srv := httptest.NewServer(hostile(&calls, declare))
			b.Cleanup(srv.Close)
			urls := map[caracal.Service]string{}
			for _, svc := range caracal.AllServices() {
				urls[svc] = srv.URL
			}
			benchWhyMemory(b, urls, "01a028ea-d354-7443-96e4-46e5643d943c")
			b.ReportMetric(float64(calls.Load())/float64(b.N*workers), "calls/why")
		})
	}
}
