// Package digest is the periodic health digest (ROUTER.md "Doctor, status
// and digest"): readiness, the Doctor's findings, and per zone the denied
// requests of a window grouped by cause against the previous window,
// approval holds and policy propagation. Gather reads; the statistics over
// audit rows (stats.go) are pure.
package digest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// DefaultWindow is the window of a digest that names none.
const DefaultWindow = 24 * time.Hour

// pageSize is the audit page size the digest asks for (the API's maximum).
const pageSize = 1000

// Options selects the zones and the window of a digest.
type Options struct {
	// Zones are the zones covered; empty means the Doctor's default zone.
	Zones []string
	// Window is how far back the digest looks (default 24h); the previous
	// window of the same length is read for comparison.
	Window time.Duration
	// Applications, when set, names the applications that denied rows carry
	// by id only (replay_detected's client_id) and no other row names.
	Applications ApplicationLister
}

// ApplicationLister lists a zone's applications (API.md §6.3).
type ApplicationLister interface {
	Applications(ctx context.Context, zoneID, status string) ([]caracal.Application, error)
}

// Report is the digest summary: readiness, the Doctor's warnings and
// failures, and per zone the denials of the window against the previous
// one, approval holds and policy propagation. What could not be read is
// named in Missing.
type Report struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Since       time.Time           `json:"since"`
	Until       time.Time           `json:"until"`
	Window      string              `json:"window"`
	Readiness   doctor.StatusReport `json:"readiness"`
	// Findings are the Doctor's warn and fail checks, without the /ready
	// checks (those are in Readiness).
	Findings []health.Check     `json:"doctor_findings"`
	Zones    []Zone             `json:"zones"`
	Missing  []diagnose.Missing `json:"missing_evidence,omitempty"`
}

// Zone is one zone's part of a digest. A nil summary could not be read
// (see Report.Missing).
type Zone struct {
	ZoneID string `json:"zone_id"`
	// Denials are the window's denied requests, Previous those of the
	// window of the same length before it.
	Denials   *DenialSummary   `json:"denials"`
	Previous  *DenialSummary   `json:"previous_denials"`
	Approvals *ApprovalSummary `json:"approvals"`
	// Unpropagated lists active policy sets whose activation-status is not
	// loaded; nil (not empty) when the policy sets could not be read.
	Unpropagated []PropagationIssue `json:"unpropagated_policy_sets"`
}

// PropagationIssue is an active policy set that has not reached STS.
type PropagationIssue struct {
	PolicySetID   string `json:"policy_set_id"`
	PolicySetName string `json:"policy_set_name"`
	VersionID     string `json:"version_id"`
	Status        string `json:"propagation_status"`
	Detail        string `json:"detail"`
}

// Gather gathers a digest in parallel under the Doctor's deadline, reading
// through the Doctor's source. It never fails: a call that fails leaves its
// part nil and is named in Missing.
func Gather(ctx context.Context, d *doctor.Doctor, opts Options) Report {
	window := opts.Window
	if window <= 0 {
		window = DefaultWindow
	}
	zones := opts.Zones
	if len(zones) == 0 && d.DefaultZone != "" {
		zones = []string{d.DefaultZone}
	}
	until := d.Clock().UTC()
	rep := Report{GeneratedAt: until, Since: until.Add(-window), Until: until, Window: window.String(),
		Findings: []health.Check{}, Zones: make([]Zone, len(zones))}
	ctx, cancel := context.WithTimeout(ctx, d.Deadline())
	defer cancel()
	// Listings may take several pages, so each read gets the whole budget;
	// every HTTP attempt is still bounded by the client's call timeout.
	g := collect.NewGroup(ctx, d.Deadline(), &rep.Missing)
	g.Go("readiness", "GET /ready of the five services", func(ctx context.Context) error {
		st := doctor.Status(ctx, d.Source)
		g.Store(func() { rep.Readiness = st })
		return nil
	})
	doctors := make([]doctor.Report, max(len(zones), 1))
	for i := range doctors {
		g.Go("doctor", "doctor checks", func(ctx context.Context) error {
			o := doctor.Options{}
			if i < len(zones) {
				o.Zone = zones[i]
			}
			doctors[i] = d.Run(ctx, o)
			return nil
		})
	}
	finish := make([]func(), len(zones))
	for i, zone := range zones {
		zd := &rep.Zones[i]
		zd.ZoneID = zone
		finish[i] = gatherZone(g, d.Source, opts.Applications, zd, rep.Since, until, window)
	}
	g.Wait()
	for _, f := range finish {
		f()
	}
	rep.Findings = doctorFindings(doctors)
	rep.Missing = append(rep.Missing, doctorMissing(doctors)...)
	sort.SliceStable(rep.Missing, func(i, j int) bool { return rep.Missing[i].What < rep.Missing[j].What })
	return rep
}

// gatherZone starts the reads of one zone: denials of both windows, the
// zone's applications (to name them), approval holds and policy
// propagation. The function it returns summarizes the denials once the
// reads are done.
func gatherZone(g *collect.Group, src doctor.Source, apps ApplicationLister, zd *Zone, since, until time.Time, window time.Duration) func() {
	zone := zd.ZoneID
	listing := fmt.Sprintf("GET /v1/zones/%s/audit", zone)
	var cur, prev deniedRows
	var named []caracal.Application
	denials := func(from, to time.Time, what string, dst *deniedRows) {
		g.Go(what+" in zone "+zone, listing+"?decision=deny", func(ctx context.Context) error {
			rows, err := auditRows(ctx, src, zone, caracal.AuditQuery{Since: from, Until: to, Decision: "deny"})
			if err != nil && !errors.Is(err, caracal.ErrPageLimit) {
				return err
			}
			g.Store(func() { *dst = deniedRows{rows: rows, from: from, read: true, truncated: err != nil} })
			if err != nil {
				return fmt.Errorf("only the first %d pages were read; counts are a lower bound", caracal.DefaultMaxPages)
			}
			return nil
		})
	}
	denials(since, until, "denials", &cur)
	denials(since.Add(-window), since, "previous denials", &prev)
	if apps != nil {
		g.Go("applications in zone "+zone, fmt.Sprintf("GET /v1/zones/%s/applications", zone), func(ctx context.Context) error {
			a, err := apps.Applications(ctx, zone, "")
			g.Store(func() { named = a })
			return err
		})
	}
	g.Go("approval holds in zone "+zone, listing+"?event_type=step_up_issued,step_up_decided,step_up_consumed", func(ctx context.Context) error {
		rows, err := auditRows(ctx, src, zone, caracal.AuditQuery{Since: since, Until: until,
			EventTypes: []string{eventStepUpIssued, eventStepUpDecided, eventStepUpConsumed}})
		if err != nil {
			return err
		}
		s := SummarizeApprovals(rows, until)
		g.Store(func() { zd.Approvals = &s })
		return nil
	})
	g.Go("policy propagation in zone "+zone, fmt.Sprintf("GET /v1/zones/%s/policy-sets", zone), func(ctx context.Context) error {
		issues, err := unpropagated(ctx, src, zone)
		if err != nil {
			return err
		}
		g.Store(func() { zd.Unpropagated = issues })
		return nil
	})
	return func() {
		zd.Denials, zd.Previous = cur.summary(named, window), prev.summary(named, window)
	}
}

// deniedRows are the deny rows of one window, as read.
type deniedRows struct {
	rows      []caracal.AuditRow
	from      time.Time
	read      bool // false when the listing failed
	truncated bool // the listing had more pages than were read
}

// summary summarizes the window's denied requests; nil when they could not be read.
func (d deniedRows) summary(apps []caracal.Application, window time.Duration) *DenialSummary {
	if !d.read {
		return nil
	}
	s := SummarizeDenials(DeniedRequests(d.rows, apps), d.from, window)
	s.Truncated = d.truncated
	return &s
}

// auditRows reads every page of an audit listing.
func auditRows(ctx context.Context, src doctor.Source, zone string, q caracal.AuditQuery) ([]caracal.AuditRow, error) {
	q.Limit = pageSize
	return caracal.CollectPages(ctx, func(cursor string) (*caracal.List[caracal.AuditRow], error) {
		q.Cursor = cursor
		return src.Audit(ctx, zone, q)
	}, 0)
}

// unpropagated returns the zone's active policy sets whose activation-status
// is not loaded (an empty, non-nil list when all are).
func unpropagated(ctx context.Context, src doctor.Source, zone string) ([]PropagationIssue, error) {
	sets, err := src.PolicySets(ctx, zone)
	if err != nil {
		return nil, err
	}
	out := []PropagationIssue{}
	for _, ps := range sets {
		version := auditrow.Str(ps.ActiveVersionID)
		if version == "" {
			continue
		}
		a, err := src.ActivationStatus(ctx, zone, ps.ID, version)
		if err != nil {
			return nil, fmt.Errorf("activation-status of policy set %s: %w", ps.Name, err)
		}
		if a.PropagationStatus == caracal.PropagationLoaded {
			continue
		}
		out = append(out, PropagationIssue{PolicySetID: ps.ID, PolicySetName: ps.Name, VersionID: version,
			Status: a.PropagationStatus, Detail: health.Propagation(a, false)})
	}
	return out, nil
}

// doctorFindings merges the Doctor reports of several zones into their warn
// and fail checks, once each, without the /ready checks.
func doctorFindings(reports []doctor.Report) []health.Check {
	out := []health.Check{}
	seen := map[string]bool{}
	for _, r := range reports {
		for _, ch := range r.Checks {
			key := ch.Section + "/" + ch.Name
			if ch.Status == health.CheckOK || seen[key] || (ch.Section == "readiness" && strings.HasSuffix(ch.Name, " readiness")) {
				continue
			}
			seen[key] = true
			out = append(out, ch)
		}
	}
	return out
}

// doctorMissing merges what the Doctor reports of several zones could not
// check, once each.
func doctorMissing(reports []doctor.Report) []diagnose.Missing {
	var out []diagnose.Missing
	for _, r := range reports {
		for _, m := range r.Missing {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
