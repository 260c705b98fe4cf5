// Package doctor reports on the platform: Status (the /ready of the five
// services, like caracal status --ready), the Doctor's checks (Run), and the
// check of the bot's own admin token (CheckCredential). The thresholds
// themselves are the health package's.
package doctor

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
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

// Options selects the zones to check and how strict to be: Zones when
// set, else Zone, else every visible zone with AllZones, else the default
// zone.
type Options struct {
	Zone     string
	Zones    []string
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

// Report follows the shape of Caracal's Doctor report (API.md §5.1), plus
// the checks that could not be made for want of an answer (Missing): a
// timeout says nothing about what was being checked.
type Report struct {
	Command string             `json:"command"`
	Mode    string             `json:"mode"`
	Ready   bool               `json:"ready"`
	Strict  bool               `json:"strict"`
	Context ZoneContext        `json:"context"`
	Summary Summary            `json:"summary"`
	Checks  []health.Check     `json:"checks"`
	Missing []diagnose.Missing `json:"missing_evidence,omitempty"`

	// Readiness is the /ready of the five services as the Doctor read it,
	// and ZoneStates what it read of each zone checked: callers such as
	// the digest reuse them instead of reading them again.
	Readiness  StatusReport `json:"-"`
	ZoneStates []ZoneState  `json:"-"`
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
	var zoneChecks []health.Check
	var zoneMissing []diagnose.Missing
	var wg sync.WaitGroup
	// Every read starts at once; only what needs an answer waits for it: the
	// zones of --all-zones wait for the zone list, a zone's policy
	// propagation for its policy sets (Doctor.oneZone).
	wg.Go(func() {
		runtime := collect.Collector{Readers: collect.Readers{Probes: d.Source, Metrics: d.Source}, Settings: d.Settings}
		ev = runtime.Runtime(ctx)
	})
	var states []ZoneState
	selected, known := d.selectedZones(opts)
	if known {
		wg.Go(func() { zoneChecks, zoneMissing, states = d.zoneChecks(ctx, selected) })
	}
	wg.Go(func() {
		listCtx, cancel := context.WithTimeout(ctx, d.CallDeadline())
		z, err := d.Source.Zones(listCtx)
		cancel()
		zones, zonesErr = d.Allowed(z), err
		if !known {
			ids, _ := d.zones(opts, zones, zonesErr)
			zoneChecks, zoneMissing, states = d.zoneChecks(ctx, ids)
		}
	})
	wg.Wait()

	report := Report{Command: "doctor", Mode: "system", Strict: opts.Strict, Readiness: statusOf(ev.Ready), ZoneStates: states}
	add := func(cs ...health.Check) { report.Checks = append(report.Checks, cs...) }
	ids, scope := d.zones(opts, zones, zonesErr)
	report.Context = ZoneContext{ZoneScope: scope, ZoneIDs: ids}
	add(apiHealthCheck(ev))
	if auth, ok := adminAuthCheck(zones, zonesErr, ids); ok {
		add(auth)
	} else {
		report.Missing = append(report.Missing, diagnose.Missing{What: "admin auth", Source: auth.Source, Reason: auth.Detail})
	}
	add(clockSkewCheck(ev.Health[caracal.ServiceAPI]))
	if len(ids) == 0 {
		add(health.Check{Section: "zones", Name: "zone inventory", Status: health.CheckWarn, Detail: "no zones visible"})
	}
	add(zoneChecks...)
	report.Missing = append(report.Missing, zoneMissing...)
	add(health.ReadinessChecks(ev.Ready)...)
	add(health.MetricsChecks(ev.Metrics())...)
	add(unreadMetricsChecks(ev)...)
	add(health.ExtraChecks(ev.Metrics(), ev.Ready)...)
	if p, ok := ev.Ready[caracal.ServiceAPI]; ok && !health.OutboxReported(p) {
		report.Missing = append(report.Missing, diagnose.Missing{What: "api outbox", Source: "GET " + p.URL, Reason: outboxUnread(p)})
	}
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
	r.Ready = r.Summary.Total > 0 && r.Summary.Fail == 0 && (!r.Strict || r.Summary.Warn == 0 && len(r.Missing) == 0)
}

// selectedZones are the zones to check when they are known without the
// zone list: those asked for, else the default zone unless all are asked.
func (d *Doctor) selectedZones(opts Options) ([]string, bool) {
	switch {
	case len(opts.Zones) > 0:
		return opts.Zones, true
	case opts.Zone != "":
		return []string{opts.Zone}, true
	case !opts.AllZones && d.DefaultZone != "":
		return []string{d.DefaultZone}, true
	}
	return nil, false
}

// zones picks the zones to check and says how they were chosen.
func (d *Doctor) zones(opts Options, zones []caracal.Zone, zonesErr error) ([]string, string) {
	if ids, ok := d.selectedZones(opts); ok {
		return ids, "selected"
	}
	switch {
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

// clockSkewCheck compares the API's Date header with the bot's clock at the
// moment that answer arrived (not once every probe has finished: a slow
// probe elsewhere is no skew), with the Doctor's thresholds: warn from 2 s
// (or no usable header), fail from 30 s.
func clockSkewCheck(p caracal.Probe) health.Check {
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
	skew := p.Received.Sub(t)
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

// outboxUnread says why the API's /ready told nothing of its outbox.
func outboxUnread(apiReady caracal.Probe) string {
	if !apiReady.Reachable {
		return "API /ready did not answer (" + health.ProbeDetail(apiReady) + ")"
	}
	return "API /ready stopped before its outbox check (" + health.ProbeDetail(apiReady) + ")"
}

func apiHealthCheck(ev *diagnose.Evidence) health.Check {
	p := ev.Health[caracal.ServiceAPI]
	api := health.Check{Section: "health", Name: "api health", Status: health.CheckOK, Detail: p.URL, Source: "GET " + p.URL}
	if !p.OK {
		api.Status, api.Detail = health.CheckFail, health.ProbeDetail(p)
	}
	return api
}

// adminAuthCheck judges the admin token by the zone list: ok when it is
// listed, or refused to a zone-scoped token (the recommended credential)
// with zones left to check; fail when Caracal refused the token (401, 403).
// Any other outcome (a timeout, a 5xx) says nothing about the token: it
// reports false, and the check's detail says why it could not be made.
func adminAuthCheck(zones []caracal.Zone, err error, checked []string) (health.Check, bool) {
	c := health.Check{Section: "health", Name: "admin auth", Status: health.CheckOK, Detail: fmt.Sprintf("%d zone(s) visible", len(zones)), Source: "GET /v1/zones"}
	e, refused := caracal.AsError(err)
	switch {
	case err == nil:
	case caracal.HasCode(err, 403, "admin_token_zone_mismatch") && len(checked) > 0:
		c.Detail = "zones cannot be listed with a zone-scoped token, as expected; zone " + strings.Join(checked, ", ") + " is checked"
	case caracal.HasCode(err, 403, "admin_token_zone_mismatch"):
		c.Status, c.Detail = health.CheckWarn, "zones cannot be listed with a zone-scoped token, and no zone is configured, so none is checked"
	case refused && (e.Status == 401 || e.Status == 403):
		c.Status, c.Detail = health.CheckFail, collect.Describe(err)
	default:
		c.Detail = collect.Describe(err)
		return c, false
	}
	return c, true
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
