package collect_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect/collecttest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// A collector limited to some zones (a chat channel bound to them) searches
// and inventories only those, over real HTTP against the simulator.

func TestCollect_AllowedZonesLimitTheCrossZoneSearch(t *testing.T) {
	srv := sim(t)
	sc := scenario(t, "wrong-zone") // asked in Research, lives in Staging
	c := collector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch}

	ev, d := gather(t, c, query(sc))
	assert.False(t, ev.HasTrace(), "the trace in a zone outside the allowed ones is not found")
	assert.Equal(t, []string{caracaltest.ZoneResearch}, ev.SearchedZones)
	assert.Equal(t, caracaltest.ZoneResearch, d.ZoneID)
	assert.NotContains(t, d.Verdict+d.Steps[1].Detail+d.Steps[2].Detail, caracaltest.ZoneStaging)
	assert.Contains(t, d.MissingEvidence, diagnose.Missing{What: "other zones", Source: "channels[].zones in the bot's configuration",
		Reason: "the search was limited to the zones this channel may read: " + caracaltest.ZoneResearch})
	assert.Empty(t, collecttest.PathsNaming(srv, caracaltest.ZoneStaging), "nothing is read from the other zone")
}

func TestCollect_AllowedZonesStillSearchEveryAllowedZone(t *testing.T) {
	srv := sim(t)
	sc := scenario(t, "wrong-zone")
	c := collector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}

	ev, d := gather(t, c, query(sc))
	require.True(t, ev.HasTrace())
	assert.Equal(t, caracaltest.ZoneStaging, d.ZoneID, "found in the other allowed zone")
	assert.Equal(t, sc.Cause, d.Cause)
}

func TestCollect_AllowedZonesNoteOnlyWhenTheSearchRan(t *testing.T) {
	srv := sim(t)
	c := collector(newClient(srv))
	c.AllowedZones = []string{caracaltest.ZoneResearch}
	_, d := gather(t, c, query(scenario(t, "deny-no-grant")))
	for _, m := range d.MissingEvidence {
		assert.NotEqual(t, "other zones", m.What, "a trace in the asked zone needs no search elsewhere")
	}
}
