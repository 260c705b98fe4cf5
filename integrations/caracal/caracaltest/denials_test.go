package caracaltest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func TestAddDenials(t *testing.T) {
	srv := startRef(t)
	at := ReferenceTime().Add(-time.Minute)
	w := srv.World()
	ids, err := w.AddDenials("deny-no-grant", 3, at, time.Second)
	require.NoError(t, err)
	srv.SetWorld(w)
	require.Len(t, ids, 3)
	assert.Len(t, map[string]bool{ids[0]: true, ids[1]: true, ids[2]: true}, 3, "each its own request")

	r := api(t, srv, zonePath(ZoneResearch, "/audit?decision=deny&since=2026-08-22T14:09:00.000Z"))
	require.Equal(t, http.StatusOK, r.status)
	list := strict[caracal.List[caracal.AuditRow]](t, r.body)
	require.Len(t, list.Items, 6, "two deny rows each, as a policy deny leaves")
	assert.Equal(t, ids[2], *list.Items[0].RequestID, "newest first")
	assert.Equal(t, "exchange_denied", *list.Items[0].EvaluationStatus)
	assert.Equal(t, "2026-08-22T14:09:02.512Z", list.Items[1].OccurredAt, "the third occurs two seconds after the first")

	sc, _ := ScenarioByName("deny-no-grant")
	orig := strict[caracal.Explain](t, api(t, srv, zonePath(ZoneResearch, "/audit/by-request/"+sc.ID+"/explain")).body)
	copied := strict[caracal.Explain](t, api(t, srv, zonePath(ZoneResearch, "/audit/by-request/"+ids[1]+"/explain")).body)
	assert.Equal(t, orig.FinalDecision, copied.FinalDecision)
	require.Len(t, copied.Events, len(orig.Events))
	assert.Equal(t, orig.Events[0].DiagnosticsJSON, copied.Events[0].DiagnosticsJSON, "the same denial")
	assert.Equal(t, orig.Events[0].MetadataJSON, copied.Events[0].MetadataJSON)

	_, err = w.AddDenials("no-such-scenario", 1, at, time.Second)
	assert.ErrorContains(t, err, "unknown scenario")
}
