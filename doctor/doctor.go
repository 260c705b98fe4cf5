// Package doctor reports on the platform: Status (the /ready of the five
// services, like caracal status --ready), the Doctor's checks (Run), and the
// check of the bot's own admin token (CheckCredential). The thresholds
// themselves are the health package's.
package doctor

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// Source is what the Doctor reads: the services' probes and metrics, the
// zones, and per zone its configuration, the audit list and the active
// policy set's propagation.
type Source interface {
	collect.Prober
	collect.MetricsReader
	Zones(ctx context.Context) ([]caracal.Zone, error)
	Zone(ctx context.Context, zoneID string) (*caracal.Zone, error)
	Resources(ctx context.Context, zoneID string) ([]caracal.Resource, error)
	PolicySets(ctx context.Context, zoneID string) ([]caracal.PolicySet, error)
	Audit(ctx context.Context, zoneID string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error)
	ActivationStatus(ctx context.Context, zoneID, policySetID, versionID string) (*caracal.ActivationStatus, error)
}

// Doctor runs Caracal's Doctor checks against one Caracal.
type Doctor struct {
	Source Source
	collect.Settings
}

// Options selects the zones to check and how strict to be.
type Options struct {
	Zone     string
	AllZones bool
	Strict   bool
}

// Summary counts checks by status.
type Summary struct {
	OK    int `json:"ok"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Total int `json:"total"`
}

// ZoneContext says which zones were checked.
type ZoneContext struct {
	ZoneScope string   `json:"zoneScope"`
	ZoneIDs   []string `json:"zoneIds"`
}

// Report follows the shape of Caracal's Doctor report (API.md §5.1).
type Report struct {
	Command string         `json:"command"`
	Mode    string         `json:"mode"`
	Ready   bool           `json:"ready"`
	Strict  bool           `json:"strict"`
	Context ZoneContext    `json:"context"`
	Summary Summary        `json:"summary"`
	Checks  []health.Check `json:"checks"`
}

// Run runs the Caracal Doctor's remote checks (health, zones, readiness
// with §5.2 metric thresholds) plus the ones the Console's Doctor leaves out:
// Audit pending age, STS policy age per zone, Gateway revocation freshness
// and the API outbox.
func (d *Doctor) Run(ctx context.Context, opts Options) Report {
	ctx, cancel := context.WithTimeout(ctx, d.Deadline())
	defer cancel()
	var ev *diagnose.Evidence
	var zones []caracal.Zone
	var zonesErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		runtime := collect.Collector{Readers: collect.Readers{Probes: d.Source, Metrics: d.Source}, Settings: d.Settings}
		ev = runtime.Runtime(ctx)
	})
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, d.CallDeadline())
		defer cancel()
		z, err := d.Source.Zones(ctx)
		zones, zonesErr = d.Allowed(z), err
	})
	wg.Wait()

	report := Report{Command: "doctor", Mode: "system", Strict: opts.Strict}
	add := func(cs ...health.Check) { report.Checks = append(report.Checks, cs...) }
	add(healthChecks(ev, zones, zonesErr)...)
	add(clockSkewCheck(ev.Health[caracal.ServiceAPI], d.Clock()))
	ids, scope := d.zones(opts, zones, zonesErr)
	report.Context = ZoneContext{ZoneScope: scope, ZoneIDs: ids}
	if len(ids) == 0 {
		add(health.Check{Section: "zones", Name: "zone inventory", Status: health.CheckWarn, Detail: "no zones visible"})
	}
	add(d.zoneChecks(ctx, ids)...)
	add(health.ReadinessChecks(ev.Ready)...)
	add(health.MetricsChecks(ev.Metrics())...)
	add(unreadMetricsChecks(ev)...)
	add(health.ExtraChecks(ev.Metrics(), ev.Ready)...)
	report.summarize()
	return report
}

func (r *Report) summarize() {
	r.Summary = Summary{Total: len(r.Checks)}
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

// zones picks the zones to check and says how they were chosen.
func (d *Doctor) zones(opts Options, zones []caracal.Zone, zonesErr error) ([]string, string) {
	switch {
	case opts.Zone != "":
		return []string{opts.Zone}, "selected"
	case !opts.AllZones && d.DefaultZone != "":
		return []string{d.DefaultZone}, "selected"
	case zonesErr != nil:
		if d.DefaultZone != "" {
			return []string{d.DefaultZone}, "selected"
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

func healthChecks(ev *diagnose.Evidence, zones []caracal.Zone, zonesErr error) []health.Check {
	p := ev.Health[caracal.ServiceAPI]
	api := health.Check{Section: "health", Name: "api health", Status: health.CheckOK, Detail: p.URL, Source: "GET " + p.URL}
	if !p.OK {
		api.Status, api.Detail = health.CheckFail, health.ProbeDetail(p)
	}
	auth := health.Check{Section: "health", Name: "admin auth", Status: health.CheckOK, Detail: fmt.Sprintf("%d zone(s) visible", len(zones)), Source: "GET /v1/zones"}
	if zonesErr != nil {
		auth.Status, auth.Detail = health.CheckFail, collect.Describe(zonesErr)
		if caracal.HasCode(zonesErr, 403, "admin_token_zone_mismatch") {
			auth.Status, auth.Detail = health.CheckWarn, "zone-scoped token: zones cannot be listed, only the configured zone is checked"
		}
	}
	return []health.Check{api, auth}
}

// zoneChecks runs the per-zone checks of every selected zone in parallel.
func (d *Doctor) zoneChecks(ctx context.Context, ids []string) []health.Check {
	results := make([][]health.Check, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, d.CallDeadline())
			defer cancel()
			results[i] = d.oneZone(ctx, id)
		})
	}
	wg.Wait()
	return slices.Concat(results...)
}

func (d *Doctor) oneZone(ctx context.Context, id string) []health.Check {
	check := func(name string, err error, okDetail string) health.Check {
		ch := health.Check{Section: "zones", Name: id + " " + name, Status: health.CheckOK, Detail: okDetail, Source: "GET /v1/zones/" + id}
		if err != nil {
			ch.Status, ch.Detail = health.CheckFail, collect.Describe(err)
		}
		return ch
	}
	z, err := d.Source.Zone(ctx, id)
	if err != nil {
		return []health.Check{check("lookup", err, "")}
	}
	out := []health.Check{check("lookup", nil, fmt.Sprintf("%s (%s)", z.ID, z.Name))}
	res, err := d.Source.Resources(ctx, id)
	out = append(out, check("resources", err, countDetail(len(res), "registered")))
	sets, err := d.Source.PolicySets(ctx, id)
	active := diagnose.ActivePolicySet(sets)
	detail := fmt.Sprintf("%d registered; none active", len(sets))
	if active != nil {
		detail = "1 active: " + active.Name
	}
	out = append(out, check("policy sets", err, detail))
	if err == nil && active == nil {
		out[len(out)-1].Status = health.CheckWarn
	}
	_, err = d.Source.Audit(ctx, id, caracal.AuditQuery{Limit: 1})
	out = append(out, check("audit query", err, "queryable"))
	if active != nil {
		out = append(out, d.policyAgeCheck(ctx, id, active))
	}
	return out
}

// policyAgeCheck reports whether STS runs the zone's active version.
func (d *Doctor) policyAgeCheck(ctx context.Context, zone string, set *caracal.PolicySet) health.Check {
	ch := health.Check{Section: "zones", Name: zone + " sts policy", Status: health.CheckOK, Source: fmt.Sprintf("GET /v1/zones/%s/policy-sets/%s/activation-status", zone, set.ID)}
	a, err := d.Source.ActivationStatus(ctx, zone, set.ID, auditrow.Str(set.ActiveVersionID))
	if err != nil {
		ch.Status, ch.Detail = health.CheckWarn, collect.Describe(err)
		return ch
	}
	ch.Detail = "propagation " + a.PropagationStatus
	if a.STS.AgeSeconds != nil {
		ch.Detail += fmt.Sprintf(", loaded %.0fs ago", *a.STS.AgeSeconds)
	}
	switch a.PropagationStatus {
	case caracal.PropagationLoaded:
	case caracal.PropagationFailed:
		ch.Status, ch.Detail = health.CheckFail, health.Propagation(a, false)
	default:
		ch.Status, ch.Detail = health.CheckWarn, health.Propagation(a, false)
	}
	return ch
}

// unreadMetricsChecks reports the metrics endpoints that could not be read
// (API.md §5.2: warn when protected and no bearer is configured, fail otherwise).
func unreadMetricsChecks(ev *diagnose.Evidence) []health.Check {
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

func countDetail(n int, what string) string {
	if n == 0 {
		return "none " + what
	}
	return fmt.Sprintf("%d %s", n, what)
}
