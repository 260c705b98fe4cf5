// Package collect gathers from Caracal the evidence a diagnosis reads
// (ROUTER.md "Evidence"), in parallel and tolerant of every failure: what
// could not be read is named as missing evidence, never returned as an
// error. Its reads are behind narrow interfaces, one per part of the
// evidence (Readers).
package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Collector gathers the evidence for a query from Caracal.
type Collector struct {
	Readers
	Settings
	// MaxPolicies caps how many policy documents are read (default 20).
	MaxPolicies int
}

// Collect gathers evidence in two phases (ROUTER.md "Evidence"): everything
// that does not need the trace at once, then what depends on it. It never
// fails: what could not be fetched is named in Evidence.Missing.
func (c *Collector) Collect(ctx context.Context, q diagnose.Query) *diagnose.Evidence {
	ctx, cancel := context.WithTimeout(ctx, c.Deadline())
	defer cancel()
	ev := c.newEvidence(q)
	g := c.gatherer(ctx, ev)
	var zones []caracal.Zone
	var zonesErr error

	// Phase 1: readiness and liveness, metrics, the zone list, the asked
	// zone's configuration and its trace, all at once. The zone list is only
	// missing evidence once the request is not found in the asked zone.
	c.runtime(g)
	if c.Zones != nil {
		g.Go("other zones", "GET /v1/zones", func(ctx context.Context) error {
			z, err := c.Zones.Zones(ctx)
			g.with(func(ev *diagnose.Evidence) {
				zones, zonesErr, ev.CrossZoneSearch = c.Allowed(z), err, err == nil
				ev.ZoneScopedToken = caracal.HasCode(err, 403, "admin_token_zone_mismatch")
			})
			return nil
		})
	}
	if q.RequestID != "" && ev.AskedZone != "" {
		c.explain(g, ev.AskedZone)
	}
	if ev.AskedZone != "" {
		c.zoneConfig(g, ev.AskedZone)
	}
	g.Wait()

	// Phase 2: what needs phase 1. Without a trace in the asked zone, the
	// other visible zones are searched while the asked zone's policy detail
	// is read, so a request Caracal never saw costs no extra round trip.
	if q.RequestID != "" && !ev.HasTrace() && ev.AdminAPIError == nil {
		switch {
		case ev.ZoneScopedToken:
			ev.AddMissing("other zones", "GET /v1/zones", fmt.Sprintf("the bot's admin token is zone-scoped, so only zone %s was searched: other zones cannot be searched with this token", ev.AskedZone))
		case zonesErr != nil:
			ev.AddMissing("other zones", "GET /v1/zones", Describe(zonesErr))
		}
		if c.AllowedZones != nil {
			ev.AddMissing("other zones", "channels[].zones in the bot's configuration",
				"the search was limited to the zones this channel may read: "+strings.Join(c.AllowedZones, ", "))
		}
		var others []string
		for _, z := range zones {
			if z.ID != ev.AskedZone {
				others = append(others, z.ID)
			}
		}
		c.searchOtherZones(g, others)
	}
	c.policyDetail(g)
	c.traceDetail(g, c.Clock())
	g.Wait()

	// Phase 3, only when the trace lives in another zone than the one asked:
	// that zone's configuration, then its detail.
	if ev.TraceZone != "" && ev.TraceZone != ev.AskedZone {
		ev.Zone, ev.Applications, ev.Resources, ev.PolicySets, ev.AdminAudit, g.policies = nil, nil, nil, nil, nil, nil
		ev.Activation, ev.ActiveVersion, ev.PolicyDocuments = nil, nil, nil
		ev.Missing = withoutZoneConfig(ev.Missing)
		c.zoneConfig(g, ev.TraceZone)
		g.Wait()
		c.policyDetail(g)
		c.traceDetail(g, c.Clock())
		g.Wait()
	}
	c.keepManifestDocuments(ev)
	sortMissing(ev)
	return ev
}

// Runtime gathers the platform's state alone, as the Doctor reads it: the
// probes of every service and the operator metrics.
func (c *Collector) Runtime(ctx context.Context) *diagnose.Evidence {
	ctx, cancel := context.WithTimeout(ctx, c.Deadline())
	defer cancel()
	ev := c.newEvidence(diagnose.Query{})
	g := c.gatherer(ctx, ev)
	c.runtime(g)
	g.Wait()
	sortMissing(ev)
	return ev
}

func (c *Collector) newEvidence(q diagnose.Query) *diagnose.Evidence {
	return &diagnose.Evidence{
		Query:       q,
		AskedZone:   cmp.Or(q.ZoneID, c.DefaultZone),
		CollectedAt: c.Clock().UTC(),
		Ready:       map[caracal.Service]caracal.Probe{},
		Health:      map[caracal.Service]caracal.Probe{},
	}
}

// sortMissing orders the missing evidence by what, then source.
func sortMissing(ev *diagnose.Evidence) {
	sort.SliceStable(ev.Missing, func(i, j int) bool {
		if ev.Missing[i].What != ev.Missing[j].What {
			return ev.Missing[i].What < ev.Missing[j].What
		}
		return ev.Missing[i].Source < ev.Missing[j].Source
	})
}

// runtime starts the readiness and liveness probes and the metrics reads.
func (c *Collector) runtime(g *gatherer) {
	c.readiness(g)
	c.liveness(g)
	c.metrics(g)
}

func (c *Collector) readiness(g *gatherer) {
	if c.Probes == nil {
		return
	}
	for _, svc := range caracal.AllServices() {
		g.Go(string(svc)+" readiness", string(svc)+" GET /ready", func(ctx context.Context) error {
			p := c.Probes.Ready(ctx, svc)
			p.Received = c.Clock()
			g.with(func(ev *diagnose.Evidence) { ev.Ready[svc] = p })
			return nil
		})
	}
}

// liveness probes /health of every service at the same time as /ready, to
// tell "down" from "not ready" without a second round trip.
func (c *Collector) liveness(g *gatherer) {
	if c.Probes == nil {
		return
	}
	for _, svc := range caracal.AllServices() {
		g.Go(string(svc)+" liveness", string(svc)+" GET /health", func(ctx context.Context) error {
			p := c.Probes.Health(ctx, svc)
			p.Received = c.Clock()
			g.with(func(ev *diagnose.Evidence) { ev.Health[svc] = p })
			return nil
		})
	}
}

func (c *Collector) metrics(g *gatherer) {
	if c.Metrics == nil {
		return
	}
	g.Go("STS metrics", "sts GET /metrics.json", func(ctx context.Context) error {
		m, err := c.Metrics.STSMetrics(ctx)
		g.with(func(ev *diagnose.Evidence) { ev.STSMetrics = m })
		return err
	})
	g.Go("Gateway metrics", "gateway GET /metrics.json", func(ctx context.Context) error {
		m, err := c.Metrics.GatewayMetrics(ctx)
		g.with(func(ev *diagnose.Evidence) { ev.GatewayMetrics = m })
		return err
	})
	g.Go("Audit metrics", "audit GET /metrics.json", func(ctx context.Context) error {
		m, err := c.Metrics.AuditMetrics(ctx)
		g.with(func(ev *diagnose.Evidence) { ev.AuditMetrics = m })
		return err
	})
	g.Go("Coordinator stats", "coordinator GET /stats", func(ctx context.Context) error {
		m, err := c.Metrics.CoordinatorStats(ctx)
		g.with(func(ev *diagnose.Evidence) { ev.CoordinatorStats = m })
		return err
	})
}

// explain looks the trace up in one zone; a 404 is an answer, not missing evidence.
func (c *Collector) explain(g *gatherer, zone string) {
	if c.Traces == nil {
		return
	}
	g.with(func(ev *diagnose.Evidence) { ev.SearchedZones = append(ev.SearchedZones, zone) })
	g.Go("request trace", c.traceSource(zone, g.ev.Query.RequestID), func(ctx context.Context) error {
		_, err := c.readTrace(ctx, g, zone)
		return err
	})
}

// searchFirstWave is how many zones are searched at once, first, for a
// request that was not where it was asked; each following wave is twice as
// wide. A request is usually found in the first waves, after a few calls; a
// request no zone has costs a few round trips even at hundreds of zones,
// never one burst of hundreds of calls against Caracal's per-token rate
// limit (600 a minute, API.md §2.3).
const searchFirstWave = 8

// searchOtherZones looks the trace up in zones, in waves of 8, 16, 32...
// zones at once, and stops as soon as one of them has it: the lookups
// still running are cancelled and no further wave starts.
func (c *Collector) searchOtherZones(g *gatherer, zones []string) {
	if c.Traces == nil || len(zones) == 0 {
		return
	}
	g.wg.Go(func() {
		ctx, found := context.WithCancel(g.ctx)
		defer found()
		for start, size := 0, searchFirstWave; start < len(zones) && ctx.Err() == nil; start, size = start+size, 2*size {
			var lookups sync.WaitGroup
			for _, zone := range zones[start:min(start+size, len(zones))] {
				g.with(func(ev *diagnose.Evidence) { ev.SearchedZones = append(ev.SearchedZones, zone) })
				lookups.Go(func() {
					callCtx, cancel := context.WithTimeout(ctx, g.callTimeout)
					defer cancel()
					has, err := c.readTrace(callCtx, g, zone)
					switch {
					case has:
						found()
					case err != nil && (g.ctx.Err() != nil || ctx.Err() == nil):
						g.fail("request trace", c.traceSource(zone, g.ev.Query.RequestID), err)
					}
				})
			}
			lookups.Wait()
		}
	})
}

// traceSource names the read of a request's trace in a zone.
func (c *Collector) traceSource(zone, id string) string {
	if !explainable(id) {
		return fmt.Sprintf("GET /v1/zones/%s/audit?request_id=%s", zone, id)
	}
	return fmt.Sprintf("GET /v1/zones/%s/audit/by-request/%s/explain", zone, id)
}

// readTrace reads the request's trace in one zone into the evidence and
// reports whether the zone has it. Not found is an answer (false, nil);
// the bot's own credential failing is recorded as such.
func (c *Collector) readTrace(ctx context.Context, g *gatherer, zone string) (bool, error) {
	t, err := c.lookupTrace(ctx, zone, g.ev.Query.RequestID)
	switch {
	case err == nil && t != nil && len(t.Events) > 0:
		g.with(func(ev *diagnose.Evidence) {
			if !ev.HasTrace() || zone == ev.AskedZone {
				ev.Trace, ev.TraceZone = t, zone
			}
		})
		return true, nil
	case err == nil || caracal.IsNotFound(err):
		return false, nil
	}
	if e, ok := caracal.AsError(err); ok {
		g.with(func(ev *diagnose.Evidence) { ev.AdminAPIError = e })
	}
	if errors.Is(err, caracal.ErrNotConfigured) {
		g.with(func(ev *diagnose.Evidence) { ev.AdminTokenMissing = true })
	}
	return false, err
}

// lookupTrace reads the request trace. IDs outside the explain route's
// character set (the Gateway accepts any printable ASCII) are looked up in
// the audit list instead, as API.md §2.1 advises, and the trace is rebuilt.
func (c *Collector) lookupTrace(ctx context.Context, zone, id string) (*caracal.Explain, error) {
	if explainable(id) {
		return c.Traces.Explain(ctx, zone, id)
	}
	l, err := c.Traces.Audit(ctx, zone, caracal.AuditQuery{RequestID: id, Limit: 1000})
	if err != nil || l == nil {
		return nil, err
	}
	return traceFromRows(zone, id, l.Items), nil
}

// zoneConfig reads the zone, its applications (to name those rows carry by
// id only), resources, policy sets and policies, and the last 24 h of
// mutations in admin-audit. Admin-audit records writes and refused calls,
// never a successful read (API.md §0); the method filter leaves out the
// bot's own refused reads too.
func (c *Collector) zoneConfig(g *gatherer, zone string) {
	if c.Zones == nil {
		return
	}
	prefix := "GET /v1/zones/" + zone
	g.Go("zone", prefix, func(ctx context.Context) error {
		z, err := c.Zones.Zone(ctx, zone)
		g.with(func(ev *diagnose.Evidence) {
			ev.Zone = z
			if zone == ev.AskedZone {
				ev.UnknownZone = caracal.HasCode(err, 404, "zone_not_found")
			}
		})
		return err
	})
	g.Go("applications", prefix+"/applications", func(ctx context.Context) error {
		a, err := c.Zones.Applications(ctx, zone, "")
		g.with(func(ev *diagnose.Evidence) { ev.Applications = a })
		return err
	})
	g.Go("resources", prefix+"/resources", func(ctx context.Context) error {
		r, err := c.Zones.Resources(ctx, zone)
		g.with(func(ev *diagnose.Evidence) { ev.Resources = r })
		return err
	})
	g.Go("policy sets", prefix+"/policy-sets", func(ctx context.Context) error {
		p, err := c.Zones.PolicySets(ctx, zone)
		g.with(func(ev *diagnose.Evidence) { ev.PolicySets = p })
		return err
	})
	g.Go("policies", prefix+"/policies", func(ctx context.Context) error {
		p, err := c.Zones.Policies(ctx, zone)
		g.Store(func() { g.policies = p })
		return err
	})
	since := g.ev.CollectedAt.Add(-24 * time.Hour)
	for _, method := range []string{"DELETE", "POST"} {
		what, source := "admin-audit "+method, prefix+"/admin-audit?method="+method
		g.Go(what, source, func(ctx context.Context) error {
			l, err := c.Zones.AdminAudit(ctx, zone, caracal.AdminAuditQuery{Since: since, Method: method, Limit: adminAuditPage})
			if l != nil {
				g.with(func(ev *diagnose.Evidence) {
					ev.AdminAudit = append(ev.AdminAudit, l.Items...)
					if l.NextCursor != nil && len(l.Items) >= adminAuditPage {
						ev.AddMissing(what, source, fmt.Sprintf("only the newest %d changes of the last 24 h were read; older ones exist and were left unread", len(l.Items)))
					}
				})
			}
			return err
		})
	}
}

// adminAuditPage is how many admin-audit rows of one method are read: the
// newest changes of the last 24 hours.
const adminAuditPage = 100

// withoutZoneConfig drops missing entries of the asked zone's configuration
// once the diagnosis moved to the zone where the trace was found.
func withoutZoneConfig(missing []diagnose.Missing) []diagnose.Missing {
	var out []diagnose.Missing
	for _, m := range missing {
		if strings.HasPrefix(m.What, "policy document") {
			continue
		}
		switch m.What {
		case "zone", "applications", "resources", "policy sets", "policies", "admin-audit DELETE", "admin-audit POST",
			"policy-set activation status", "active policy-set version":
			continue
		}
		out = append(out, m)
	}
	return out
}
