package collect_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Collection through small fakes, without the simulator: each part of the
// evidence is read through its own interface, and a reader left nil is
// not read.

const askedZone, otherZone = "zone-asked", "zone-other"

// traces answers explain from a map of zone to trace; any other zone has
// no trace (404). Audit lists are empty.
type traces map[string]*caracal.Explain

func (tr traces) Explain(_ context.Context, zone, _ string) (*caracal.Explain, error) {
	if t, ok := tr[zone]; ok {
		return t, nil
	}
	return nil, &caracal.Error{Service: caracal.ServiceAPI, Status: 404, Code: "request_not_found"}
}

func (traces) Audit(context.Context, string, caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
	return &caracal.List[caracal.AuditRow]{}, nil
}

// zones lists two zones, each with an empty configuration.
type zones struct{}

func (zones) Zones(context.Context) ([]caracal.Zone, error) {
	return []caracal.Zone{{ID: askedZone}, {ID: otherZone}}, nil
}

func (zones) Zone(_ context.Context, id string) (*caracal.Zone, error) {
	return &caracal.Zone{ID: id}, nil
}

func (zones) Applications(context.Context, string, string) ([]caracal.Application, error) {
	return nil, nil
}
func (zones) Resources(context.Context, string) ([]caracal.Resource, error)   { return nil, nil }
func (zones) PolicySets(context.Context, string) ([]caracal.PolicySet, error) { return nil, nil }
func (zones) Policies(context.Context, string) ([]caracal.Policy, error)      { return nil, nil }
func (zones) AdminAudit(context.Context, string, caracal.AdminAuditQuery) (*caracal.List[caracal.AdminAuditRow], error) {
	return &caracal.List[caracal.AdminAuditRow]{}, nil
}

func allowTrace(zone string) *caracal.Explain {
	allow := "allow"
	return &caracal.Explain{RequestID: "req-1", ZoneID: zone, FinalDecision: allow,
		Events: []caracal.AuditRow{{ID: "row-1", ZoneID: zone, EventType: "token_exchange", Decision: &allow}}}
}

func TestCollect_ReadsOnlyTheReadersItHas(t *testing.T) {
	c := &collect.Collector{Readers: collect.Readers{Traces: traces{askedZone: allowTrace(askedZone)}}}
	ev := c.Collect(context.Background(), diagnose.Query{RequestID: "req-1", ZoneID: askedZone})
	require.True(t, ev.HasTrace())
	assert.Equal(t, askedZone, ev.TraceZone)
	assert.Empty(t, ev.Ready, "no prober: nothing probed")
	assert.Nil(t, ev.STSMetrics, "no metrics reader: no metrics")
	assert.Nil(t, ev.Zone, "no zone reader: no configuration")
	assert.Empty(t, ev.Missing, "what a collector cannot read is not missing, it is not asked")
	assert.Equal(t, diagnose.CauseAllowed, diagnose.Diagnose(ev, "https://docs.caracal.run").Cause)
}

func TestCollect_SearchesTheOtherZonesWithSmallFakes(t *testing.T) {
	c := &collect.Collector{Readers: collect.Readers{Zones: zones{}, Traces: traces{otherZone: allowTrace(otherZone)}}}
	ev := c.Collect(context.Background(), diagnose.Query{RequestID: "req-1", ZoneID: askedZone})
	assert.True(t, ev.CrossZoneSearch)
	assert.Equal(t, []string{askedZone, otherZone}, ev.SearchedZones)
	assert.Equal(t, otherZone, ev.TraceZone, "found where it lives")
	require.NotNil(t, ev.Zone)
	assert.Equal(t, otherZone, ev.Zone.ID, "the configuration read is that zone's")
	assert.Empty(t, ev.Missing)
}

// ready answers every probe with 200.
type ready struct{}

func (ready) Ready(_ context.Context, svc caracal.Service) caracal.Probe {
	return caracal.Probe{Service: svc, Reachable: true, OK: true, Status: 200}
}

func (r ready) Health(ctx context.Context, svc caracal.Service) caracal.Probe {
	return r.Ready(ctx, svc)
}

func TestRuntime_ReadsProbesAndMetricsAlone(t *testing.T) {
	c := &collect.Collector{Readers: collect.Readers{Probes: ready{}, Traces: traces{askedZone: allowTrace(askedZone)}, Zones: zones{}},
		Settings: collect.Settings{DefaultZone: askedZone}}
	ev := c.Runtime(context.Background())
	assert.Len(t, ev.Ready, len(caracal.AllServices()))
	assert.Len(t, ev.Health, len(caracal.AllServices()))
	assert.Empty(t, ev.NotReady())
	assert.False(t, ev.HasTrace(), "Runtime looks no trace up")
	assert.Nil(t, ev.Zone, "Runtime reads no zone")
}
