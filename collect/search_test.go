package collect_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// manyZones lists n zones, "zone-000" to "zone-<n-1>", each with an empty
// configuration.
type manyZones struct {
	zones
	n int
}

func (m manyZones) Zones(context.Context) ([]caracal.Zone, error) {
	out := make([]caracal.Zone, m.n)
	for i := range out {
		out[i] = caracal.Zone{ID: fmt.Sprintf("zone-%03d", i)}
	}
	return out, nil
}

// slowTraces answers each explain after a delay, from the trace of the one
// zone that has it, and counts the lookups and how many ran at once.
type slowTraces struct {
	has   string
	delay time.Duration

	mu         sync.Mutex
	calls, now int
	most       int
}

func (s *slowTraces) Explain(ctx context.Context, zone, _ string) (*caracal.Explain, error) {
	s.mu.Lock()
	s.calls++
	s.now++
	s.most = max(s.most, s.now)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.now--; s.mu.Unlock() }()
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if zone == s.has {
		return allowTrace(zone), nil
	}
	return nil, &caracal.Error{Service: caracal.ServiceAPI, Status: 404, Code: "request_not_found"}
}

func (*slowTraces) Audit(context.Context, string, caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
	return &caracal.List[caracal.AuditRow]{}, nil
}

// A request that is not where it was asked is searched in the other zones
// in widening waves, and the search stops once a zone has it: at 100 zones
// a request living in the third costs the first wave of lookups, not 100,
// and the lookups cancelled by the find are not missing evidence.
func TestCollect_SearchIsBoundedAndStopsWhenFound(t *testing.T) {
	tr := &slowTraces{has: "zone-003", delay: 20 * time.Millisecond}
	c := &collect.Collector{Readers: collect.Readers{Zones: manyZones{n: 100}, Traces: tr}}
	ev := c.Collect(context.Background(), diagnose.Query{RequestID: "req-1", ZoneID: "zone-000"})

	require.True(t, ev.HasTrace())
	assert.Equal(t, "zone-003", ev.TraceZone)
	assert.Empty(t, ev.Missing, "lookups cancelled because the request was found are not missing evidence")
	assert.LessOrEqual(t, tr.most, 9, "the asked zone plus a first wave of 8")
	assert.LessOrEqual(t, tr.calls, 9, "the search stopped when the request was found")
	assert.LessOrEqual(t, len(ev.SearchedZones), 9)
}

// When no zone has it, every visible zone is searched, in waves of 8, 16
// and 15 here, and the answer says how many.
func TestCollect_SearchCoversEveryZoneWhenNotFound(t *testing.T) {
	tr := &slowTraces{delay: time.Millisecond}
	c := &collect.Collector{Readers: collect.Readers{Zones: manyZones{n: 40}, Traces: tr}}
	ev := c.Collect(context.Background(), diagnose.Query{RequestID: "req-1", ZoneID: "zone-000"})

	assert.False(t, ev.HasTrace())
	assert.Equal(t, 40, tr.calls)
	assert.Len(t, ev.SearchedZones, 40)
	assert.LessOrEqual(t, tr.most, 16, "at most one wave at a time")
	assert.Empty(t, ev.Missing)
}

// busyAdminAudit answers admin-audit with a full page and a cursor to more.
type busyAdminAudit struct{ zones }

func (busyAdminAudit) AdminAudit(_ context.Context, _ string, q caracal.AdminAuditQuery) (*caracal.List[caracal.AdminAuditRow], error) {
	rows := make([]caracal.AdminAuditRow, q.Limit)
	next := "more"
	return &caracal.List[caracal.AdminAuditRow]{Items: rows, NextCursor: &next}, nil
}

// A zone with more changes in the last 24 h than the page the bot reads
// says so: the older changes are named as left unread.
func TestCollect_AdminAuditSaysWhenChangesWereLeftUnread(t *testing.T) {
	c := &collect.Collector{Readers: collect.Readers{Zones: busyAdminAudit{}, Traces: traces{askedZone: allowTrace(askedZone)}}}
	ev := c.Collect(context.Background(), diagnose.Query{RequestID: "req-1", ZoneID: askedZone})
	var whats []string
	for _, m := range ev.Missing {
		whats = append(whats, m.What)
		assert.Contains(t, m.Reason, "only the newest 100 changes of the last 24 h were read")
	}
	assert.Equal(t, []string{"admin-audit DELETE", "admin-audit POST"}, whats)
	assert.Len(t, ev.AdminAudit, 200)
}
