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
	// Overviews, when set, give the exact number of deny rows of the last
	// 24 hours (API.md §6.2): a 24-hour digest's total, and the base of
	// its coverage when the time runs out before every page is read.
	Overviews OverviewReader
	// PagesPerMinute paces the audit pages (DefaultPagesPerMinute when 0).
	PagesPerMinute int
	// Until is the end of the window; zero is the Doctor's clock. A
	// scheduled digest ends at its fire time, so that its window starts
	// on a minute and, when fired on the hour, on an hour.
	Until time.Time
	// Denials, when set, give running aggregates: the whole hours of both
	// windows they cover are counted from them, and only the rest is read
	// from the audit log (see aggregates.go). Serve's scheduled digests
	// set it; the digest command reads the audit log.
	Denials DenialSource
}

// ApplicationLister lists a zone's applications (API.md §6.3).
type ApplicationLister interface {
	Applications(ctx context.Context, zoneID, status string) ([]caracal.Application, error)
}

// OverviewReader reads a zone's overview (API.md §6.2).
type OverviewReader interface {
	ZoneOverview(ctx context.Context, zoneID string) (*caracal.ZoneOverview, error)
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
// through the Doctor's source. One Doctor run gives the readiness, the
// findings and the policy propagation of every zone; beside it, per zone,
// the overview, the applications, the approval holds and the deny rows of
// both windows, streamed (denials.go). It never fails: a call that fails
// leaves its part nil and is named in Missing.
func Gather(ctx context.Context, d *doctor.Doctor, opts Options) Report {
	window := opts.Window
	if window <= 0 {
		window = DefaultWindow
	}
	zones := opts.Zones
	if len(zones) == 0 && d.DefaultZone != "" {
		zones = []string{d.DefaultZone}
	}
	now := d.Clock().UTC()
	until := now
	if !opts.Until.IsZero() {
		until = opts.Until.UTC()
	}
	rep := Report{GeneratedAt: now, Since: until.Add(-window), Until: until, Window: window.String(),
		Findings: []health.Check{}, Zones: make([]Zone, len(zones))}
	ctx, cancel := context.WithTimeout(ctx, d.Deadline())
	defer cancel()
	// Listings may take several pages, so each read gets the whole budget;
	// every HTTP attempt is still bounded by the client's call timeout.
	g := collect.NewGroup(ctx, d.Deadline(), &rep.Missing)
	var doc doctor.Report
	g.Go("doctor", "doctor checks", func(ctx context.Context) error {
		doc = d.Run(ctx, doctor.Options{Zones: zones})
		return nil
	})
	var current, previous []*windowRead
	zoneReads := make([]*zoneRead, len(zones))
	for i, zone := range zones {
		rep.Zones[i].ZoneID = zone
		page := func(ctx context.Context, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
			return d.Source.Audit(ctx, zone, q)
		}
		ag := aggregates(ctx, opts.Denials, zone)
		zr := &zoneRead{zone: zone, cur: newWindowRead(rep.Since, until, page, ag), prev: newWindowRead(rep.Since.Add(-window), rep.Since, page, ag)}
		zoneReads[i] = zr
		current, previous = append(current, zr.cur), append(previous, zr.prev)
		zr.start(g, d.Source, opts, &rep.Zones[i], until, window)
	}
	// The pages stop a little before the deadline, so that what was read
	// is still summarized and delivered in time.
	streamCtx, stop := context.WithTimeout(caracal.WithoutReadBudget(ctx), d.Deadline()*9/10)
	defer stop()
	readWindows(streamCtx, newPageLimiter(opts.PagesPerMinute), append(current, previous...)...)
	g.Wait()
	for i, zr := range zoneReads {
		zr.finish(&rep.Zones[i], &rep.Missing)
		rep.Zones[i].Unpropagated = unpropagated(doc, zr.zone)
	}
	rep.Readiness = doc.Readiness
	rep.Findings = doctorFindings([]doctor.Report{doc})
	rep.Missing = append(rep.Missing, doc.Missing...)
	rep.Missing = append(rep.Missing, propagationMissing(doc)...)
	sort.SliceStable(rep.Missing, func(i, j int) bool { return rep.Missing[i].What < rep.Missing[j].What })
	return rep
}

// aggregates are the zone's running aggregates, nil without a source or
// when it has none: the digest then reads the audit log, as it would
// without them, so a source that fails costs time, not counts.
func aggregates(ctx context.Context, src DenialSource, zone string) *Aggregates {
	if src == nil {
		return nil
	}
	ag, err := src.DenialAggregates(ctx, zone)
	if err != nil {
		return nil
	}
	return ag
}

// zoneRead is one zone's part of a digest while it is read.
type zoneRead struct {
	zone      string
	cur, prev *windowRead
	// total is the exact number of deny rows of the window, from the
	// overview (24-hour windows only); 0 when unknown.
	total int
	named []caracal.Application
}

// start starts the zone's reads besides its deny rows: the overview, the
// applications and the approval holds.
func (zr *zoneRead) start(g *collect.Group, src doctor.Source, opts Options, zd *Zone, until time.Time, window time.Duration) {
	zone := zr.zone
	// The overview counts the 24 hours before it is read: the total of a
	// window that ends now only.
	if opts.Overviews != nil && window == 24*time.Hour && opts.Until.IsZero() {
		g.Go("overview of zone "+zone, fmt.Sprintf("GET /v1/zones/%s/overview", zone), func(ctx context.Context) error {
			ov, err := opts.Overviews.ZoneOverview(ctx, zone)
			if err == nil {
				g.Store(func() { zr.total = ov.Decisions24h.Denied })
			}
			return err
		})
	}
	if opts.Applications != nil {
		g.Go("applications in zone "+zone, fmt.Sprintf("GET /v1/zones/%s/applications", zone), func(ctx context.Context) error {
			a, err := opts.Applications.Applications(ctx, zone, "")
			g.Store(func() { zr.named = a })
			return err
		})
	}
	listing := fmt.Sprintf("GET /v1/zones/%s/audit", zone)
	g.Go("approval holds in zone "+zone, listing+"?event_type=step_up_issued,step_up_decided,step_up_consumed", func(ctx context.Context) error {
		rows, err := auditRows(ctx, src, zone, caracal.AuditQuery{Since: until.Add(-window), Until: until,
			EventTypes: []string{eventStepUpIssued, eventStepUpDecided, eventStepUpConsumed}})
		if err != nil {
			return err
		}
		s := SummarizeApprovals(rows, until)
		g.Store(func() { zd.Approvals = &s })
		return nil
	})
}

// finish summarizes the zone's windows once every read is done, and names
// what could not be read.
func (zr *zoneRead) finish(zd *Zone, missing *[]diagnose.Missing) {
	listing := fmt.Sprintf("GET /v1/zones/%s/audit?decision=deny", zr.zone)
	for _, w := range []struct {
		what  string
		read  *windowRead
		total int
		dst   **DenialSummary
	}{{"denials", zr.cur, zr.total, &zd.Denials}, {"previous denials", zr.prev, 0, &zd.Previous}} {
		w.read.tally.nameApplications(zr.named)
		s := w.read.summary(w.total)
		err := w.read.err()
		switch {
		case err == nil:
		case s.DenyRows == 0 && !errors.Is(err, errDeadline):
			*missing = append(*missing, diagnose.Missing{What: w.what + " in zone " + zr.zone, Source: listing, Reason: collect.Describe(err)})
			continue
		default:
			*missing = append(*missing, diagnose.Missing{What: w.what + " in zone " + zr.zone, Source: listing, Reason: coverageReason(s, err)})
		}
		*w.dst = &s
	}
}

// coverageReason says why a window's breakdown is partial and what it covers.
func coverageReason(s DenialSummary, err error) string {
	why := "the digest's time ran out"
	if !errors.Is(err, errDeadline) {
		why = "a page could not be read (" + collect.Describe(err) + ")"
	}
	if s.TotalDenyRows > 0 {
		return fmt.Sprintf("%s: the breakdown covers %d of the window's %d deny rows (%.0f%%); the total is exact", why, s.DenyRows, s.TotalDenyRows, 100*s.Coverage)
	}
	return fmt.Sprintf("%s: the breakdown covers %.0f%% of the window; counts are a lower bound", why, 100*s.Coverage)
}

// auditRows reads every page of an audit listing.
func auditRows(ctx context.Context, src doctor.Source, zone string, q caracal.AuditQuery) ([]caracal.AuditRow, error) {
	q.Limit = pageSize
	return caracal.CollectPages(ctx, func(cursor string) (*caracal.List[caracal.AuditRow], error) {
		q.Cursor = cursor
		return src.Audit(ctx, zone, q)
	}, 0)
}

// unpropagated returns the zone's active policy set when the Doctor found
// it not loaded on STS: an empty, non-nil list when it is loaded or none is
// active, nil when the policy sets or the propagation could not be read.
func unpropagated(doc doctor.Report, zone string) []PropagationIssue {
	for _, st := range doc.ZoneStates {
		if st.ZoneID != zone {
			continue
		}
		switch {
		case st.PolicySetsErr != nil:
			return nil
		case st.ActiveSet == nil:
			return []PropagationIssue{}
		case st.Activation == nil:
			return nil
		case st.Activation.PropagationStatus == caracal.PropagationLoaded:
			return []PropagationIssue{}
		}
		return []PropagationIssue{{PolicySetID: st.ActiveSet.ID, PolicySetName: st.ActiveSet.Name, VersionID: auditrow.Str(st.ActiveSet.ActiveVersionID),
			Status: st.Activation.PropagationStatus, Detail: health.Propagation(st.Activation, false)}}
	}
	return nil
}

// propagationMissing names the zones whose propagation could not be read:
// their policy sets, or their active set's activation-status.
func propagationMissing(doc doctor.Report) []diagnose.Missing {
	var out []diagnose.Missing
	for _, st := range doc.ZoneStates {
		what := "policy propagation in zone " + st.ZoneID
		switch {
		case st.PolicySetsErr != nil:
			out = append(out, diagnose.Missing{What: what, Source: fmt.Sprintf("GET /v1/zones/%s/policy-sets", st.ZoneID), Reason: collect.Describe(st.PolicySetsErr)})
		case st.ActiveSet != nil && st.Activation == nil && st.ActivationErr != nil:
			out = append(out, diagnose.Missing{What: what,
				Source: fmt.Sprintf("GET /v1/zones/%s/policy-sets/%s/activation-status", st.ZoneID, st.ActiveSet.ID), Reason: collect.Describe(st.ActivationErr)})
		}
	}
	return out
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
