package router

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Collector gathers the evidence for a query from Caracal.
type Collector struct {
	Source Source
	// DefaultZone is asked when the query names no zone.
	DefaultZone string
	// Timeout bounds the whole collection; CallTimeout each call.
	Timeout     time.Duration
	CallTimeout time.Duration
	// AllowedZones, when not nil, are the only zones read besides the one
	// asked: the cross-zone search and Doctor's zone inventory see no
	// others (a chat channel bound to zones).
	AllowedZones []string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// MaxPolicies caps how many policy documents are read (default 20).
	MaxPolicies int
}

// Collect gathers evidence in two phases (ROUTER.md "Evidence"): everything
// that does not need the trace at once, then what depends on it. It never
// fails: what could not be fetched is named in Evidence.Missing.
func (c *Collector) Collect(ctx context.Context, q Query) *Evidence {
	now := c.now
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()

	ev := &Evidence{
		Query:       q,
		AskedZone:   q.ZoneID,
		CollectedAt: now().UTC(),
		Ready:       map[caracal.Service]caracal.Probe{},
		Health:      map[caracal.Service]caracal.Probe{},
	}
	if ev.AskedZone == "" {
		ev.AskedZone = c.DefaultZone
	}
	g := &gatherer{ctx: ctx, callTimeout: c.callTimeout(), ev: ev}
	var zones []caracal.Zone

	// Phase 1: readiness and liveness, metrics, the zone list, the asked
	// zone's configuration and its trace, all at once.
	c.readiness(g)
	c.liveness(g)
	c.metrics(g)
	g.fetch("other zones", "GET /v1/zones", func(ctx context.Context) error {
		z, err := c.Source.Zones(ctx)
		g.set(func(ev *Evidence) { zones, ev.CrossZoneSearch = c.allowed(z), err == nil })
		if caracal.HasCode(err, 403, "admin_token_zone_mismatch") {
			return fmt.Errorf("the bot's admin token is zone-scoped, so only zone %s was searched", ev.AskedZone)
		}
		return err
	})
	if q.RequestID != "" && ev.AskedZone != "" {
		c.explain(g, ev.AskedZone)
	}
	if ev.AskedZone != "" {
		c.zoneConfig(g, ev.AskedZone)
	}
	g.wait()

	// Phase 2: what needs phase 1. Without a trace in the asked zone, the
	// other visible zones are searched while the asked zone's policy detail
	// is read, so a request Caracal never saw costs no extra round trip.
	if q.RequestID != "" && !ev.HasTrace() && ev.AdminAPIError == nil {
		if c.AllowedZones != nil {
			ev.missing("other zones", "channels[].zones in the bot's configuration",
				"the search was limited to the zones this channel may read: "+strings.Join(c.AllowedZones, ", "))
		}
		for _, z := range zones {
			if z.ID != ev.AskedZone {
				c.explain(g, z.ID)
			}
		}
	}
	c.policyDetail(g)
	c.traceDetail(g, now())
	g.wait()

	// Phase 3, only when the trace lives in another zone than the one asked:
	// that zone's configuration, then its detail.
	if ev.TraceZone != "" && ev.TraceZone != ev.AskedZone {
		ev.Zone, ev.Resources, ev.PolicySets, ev.AdminAudit, ev.policies = nil, nil, nil, nil, nil
		ev.Activation, ev.ActiveVersion, ev.PolicyDocuments = nil, nil, nil
		ev.Missing = withoutZoneConfig(ev.Missing)
		c.zoneConfig(g, ev.TraceZone)
		g.wait()
		c.policyDetail(g)
		c.traceDetail(g, now())
		g.wait()
	}
	c.keepManifestDocuments(ev)
	sort.SliceStable(ev.Missing, func(i, j int) bool {
		if ev.Missing[i].What != ev.Missing[j].What {
			return ev.Missing[i].What < ev.Missing[j].What
		}
		return ev.Missing[i].Source < ev.Missing[j].Source
	})
	return ev
}

// allowed keeps the listed zones the collector may read (all of them
// without AllowedZones).
func (c *Collector) allowed(zones []caracal.Zone) []caracal.Zone {
	if c.AllowedZones == nil {
		return zones
	}
	return slices.DeleteFunc(slices.Clone(zones), func(z caracal.Zone) bool { return !slices.Contains(c.AllowedZones, z.ID) })
}

func (c *Collector) readiness(g *gatherer) {
	for _, svc := range caracal.AllServices() {
		g.fetch(string(svc)+" readiness", string(svc)+" GET /ready", func(ctx context.Context) error {
			p := c.Source.Ready(ctx, svc)
			g.set(func(ev *Evidence) { ev.Ready[svc] = p })
			return nil
		})
	}
}

// liveness probes /health of every service at the same time as /ready, to
// tell "down" from "not ready" without a second round trip.
func (c *Collector) liveness(g *gatherer) {
	for _, svc := range caracal.AllServices() {
		g.fetch(string(svc)+" liveness", string(svc)+" GET /health", func(ctx context.Context) error {
			p := c.Source.Health(ctx, svc)
			g.set(func(ev *Evidence) { ev.Health[svc] = p })
			return nil
		})
	}
}

func (c *Collector) metrics(g *gatherer) {
	g.fetch("STS metrics", "sts GET /metrics.json", func(ctx context.Context) error {
		m, err := c.Source.STSMetrics(ctx)
		g.set(func(ev *Evidence) { ev.STSMetrics = m })
		return err
	})
	g.fetch("Gateway metrics", "gateway GET /metrics.json", func(ctx context.Context) error {
		m, err := c.Source.GatewayMetrics(ctx)
		g.set(func(ev *Evidence) { ev.GatewayMetrics = m })
		return err
	})
	g.fetch("Audit metrics", "audit GET /metrics.json", func(ctx context.Context) error {
		m, err := c.Source.AuditMetrics(ctx)
		g.set(func(ev *Evidence) { ev.AuditMetrics = m })
		return err
	})
	g.fetch("Coordinator stats", "coordinator GET /stats", func(ctx context.Context) error {
		m, err := c.Source.CoordinatorStats(ctx)
		g.set(func(ev *Evidence) { ev.CoordinatorStats = m })
		return err
	})
}

// explain looks the trace up in one zone; a 404 is an answer, not missing evidence.
func (c *Collector) explain(g *gatherer, zone string) {
	id := g.ev.Query.RequestID
	source := fmt.Sprintf("GET /v1/zones/%s/audit/by-request/%s/explain", zone, id)
	g.set(func(ev *Evidence) { ev.SearchedZones = append(ev.SearchedZones, zone) })
	if !explainable(id) {
		source = fmt.Sprintf("GET /v1/zones/%s/audit?request_id=%s", zone, id)
	}
	g.fetch("request trace", source, func(ctx context.Context) error {
		t, err := c.lookupTrace(ctx, zone, id)
		switch {
		case err == nil && t != nil && len(t.Events) > 0:
			g.set(func(ev *Evidence) {
				if !ev.HasTrace() || zone == ev.AskedZone {
					ev.Trace, ev.TraceZone = t, zone
				}
			})
			return nil
		case err == nil || caracal.IsNotFound(err):
			return nil
		}
		if e, ok := caracal.AsError(err); ok {
			g.set(func(ev *Evidence) { ev.AdminAPIError = e })
		}
		if errors.Is(err, caracal.ErrNotConfigured) {
			g.set(func(ev *Evidence) { ev.AdminTokenMissing = true })
		}
		return err
	})
}

// lookupTrace reads the request trace. IDs outside the explain route's
// character set (the Gateway accepts any printable ASCII) are looked up in
// the audit list instead, as API.md §2.1 advises, and the trace is rebuilt.
func (c *Collector) lookupTrace(ctx context.Context, zone, id string) (*caracal.Explain, error) {
	if explainable(id) {
		return c.Source.Explain(ctx, zone, id)
	}
	l, err := c.Source.Audit(ctx, zone, caracal.AuditQuery{RequestID: id, Limit: 1000})
	if err != nil || l == nil {
		return nil, err
	}
	return traceFromRows(zone, id, l.Items), nil
}

// zoneConfig reads the zone, its resources, policy sets and policies, and the
// last 24 h of mutations in admin-audit (the bot's own GETs are left out).
func (c *Collector) zoneConfig(g *gatherer, zone string) {
	prefix := "GET /v1/zones/" + zone
	g.fetch("zone", prefix, func(ctx context.Context) error {
		z, err := c.Source.Zone(ctx, zone)
		g.set(func(ev *Evidence) {
			ev.Zone = z
			if zone == ev.AskedZone {
				ev.UnknownZone = caracal.HasCode(err, 404, "zone_not_found")
			}
		})
		return err
	})
	g.fetch("resources", prefix+"/resources", func(ctx context.Context) error {
		r, err := c.Source.Resources(ctx, zone)
		g.set(func(ev *Evidence) { ev.Resources = r })
		return err
	})
	g.fetch("policy sets", prefix+"/policy-sets", func(ctx context.Context) error {
		p, err := c.Source.PolicySets(ctx, zone)
		g.set(func(ev *Evidence) { ev.PolicySets = p })
		return err
	})
	g.fetch("policies", prefix+"/policies", func(ctx context.Context) error {
		p, err := c.Source.Policies(ctx, zone)
		g.set(func(ev *Evidence) { ev.policies = p })
		return err
	})
	since := g.ev.CollectedAt.Add(-24 * time.Hour)
	for _, method := range []string{"DELETE", "POST"} {
		g.fetch("admin-audit "+method, prefix+"/admin-audit?method="+method, func(ctx context.Context) error {
			l, err := c.Source.AdminAudit(ctx, zone, caracal.AdminAuditQuery{Since: since, Method: method, Limit: 100})
			if l != nil {
				g.set(func(ev *Evidence) { ev.AdminAudit = append(ev.AdminAudit, l.Items...) })
			}
			return err
		})
	}
}

// withoutZoneConfig drops missing entries of the asked zone's configuration
// once the diagnosis moved to the zone where the trace was found.
func withoutZoneConfig(missing []Missing) []Missing {
	var out []Missing
	for _, m := range missing {
		if strings.HasPrefix(m.What, "policy document") {
			continue
		}
		switch m.What {
		case "zone", "resources", "policy sets", "policies", "admin-audit DELETE", "admin-audit POST",
			"policy-set activation status", "active policy-set version":
			continue
		}
		out = append(out, m)
	}
	return out
}
