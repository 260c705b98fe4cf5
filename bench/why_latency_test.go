package bench

import (
	"context"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// latency is L, the delay the simulator adds to every route.
const latency = 50 * time.Millisecond

func newClient(srv *caracaltest.Server) *caracal.Client {
	return caracal.New(caracal.Config{
		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken, CallTimeout: 10 * time.Second,
	})
}

// benchWhy diagnoses one scenario b.N times and reports the mean time as a
// multiple of L (metric "L/why") and the calls made (metric "calls/why").
func benchWhy(b *testing.B, scenario string, serial bool) {
	sc, ok := caracaltest.ScenarioByName(scenario)
	if !ok {
		b.Fatalf("no scenario %s", scenario)
	}
	srv := caracaltest.Start(b, caracaltest.WithScenario(sc.ID), caracaltest.WithLatency(latency))
	var src collect.Source = newClient(srv)
	if serial {
		src = &serialSource{src: src}
	}
	timeWhy(b, srv, src, diagnose.Query{RequestID: sc.ID}, sc.Cause)
}

// timeWhy diagnoses q through src b.N times, each time checking the cause
// (when want is set), and reports the mean time as a multiple of L
// ("L/why") and the calls the simulator saw ("calls/why").
func timeWhy(b *testing.B, srv *caracaltest.Server, src collect.Source, q diagnose.Query, want diagnose.Cause) {
	col := &collect.Collector{Readers: collect.ReadersOf(src), Settings: collect.Settings{DefaultZone: caracaltest.ZoneResearch, Timeout: time.Minute, CallTimeout: 30 * time.Second}}
	col.Collect(context.Background(), q) // warm the connections
	srv.ResetRequests()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		ev := col.Collect(context.Background(), q)
		if d := diagnose.Diagnose(ev, "https://docs.caracal.run"); want != "" && d.Cause != want {
			b.Fatalf("diagnosed %s, want %s", d.Cause, want)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(latency), "L/why")
	b.ReportMetric(float64(len(srv.Requests()))/float64(b.N), "calls/why")
}

// BenchmarkWhyParallel is the bot as shipped: independent calls at once.
// wrong-zone is the one shape that needs more: the trace is in another zone
// than the one asked, so that zone's configuration is read afterwards.
func BenchmarkWhyParallel(b *testing.B) {
	for _, name := range []string{"deny-no-grant", "allowed", "sts-redis-down", "wrong-zone"} {
		b.Run(name, func(b *testing.B) { benchWhy(b, name, false) })
	}
}

// BenchmarkWhySequential makes the very same calls strictly one at a time.
func BenchmarkWhySequential(b *testing.B) {
	for _, name := range []string{"deny-no-grant", "allowed", "sts-redis-down"} {
		b.Run(name, func(b *testing.B) { benchWhy(b, name, true) })
	}
}
