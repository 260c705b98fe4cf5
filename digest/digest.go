package router

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// DefaultDigestWindow is the window of a digest that names none.
const DefaultDigestWindow = 24 * time.Hour

// digestPageSize is the audit page size the digest asks for (the API's maximum).
const digestPageSize = 1000

// DigestOptions selects the zones and the window of a digest.
type DigestOptions struct {
	// Zones are the zones covered; empty means the collector's default zone.
	Zones []string
	// Window is how far back the digest looks (default 24h); the previous
	// window of the same length is read for comparison.
	Window time.Duration
}

// DigestReport is the digest summary (ROUTER.md "Doctor, status and
// digest"): readiness, the Doctor's warnings and failures, and per zone the
// denials of the window against the previous one, approval holds and policy
// propagation. What could not be read is named in Missing.
type DigestReport struct {
	GeneratedAt time.Time    `json:"generated_at"`
	Since       time.Time    `json:"since"`
	Until       time.Time    `json:"until"`
	Window      string       `json:"window"`
	Readiness   StatusReport `json:"readiness"`
	// Findings are the Doctor's warn and fail checks, without the /ready
	// checks (those are in Readiness).
	Findings []health.Check `json:"doctor_findings"`
	Zones    []ZoneDigest   `json:"zones"`
	Missing  []Missing      `json:"missing_evidence,omitempty"`
}

// ZoneDigest is one zone's part of a digest. A nil summary could not be
// read (see DigestReport.Missing).
type ZoneDigest struct {
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

// Digest gathers a digest in parallel under the collector's timeout. It
// never fails: a call that fails leaves its part nil and is named in Missing.
func (c *Collector) Digest(ctx context.Context, opts DigestOptions) DigestReport {
	window := opts.Window
	if window <= 0 {
		window = DefaultDigestWindow
	}
	zones := opts.Zones
	if len(zones) == 0 && c.DefaultZone != "" {
		zones = []string{c.DefaultZone}
	}
	until := c.now().UTC()
	rep := DigestReport{GeneratedAt: until, Since: until.Add(-window), Until: until, Window: window.String(),
		Findings: []health.Check{}, Zones: make([]ZoneDigest, len(zones))}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	// Listings may take several pages, so each fetch gets the whole budget;
	// every HTTP attempt is still bounded by the client's call timeout.
	g := &gatherer{ctx: ctx, callTimeout: c.timeout(), ev: &Evidence{}}
	g.fetch("readiness", "GET /ready of the five services", func(ctx context.Context) error {
		st := Status(ctx, c.Source)
		g.set(func(*Evidence) { rep.Readiness = st })
		return nil
	})
	doctors := make([]DoctorReport, max(len(zones), 1))
	for i := range doctors {
		g.fetch("doctor", "doctor checks", func(ctx context.Context) error {
			o := DoctorOptions{}
			if i < len(zones) {
				o.Zone = zones[i]
			}
			doctors[i] = c.Doctor(ctx, o)
			return nil
		})
	}
	for i, zone := range zones {
		zd := &rep.Zones[i]
		zd.ZoneID = zone
		c.digestZone(g, zd, rep.Since, until, window)
	}
	g.wait()
	rep.Findings = doctorFindings(doctors)
	rep.Missing = g.ev.Missing
	sort.SliceStable(rep.Missing, func(i, j int) bool { return rep.Missing[i].What < rep.Missing[j].What })
	return rep
}

// digestZone starts the reads of one zone: denials of both windows,
// approval holds and policy propagation.
func (c *Collector) digestZone(g *gatherer, zd *ZoneDigest, since, until time.Time, window time.Duration) {
	zone := zd.ZoneID
	listing := fmt.Sprintf("GET /v1/zones/%s/audit", zone)
	denials := func(from, to time.Time, what string, dst **DenialSummary) {
		g.fetch(what+" in zone "+zone, listing+"?decision=deny", func(ctx context.Context) error {
			rows, err := c.auditRows(ctx, zone, caracal.AuditQuery{Since: from, Until: to, Decision: "deny"})
			if err != nil && !errors.Is(err, caracal.ErrPageLimit) {
				return err
			}
			s := SummarizeDenials(DeniedRequests(rows), from, window)
			s.Truncated = err != nil
			g.set(func(*Evidence) { *dst = &s })
			if err != nil {
				return fmt.Errorf("only the first %d pages were read; counts are a lower bound", caracal.DefaultMaxPages)
			}
			return nil
		})
	}
	denials(since, until, "denials", &zd.Denials)
	denials(since.Add(-window), since, "previous denials", &zd.Previous)
	g.fetch("approval holds in zone "+zone, listing+"?event_type=step_up_issued,step_up_decided,step_up_consumed", func(ctx context.Context) error {
		rows, err := c.auditRows(ctx, zone, caracal.AuditQuery{Since: since, Until: until,
			EventTypes: []string{eventStepUpIssued, eventStepUpDecided, eventStepUpConsumed}})
		if err != nil {
			return err
		}
		s := SummarizeApprovals(rows, until)
		g.set(func(*Evidence) { zd.Approvals = &s })
		return nil
	})
	g.fetch("policy propagation in zone "+zone, fmt.Sprintf("GET /v1/zones/%s/policy-sets", zone), func(ctx context.Context) error {
		issues, err := c.unpropagated(ctx, zone)
		if err != nil {
			return err
		}
		g.set(func(*Evidence) { zd.Unpropagated = issues })
		return nil
	})
}

// auditRows reads every page of an audit listing.
func (c *Collector) auditRows(ctx context.Context, zone string, q caracal.AuditQuery) ([]caracal.AuditRow, error) {
	q.Limit = digestPageSize
	return caracal.CollectPages(ctx, func(cursor string) (*caracal.List[caracal.AuditRow], error) {
		q.Cursor = cursor
		return c.Source.Audit(ctx, zone, q)
	}, 0)
}

// unpropagated returns the zone's active policy sets whose activation-status
// is not loaded (an empty, non-nil list when all are).
func (c *Collector) unpropagated(ctx context.Context, zone string) ([]PropagationIssue, error) {
	sets, err := c.Source.PolicySets(ctx, zone)
	if err != nil {
		return nil, err
	}
	out := []PropagationIssue{}
	for _, ps := range sets {
		version := auditrow.Str(ps.ActiveVersionID)
		if version == "" {
			continue
		}
		a, err := c.Source.ActivationStatus(ctx, zone, ps.ID, version)
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
func doctorFindings(reports []DoctorReport) []health.Check {
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
