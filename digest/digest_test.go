package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect/collecttest"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// countDenied counts denied requests in a zone of the simulator's world
// within [since, until), straight from the world's audit table: distinct
// request IDs with at least one deny row (a row without an ID counts alone).
func countDenied(w caracaltest.World, zone string, since, until time.Time) int {
	seen := map[string]bool{}
	for _, r := range w.ZoneByID(zone).Audit {
		t, err := time.Parse(time.RFC3339Nano, r.OccurredAt)
		if err != nil || t.Before(since) || !t.Before(until) || r.Decision == nil || *r.Decision != "deny" {
			continue
		}
		key := "row:" + r.ID
		if r.RequestID != nil && *r.RequestID != "" {
			key = *r.RequestID
		}
		seen[key] = true
	}
	return len(seen)
}

// The simulator and a client of it.
var sim, newClient = collecttest.Start, collecttest.Client

// gather gathers the digest of src on the simulator's reference clock.
func gather(t *testing.T, src doctor.Source, opts digest.Options) digest.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return digest.Gather(ctx, &doctor.Doctor{Source: src, Settings: collecttest.Settings()}, opts)
}

func TestDigest_HealthyWorldCountsMatchTheAuditTable(t *testing.T) {
	srv := sim(t)
	r := gather(t, newClient(srv), digest.Options{Window: 12 * time.Hour})

	now := caracaltest.ReferenceTime()
	assert.Equal(t, now, r.Until)
	assert.Equal(t, now.Add(-12*time.Hour), r.Since)
	assert.True(t, r.Readiness.Ready(), "the base world is ready")
	require.Len(t, r.Zones, 1)
	z := r.Zones[0]
	assert.Equal(t, caracaltest.ZoneResearch, z.ZoneID, "no zone given: the default zone")
	require.NotNil(t, z.Denials)
	require.NotNil(t, z.Previous)

	w := srv.World()
	want := countDenied(w, caracaltest.ZoneResearch, now.Add(-12*time.Hour), now)
	wantPrev := countDenied(w, caracaltest.ZoneResearch, now.Add(-24*time.Hour), now.Add(-12*time.Hour))
	require.Positive(t, want, "the base world has denials in the last 12 hours")
	require.Positive(t, wantPrev, "and in the 12 hours before")
	assert.Equal(t, want, z.Denials.Requests)
	assert.Equal(t, wantPrev, z.Previous.Requests)
	sum := 0
	for _, c := range z.Denials.ByCause {
		assert.NotEqual(t, "exchange_denied", c.Key, "exchange_denied only closes a denial")
		sum += c.Count
	}
	assert.Equal(t, want, sum, "every denied request has exactly one cause")
	assert.Len(t, z.Denials.Hourly, 12)
	require.NotNil(t, z.Approvals)
	assert.NotNil(t, z.Unpropagated)
	assert.Empty(t, z.Unpropagated, "the active policy set is loaded")
	assert.Empty(t, r.Missing)
}

func TestDigest_PolicyNotPropagated(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("revoked-policy-not-propagated"))
	r := gather(t, newClient(srv), digest.Options{})
	require.Len(t, r.Zones, 1)
	require.Len(t, r.Zones[0].Unpropagated, 1)
	issue := r.Zones[0].Unpropagated[0]
	assert.NotEqual(t, "loaded", issue.Status)
	assert.Contains(t, issue.Detail, "outbox row dead")
	assert.False(t, r.Readiness.Ready(), "the API's /ready fails on the dead outbox row")
}

func TestDigest_CaracalUnreachableNamesWhatIsMissing(t *testing.T) {
	srv := sim(t, caracaltest.WithScenario("api-unreachable"))
	r := gather(t, newClient(srv), digest.Options{Zones: []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}})
	require.Len(t, r.Zones, 2)
	for _, z := range r.Zones {
		assert.Nil(t, z.Denials, "the audit list could not be read")
		assert.Nil(t, z.Approvals)
		assert.Nil(t, z.Unpropagated)
	}
	var what []string
	for _, m := range r.Missing {
		what = append(what, m.What)
	}
	assert.Contains(t, what, "denials in zone "+caracaltest.ZoneResearch)
	assert.Contains(t, what, "previous denials in zone "+caracaltest.ZoneStaging)
	assert.Contains(t, what, "policy propagation in zone "+caracaltest.ZoneResearch)
	assert.False(t, r.Readiness.Ready())
	var names []string
	for _, f := range r.Findings {
		names = append(names, f.Name)
		assert.NotEqual(t, "ok", f.Status)
	}
	assert.Contains(t, names, "api health")
	assert.NotContains(t, names, "api readiness", "/ready failures are reported under readiness, not twice")
}

// At volume, every denied request is counted exactly: the deny rows of a
// 24-hour window are streamed in pages and time slices, and their number
// matches the zone overview's exact total.
func TestDigest_SyntheticTrafficCountedExactly(t *testing.T) {
	const requests = 6000
	srv := sim(t, caracaltest.WithSyntheticDenials(requests, 20*time.Hour, 7, 3))
	client := newClient(srv)
	settings := collecttest.Settings()
	settings.Timeout = time.Minute // exactness, not speed: a busy machine must not cut the stream
	r := digest.Gather(context.Background(), &doctor.Doctor{Source: client, Settings: settings}, digest.Options{Overviews: client})
	require.Len(t, r.Zones, 1)
	d := r.Zones[0].Denials
	require.NotNil(t, d)
	now := caracaltest.ReferenceTime()
	assert.Equal(t, requests+countDenied(srv.World(), caracaltest.ZoneResearch, now.Add(-24*time.Hour), now), d.Requests)
	assert.Equal(t, d.TotalDenyRows, d.DenyRows, "every deny row the overview counts was read")
	assert.Equal(t, 1.0, d.Coverage)
	assert.False(t, d.Truncated)
	for _, m := range r.Missing {
		assert.NotContains(t, m.What, "denials", "nothing about the denials is missing: %+v", m)
	}
}
