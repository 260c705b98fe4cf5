package router_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/router"
)

// A collector limited to some zones (a chat channel bound to them) searches
// and inventories only those, over real HTTP against the simulator.

// zonePaths lists the simulator's recorded paths that name zone.
func zonePaths(srv *caracaltest.Server, zone string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path+"?"+r.Query, zone) {
			out = append(out, r.Path)
		}
	}
	return out
}

func TestCollect_AllowedZonesLimitTheCrossZoneSearch(t *testing.T) {
	srv := sim(t)
	sc := scenario(t, "wrong-zone") // asked in Research, lives in Staging
	c := collector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch}

	ev, d := collect(t, c, query(sc))
	assert.False(t, ev.HasTrace(), "the trace in a zone outside the allowed ones is not found")
	assert.Equal(t, []string{caracaltest.ZoneResearch}, ev.SearchedZones)
	assert.Equal(t, caracaltest.ZoneResearch, d.ZoneID)
	assert.NotContains(t, d.Verdict+d.Steps[1].Detail+d.Steps[2].Detail, caracaltest.ZoneStaging)
	assert.Contains(t, d.MissingEvidence, router.Missing{What: "other zones", Source: "channels[].zones in the bot's configuration",
		Reason: "the search was limited to the zones this channel may read: " + caracaltest.ZoneResearch})
	assert.Empty(t, zonePaths(srv, caracaltest.ZoneStaging), "nothing is read from the other zone")
}

func TestCollect_AllowedZonesStillSearchEveryAllowedZone(t *testing.T) {
	srv := sim(t)
	sc := scenario(t, "wrong-zone")
	c := collector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}

	ev, d := collect(t, c, query(sc))
	require.True(t, ev.HasTrace())
	assert.Equal(t, caracaltest.ZoneStaging, d.ZoneID, "found in the other allowed zone")
	assert.Equal(t, sc.Cause, d.Cause)
}

func TestCollect_AllowedZonesNoteOnlyWhenTheSearchRan(t *testing.T) {
	srv := sim(t)
	c := collector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch}
	_, d := collect(t, c, query(scenario(t, "deny-no-grant")))
	for _, m := range d.MissingEvidence {
		assert.NotEqual(t, "other zones", m.What, "a trace in the asked zone needs no search elsewhere")
	}
}

func TestDoctor_AllZonesCoversOnlyTheAllowedZones(t *testing.T) {
	srv := sim(t)
	c := doctorCollector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch}

	r := doctor(t, c, router.DoctorOptions{AllZones: true})
	assert.Equal(t, "all", r.Context.ZoneScope)
	assert.Equal(t, []string{caracaltest.ZoneResearch}, r.Context.ZoneIDs)
	assert.Equal(t, "1 zone(s) visible", check(t, r, "admin auth").Detail, "the inventory counts only the allowed zones")
	assert.NotContains(t, checkNames(r), caracaltest.ZoneStaging)
	assert.Empty(t, zonePaths(srv, caracaltest.ZoneStaging))

	open := doctor(t, doctorCollector(newClient(srv)), router.DoctorOptions{AllZones: true})
	assert.Contains(t, open.Context.ZoneIDs, caracaltest.ZoneStaging, "without AllowedZones every visible zone is checked")
}
