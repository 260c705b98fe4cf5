package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// addZones adds n zones to the simulator's world, copies of Staging's
// configuration without its audit rows, listed before Staging (newer) when
// first is set, else after it, and returns their ids.
func addZones(srv *caracaltest.Server, n int, first bool) []string {
	w := srv.World()
	staging := *w.ZoneByID(caracaltest.ZoneStaging)
	var ids []string
	for i := range n {
		z := staging
		z.Audit = nil
		z.Zone.ID = fmt.Sprintf("019f7000-0000-7000-8000-%012d", i)
		z.Zone.Name, z.Zone.Slug = fmt.Sprintf("Extra %d", i), fmt.Sprintf("extra-%d", i)
		created, _ := time.Parse(time.RFC3339Nano, staging.Zone.CreatedAt)
		offset := time.Duration(i+1) * time.Minute
		if !first {
			offset = -offset
		}
		z.Zone.CreatedAt = created.Add(offset).UTC().Format("2006-01-02T15:04:05.000Z")
		w.Zones = append(w.Zones, z)
		ids = append(ids, z.Zone.ID)
	}
	srv.SetWorld(w)
	return ids
}

// BenchmarkDoctorZones runs the Doctor on one zone (the default) and on
// every zone (--all-zones) as zones are added: "L/doctor" is the mean time
// as a multiple of L, "calls/doctor" the requests Caracal saw.
func BenchmarkDoctorZones(b *testing.B) {
	for _, tc := range []struct {
		name  string
		extra int
		opts  doctor.Options
	}{
		{"one-zone", 0, doctor.Options{}},
		{"all-zones=2", 0, doctor.Options{AllZones: true}},
		{"all-zones=12", 10, doctor.Options{AllZones: true}},
		{"all-zones=102", 100, doctor.Options{AllZones: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := caracaltest.Start(b, caracaltest.WithLatency(latency))
			addZones(srv, tc.extra, true)
			d := &doctor.Doctor{Source: newClient(srv), Settings: collect.Settings{DefaultZone: caracaltest.ZoneResearch, Timeout: time.Minute, CallTimeout: 30 * time.Second}}
			d.Run(context.Background(), tc.opts) // warm the connections
			srv.ResetRequests()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				d.Run(context.Background(), tc.opts)
			}
			b.ReportMetric(float64(time.Since(start)/time.Duration(b.N))/float64(latency), "L/doctor")
			b.ReportMetric(float64(len(srv.Requests()))/float64(b.N), "calls/doctor")
		})
	}
}

// BenchmarkWhyZones diagnoses a request asked in the wrong zone, and one
// no zone has, as zones are added, listed after the zone that has the
// request (found in the first wave) or before it (found in the last): the
// search runs in waves of 8, 16, 32... zones and stops where the request is.
func BenchmarkWhyZones(b *testing.B) {
	sc, _ := caracaltest.ScenarioByName("wrong-zone")
	for _, tc := range []struct {
		name      string
		extra     int
		last      bool
		requestID string
		cause     diagnose.Cause
	}{
		{"found-first/zones=12", 10, false, sc.ID, sc.Cause},
		{"found-first/zones=102", 100, false, sc.ID, sc.Cause},
		{"found-last/zones=12", 10, true, sc.ID, sc.Cause},
		{"found-last/zones=102", 100, true, sc.ID, sc.Cause},
		{"not-found/zones=102", 100, false, "01a02999-0000-7000-8000-000000000000", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := caracaltest.Start(b, caracaltest.WithScenario(sc.ID), caracaltest.WithLatency(latency))
			addZones(srv, tc.extra, tc.last)
			timeWhy(b, srv, newClient(srv), diagnose.Query{RequestID: tc.requestID}, tc.cause)
		})
	}
}
