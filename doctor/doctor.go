package router

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// DoctorOptions selects the zones to check and how strict to be.
type DoctorOptions struct {
	Zone     string
	AllZones bool
	Strict   bool
}

// DoctorSummary counts checks by status.
type DoctorSummary struct {
	OK    int `json:"ok"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Total int `json:"total"`
}

// DoctorContext says which zones were checked.
type DoctorContext struct {
	ZoneScope string   `json:"zoneScope"`
	ZoneIDs   []string `json:"zoneIds"`
}

// DoctorReport follows the shape of Caracal's Doctor report (API.md §5.1).
type DoctorReport struct {
	Command string         `json:"command"`
	Mode    string         `json:"mode"`
	Ready   bool           `json:"ready"`
	Strict  bool           `json:"strict"`
	Context DoctorContext  `json:"context"`
	Summary DoctorSummary  `json:"summary"`
	Checks  []health.Check `json:"checks"`
}

// stsPolicyAgeWarn is how old a zone's loaded bundle may be on STS while its
// propagation is not "loaded" before the doctor warns.
const stsPolicyAgeWarn = 120 * time.Second

// Doctor runs the Caracal Doctor's remote checks (health, zones, readiness
// with §5.2 metric thresholds) plus the ones the Console's Doctor leaves out:
// Audit pending age, STS policy age per zone, Gateway revocation freshness
// and the API outbox.
func (c *Collector) Doctor(ctx context.Context, opts DoctorOptions) DoctorReport {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	ev := &Evidence{Ready: map[caracal.Service]caracal.Probe{}, Health: map[caracal.Service]caracal.Probe{}}
	g := &gatherer{ctx: ctx, callTimeout: c.callTimeout(), ev: ev}
	var zones []caracal.Zone
	var zonesErr error
	c.readiness(g)
	c.liveness(g)
	c.metrics(g)
	g.fetch("zones", "GET /v1/zones", func(ctx context.Context) error {
		z, err := c.Source.Zones(ctx)
		g.set(func(*Evidence) { zones, zonesErr = c.allowed(z), err })
		return nil
	})
	g.wait()

	report := DoctorReport{Command: "doctor", Mode: "system", Strict: opts.Strict}
	add := func(cs ...health.Check) { report.Checks = append(report.Checks, cs...) }
	add(healthChecks(ev, zones, zonesErr)...)
	add(clockSkewCheck(ev.Health[caracal.ServiceAPI], c.now()))
	ids, scope := c.doctorZones(opts, zones, zonesErr)
	report.Context = DoctorContext{ZoneScope: scope, ZoneIDs: ids}
	if len(ids) == 0 {
		add(health.Check{Section: "zones", Name: "zone inventory", Status: health.CheckWarn, Detail: "no zones visible"})
	}
	add(c.zoneChecks(ctx, ids)...)
	add(health.ReadinessChecks(ev.Ready)...)
	add(metricsChecks(ev)...)
	add(unreadMetricsChecks(ev)...)
	add(extraChecks(ev)...)
	report.summarize()
	return report
}

func (r *DoctorReport) summarize() {
	r.Summary = DoctorSummary{Total: len(r.Checks)}
	for _, c := range r.Checks {
		switch c.Status {
		case health.CheckOK:
			r.Summary.OK++
		case health.CheckWarn:
			r.Summary.Warn++
		case health.CheckFail:
			r.Summary.Fail++
		}
	}
	r.Ready = r.Summary.Total > 0 && r.Summary.Fail == 0 && (!r.Strict || r.Summary.Warn == 0)
}

func (c *Collector) doctorZones(opts DoctorOptions, zones []caracal.Zone, zonesErr error) ([]string, string) {
	switch {
	case opts.Zone != "":
		return []string{opts.Zone}, "selected"
	case !opts.AllZones && c.DefaultZone != "":
		return []string{c.DefaultZone}, "selected"
	case zonesErr != nil:
		if c.DefaultZone != "" {
			return []string{c.DefaultZone}, "selected"
		}
		return nil, "none"
	}
	ids := make([]string, 0, len(zones))
	for _, z := range zones {
		ids = append(ids, z.ID)
	}
	return ids, "all"
}

// clockSkewCheck compares the API's Date header with the bot's clock, with the
// Doctor's thresholds: warn from 2 s (or no usable header), fail from 30 s.
func clockSkewCheck(p caracal.Probe, now time.Time) health.Check {
	c := health.Check{Section: "health", Name: "clock skew", Status: health.CheckWarn, Source: "GET " + p.URL}
	if !p.Reachable {
		c.Detail = "API unreachable"
		return c
	}
	t, err := http.ParseTime(p.Date)
	if err != nil {
		c.Detail = "missing or unparseable Date header"
		return c
	}
	skew := now.Sub(t)
	if skew < 0 {
		skew = -skew
	}
	c.Detail = fmt.Sprintf("skew %s", skew.Round(time.Second))
	switch {
	case skew >= 30*time.Second:
		c.Status = health.CheckFail
	case skew < 2*time.Second:
		c.Status = health.CheckOK
	}
	return c
}

func healthChecks(ev *Evidence, zones []caracal.Zone, zonesErr error) []health.Check {
	p := ev.Health[caracal.ServiceAPI]
	api := health.Check{Section: "health", Name: "api health", Status: health.CheckOK, Detail: p.URL, Source: "GET " + p.URL}
	if !p.OK {
		api.Status, api.Detail = health.CheckFail, health.ProbeDetail(p)
	}
	auth := health.Check{Section: "health", Name: "admin auth", Status: health.CheckOK, Detail: fmt.Sprintf("%d zone(s) visible", len(zones)), Source: "GET /v1/zones"}
	if zonesErr != nil {
		auth.Status, auth.Detail = health.CheckFail, describeError(zonesErr)
		if caracal.HasCode(zonesErr, 403, "admin_token_zone_mismatch") {
			auth.Status, auth.Detail = health.CheckWarn, "zone-scoped token: zones cannot be listed, only the configured zone is checked"
		}
	}
	return []health.Check{api, auth}
}

// zoneChecks runs the per-zone checks of every selected zone in parallel.
func (c *Collector) zoneChecks(ctx context.Context, ids []string) []health.Check {
	results := make([][]health.Check, len(ids))
	g := &gatherer{ctx: ctx, callTimeout: c.callTimeout(), ev: &Evidence{}}
	for i, id := range ids {
		g.fetch("zone "+id, "GET /v1/zones/"+id, func(ctx context.Context) error {
			results[i] = c.oneZone(ctx, id)
			return nil
		})
	}
	g.wait()
	var out []health.Check
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

func (c *Collector) oneZone(ctx context.Context, id string) []health.Check {
	check := func(name string, err error, okDetail string) health.Check {
		ch := health.Check{Section: "zones", Name: id + " " + name, Status: health.CheckOK, Detail: okDetail, Source: "GET /v1/zones/" + id}
		if err != nil {
			ch.Status, ch.Detail = health.CheckFail, describeError(err)
		}
		return ch
	}
	z, err := c.Source.Zone(ctx, id)
	if err != nil {
		return []health.Check{check("lookup", err, "")}
	}
	out := []health.Check{check("lookup", nil, fmt.Sprintf("%s (%s)", z.ID, z.Name))}
	res, err := c.Source.Resources(ctx, id)
	out = append(out, check("resources", err, countDetail(len(res), "registered")))
	sets, err := c.Source.PolicySets(ctx, id)
	ev := &Evidence{PolicySets: sets}
	active := ev.ActivePolicySet()
	detail := fmt.Sprintf("%d registered; none active", len(sets))
	if active != nil {
		detail = "1 active: " + active.Name
	}
	out = append(out, check("policy sets", err, detail))
	if err == nil && active == nil {
		out[len(out)-1].Status = health.CheckWarn
	}
	_, err = c.Source.Audit(ctx, id, caracal.AuditQuery{Limit: 1})
	out = append(out, check("audit query", err, "queryable"))
	if active != nil {
		out = append(out, c.policyAgeCheck(ctx, id, active))
	}
	return out
}

// policyAgeCheck reports whether STS runs the zone's active version.
func (c *Collector) policyAgeCheck(ctx context.Context, zone string, set *caracal.PolicySet) health.Check {
	ch := health.Check{Section: "zones", Name: zone + " sts policy", Status: health.CheckOK, Source: fmt.Sprintf("GET /v1/zones/%s/policy-sets/%s/activation-status", zone, set.ID)}
	a, err := c.Source.ActivationStatus(ctx, zone, set.ID, auditrow.Str(set.ActiveVersionID))
	if err != nil {
		ch.Status, ch.Detail = health.CheckWarn, describeError(err)
		return ch
	}
	ev := &Evidence{Activation: a}
	ch.Detail = "propagation " + a.PropagationStatus
	if a.STS.AgeSeconds != nil {
		ch.Detail += fmt.Sprintf(", loaded %.0fs ago", *a.STS.AgeSeconds)
	}
	switch a.PropagationStatus {
	case caracal.PropagationLoaded:
	case caracal.PropagationFailed:
		ch.Status, ch.Detail = health.CheckFail, propagationDetail(ev)
	default:
		ch.Status, ch.Detail = health.CheckWarn, propagationDetail(ev)
	}
	return ch
}

// unreadMetricsChecks reports the metrics endpoints that could not be read
// (API.md §5.2: warn when protected and no bearer is configured, fail otherwise).
func unreadMetricsChecks(ev *Evidence) []health.Check {
	names := map[string]string{"STS metrics": "sts metrics", "Gateway metrics": "gateway metrics",
		"Audit metrics": "audit metrics", "Coordinator stats": "coordinator metrics"}
	var out []health.Check
	for _, m := range ev.Missing {
		name, ok := names[m.What]
		if !ok {
			continue
		}
		c := health.Check{Section: "readiness", Name: name, Status: health.CheckFail, Detail: m.Reason, Source: m.Source}
		switch {
		case strings.Contains(m.Reason, "HTTP 401"):
			c.Status, c.Detail = health.CheckWarn, "protected; set CARACAL_METRICS_BEARER to read it ("+m.Reason+")"
		case strings.Contains(m.Reason, "not configured"):
			c.Status, c.Detail = health.CheckWarn, "protected; set CARACAL_COORDINATOR_TOKEN to read it"
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// extraChecks are the checks Caracal's Doctor does not evaluate (API.md §5.2 "Not evaluated").
func extraChecks(ev *Evidence) []health.Check {
	var out []health.Check
	if m := ev.AuditMetrics; m != nil {
		c := health.Check{Section: "readiness", Name: "audit pending age", Status: health.CheckOK, Detail: fmt.Sprintf("consumer_pel_oldest_secs=%d", m.ConsumerPELOldestSecs), Source: "GET audit /metrics.json"}
		if m.ConsumerPELOldestSecs > 300 {
			c.Status = health.CheckWarn
		}
		out = append(out, c)
	}
	if m := ev.GatewayMetrics; m != nil {
		c := health.Check{Section: "readiness", Name: "gateway revocation freshness", Status: health.CheckOK, Detail: fmt.Sprintf("snapshot age %ds", m.RevocationSnapshotAgeSeconds), Source: "GET gateway /metrics.json"}
		if m.RevocationSnapshotFresh == 0 {
			c.Status, c.Detail = health.CheckFail, fmt.Sprintf("revocation snapshot stale (age %ds > 70s)", m.RevocationSnapshotAgeSeconds)
		}
		out = append(out, c)
	}
	if p, ok := ev.Ready[caracal.ServiceAPI]; ok {
		c := health.Check{Section: "readiness", Name: "api outbox", Status: health.CheckOK, Detail: "no dead outbox rows reported", Source: "GET " + p.URL}
		if p.Reason == "outbox_dead_messages" {
			c.Status, c.Detail = health.CheckFail, fmt.Sprintf("dead API outbox rows: %v", p.Body["deadCount"])
		}
		out = append(out, c)
	}
	return out
}

func countDetail(n int, what string) string {
	if n == 0 {
		return "none " + what
	}
	return fmt.Sprintf("%d %s", n, what)
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Collector) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 15 * time.Second
}

func (c *Collector) callTimeout() time.Duration {
	if c.CallTimeout > 0 && c.CallTimeout <= c.timeout() {
		return c.CallTimeout
	}
	return c.timeout()
}
