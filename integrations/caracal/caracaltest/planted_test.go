package caracaltest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func TestMergeMetadataPlantsIntoEveryRowOfTheRequest(t *testing.T) {
	srv := startRef(t)
	sc, ok := ScenarioByName("upstream-failed")
	require.True(t, ok)
	w := srv.World()
	n := w.MergeMetadata(ZoneResearch, sc.ID, map[string]any{"error_kind": "planted", "token": "hidden-by-caracal"})
	require.Equal(t, 2, n, "the policy row and the Gateway row")
	assert.Zero(t, w.MergeMetadata(ZoneResearch, "no-such-request", map[string]any{"x": 1}))
	assert.Zero(t, w.MergeMetadata("no-such-zone", sc.ID, map[string]any{"x": 1}))
	srv.SetWorld(w)

	r := api(t, srv, zonePath(ZoneResearch, "/audit/by-request/"+sc.ID))
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	rows := strict[[]caracal.AuditRow](t, r.body)
	require.Len(t, rows, 2)
	for _, row := range rows {
		assert.Equal(t, "planted", row.MetadataJSON["error_kind"])
		assert.Equal(t, redacted, row.MetadataJSON["token"], "Caracal still redacts its own secret keys")
		assert.NotEmpty(t, row.MetadataJSON["application_id"], "the other keys stay")
	}
}

func TestNotReadyAnswersTheReason(t *testing.T) {
	srv := startRef(t)
	w := srv.World()
	w.STS.Ready = NotReady("redis_unreachable: planted")
	srv.SetWorld(w)

	r := do(t, http.MethodGet, srv.STSURL+"/ready", nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	var body map[string]any
	require.NoError(t, json.Unmarshal(r.body, &body))
	assert.Equal(t, map[string]any{"ok": false, "ready": false, "reason": "redis_unreachable: planted"}, body)
}
