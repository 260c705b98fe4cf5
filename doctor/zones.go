package doctor

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// The Doctor's checks of each zone: its lookup, resources, policy sets,
// audit list and the active policy set's propagation.

// ZoneState is what the Doctor read of one zone's policy: its active
// policy set and that set's propagation. PolicySetsErr is why the policy
// sets could not be read; Activation is nil when there is no active set or
// its activation-status could not be read (ActivationErr).
type ZoneState struct {
	ZoneID        string
	PolicySetsErr error
	ActiveSet     *caracal.PolicySet
	Activation    *caracal.ActivationStatus
	ActivationErr error
}

// zoneChecks runs the per-zone checks of every selected zone in parallel.
func (d *Doctor) zoneChecks(ctx context.Context, ids []string) ([]health.Check, []diagnose.Missing, []ZoneState) {
	results := make([]zoneResult, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, d.CallDeadline())
			defer cancel()
			results[i] = d.oneZone(ctx, id)
		})
	}
	wg.Wait()
	var checks []health.Check
	var missing []diagnose.Missing
	states := make([]ZoneState, 0, len(results))
	for _, r := range results {
		checks, missing = append(checks, r.checks...), append(missing, r.missing...)
		states = append(states, r.state)
	}
	return checks, missing, states
}

// zoneResult is what one zone's checks found, what they could not read,
// and what they read of the zone's policy.
type zoneResult struct {
	checks  []health.Check
	missing []diagnose.Missing
	state   ZoneState
}

// add records a check whose read ended with err: the check as it is when
// the read succeeded, a failure when Caracal answered an error, missing
// evidence when the read got no answer.
func (r *zoneResult) add(c health.Check, err error) {
	switch {
	case unanswered(err):
		r.missing = append(r.missing, diagnose.Missing{What: c.Name, Source: c.Source, Reason: collect.Describe(err)})
		return
	case err != nil:
		c.Status, c.Detail = health.CheckFail, collect.Describe(err)
	}
	r.checks = append(r.checks, c)
}

// oneZone checks one zone in two round trips: the zone, its resources,
// policy sets and audit list at once, then the active policy set's
// propagation.
func (d *Doctor) oneZone(ctx context.Context, id string) zoneResult {
	var r zoneResult
	check := func(name, status, detail string) health.Check {
		return health.Check{Section: "zones", Name: id + " " + name, Status: status, Detail: detail, Source: "GET /v1/zones/" + id}
	}
	var (
		z                        *caracal.Zone
		res                      []caracal.Resource
		sets                     []caracal.PolicySet
		zoneErr, resErr, setsErr error
		auditErr, propagationErr error
		propagation              health.Check
		wg                       sync.WaitGroup
	)
	wg.Go(func() { z, zoneErr = d.Source.Zone(ctx, id) })
	wg.Go(func() { res, resErr = d.Source.Resources(ctx, id) })
	wg.Go(func() { _, auditErr = d.Source.Audit(ctx, id, caracal.AuditQuery{Limit: 1}) })
	r.state.ZoneID = id
	wg.Go(func() {
		sets, setsErr = d.Source.PolicySets(ctx, id)
		r.state.PolicySetsErr = setsErr
		if active := diagnose.ActivePolicySet(sets); active != nil {
			r.state.ActiveSet = active
			propagation, propagationErr = d.policyAgeCheck(ctx, id, active, &r.state)
		}
	})
	wg.Wait()

	if zoneErr != nil {
		r.add(check("lookup", health.CheckFail, ""), zoneErr)
		return r
	}
	r.add(check("lookup", health.CheckOK, fmt.Sprintf("%s (%s)", z.ID, z.Name)), nil)
	r.add(check("resources", health.CheckOK, countDetail(len(res), "registered")), resErr)
	active := diagnose.ActivePolicySet(sets)
	if active != nil {
		r.add(check("policy sets", health.CheckOK, "1 active: "+active.Name), setsErr)
	} else {
		r.add(check("policy sets", health.CheckWarn, fmt.Sprintf("%d registered; none active", len(sets))), setsErr)
	}
	r.add(check("audit query", health.CheckOK, "queryable"), auditErr)
	if active != nil {
		r.add(propagation, propagationErr)
	}
	return r
}

// unanswered reports a read that got no answer (a timeout, a refused or
// dropped connection): it says nothing about what it would have checked.
func unanswered(err error) bool {
	var te *caracal.TransportError
	return errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded)
}

// policyAgeCheck reports whether STS runs the zone's active version (a
// warning when activation-status answered an error), and the error of a
// read that got no answer.
func (d *Doctor) policyAgeCheck(ctx context.Context, zone string, set *caracal.PolicySet, state *ZoneState) (health.Check, error) {
	ch := health.Check{Section: "zones", Name: zone + " sts policy", Status: health.CheckOK, Source: fmt.Sprintf("GET /v1/zones/%s/policy-sets/%s/activation-status", zone, set.ID)}
	a, err := d.Source.ActivationStatus(ctx, zone, set.ID, auditrow.Str(set.ActiveVersionID))
	state.Activation, state.ActivationErr = a, err
	switch {
	case unanswered(err):
		return ch, err
	case err != nil:
		ch.Status, ch.Detail = health.CheckWarn, collect.Describe(err)
		return ch, nil
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
	return ch, nil
}
