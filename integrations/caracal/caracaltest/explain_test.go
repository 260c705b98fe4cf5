package caracaltest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The explain route rebuilds every explain-*.json fixture from stored rows.
func TestExplainEqualsFixtures(t *testing.T) {
	srv := startRef(t)
	for _, name := range FixtureNames() {
		if !strings.HasPrefix(name, "explain-") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			if name == "explain-gateway-invalid-token.json" {
				// The Gateway rejected the call before STS: no rows at all.
				r := api(t, srv, zonePath(ZoneResearch, "/audit/by-request/6dec4e82-1c03-49ca-8f07-11a5f3387c2e/explain"))
				require.Equal(t, http.StatusNotFound, r.status)
				jsonEqFixture(t, name, r.body)
				return
			}
			want := decodeFixture[caracal.Explain](name)
			r := api(t, srv, zonePath(want.ZoneID, "/audit/by-request/"+want.RequestID+"/explain"))
			require.Equal(t, http.StatusOK, r.status, string(r.body))
			strict[caracal.Explain](t, r.body)
			jsonEqFixture(t, name, r.body)
		})
	}
}

func TestExplainFinalDecision(t *testing.T) {
	row := func(decision *string) caracal.AuditRow {
		return caracal.AuditRow{ID: "x", EventType: "token_exchange", Decision: decision, OccurredAt: "2026-08-22T09:00:00.000Z"}
	}
	allow, deny, pending := strp("allow"), strp("deny"), strp("pending")
	assert.Equal(t, "deny", buildExplain("z", "r", []caracal.AuditRow{row(deny), row(allow)}).FinalDecision, "any deny wins")
	assert.Equal(t, "pending", buildExplain("z", "r", []caracal.AuditRow{row(allow), row(pending)}).FinalDecision, "else the last row")
	assert.Equal(t, "unknown", buildExplain("z", "r", []caracal.AuditRow{row(allow), row(nil)}).FinalDecision, "null decision")
	ex := buildExplain("z", "r", []caracal.AuditRow{row(allow)})
	assert.NotNil(t, ex.Denied, "denied is [] for allowed requests")
}

// policy_input is rebuilt from unredacted metadata: the authority record id
// shows there while the metadata says [redacted].
func TestExplainPolicyInputUnredacted(t *testing.T) {
	srv := startRef(t)
	sc, ok := ScenarioByName("deny-no-rule-matched")
	require.True(t, ok)
	r := api(t, srv, zonePath(sc.Zone, "/audit/by-request/"+sc.ID+"/explain"))
	require.Equal(t, http.StatusOK, r.status)
	ex := strict[caracal.Explain](t, r.body)
	require.Len(t, ex.Denied, 2)
	assert.Equal(t, "[redacted]", ex.Denied[0].Metadata["session_id"])
	var in map[string]any
	require.NoError(t, json.Unmarshal(ex.Denied[0].PolicyInput, &in))
	assert.Equal(t, map[string]any{"id": ""}, in["session"])
	assert.Equal(t, []any{"pipernet:read"}, in["resource"].(map[string]any)["scopes"])

	sc, _ = ScenarioByName("gateway-mandate-target-mismatch")
	r = api(t, srv, zonePath(sc.Zone, "/audit/by-request/"+sc.ID+"/explain"))
	ex = strict[caracal.Explain](t, r.body)
	require.NoError(t, json.Unmarshal(ex.Denied[0].PolicyInput, &in))
	sid := in["context"].(map[string]any)["session_id"].(string)
	assert.NotEmpty(t, sid)
	assert.NotEqual(t, "[redacted]", sid)
}

func TestRedact(t *testing.T) {
	in := map[string]any{"Session_ID": "s", "nested": []any{map[string]any{"client_secret": "x", "ok": 1}}, "agent_session_id": "a"}
	out := redact(in).(map[string]any)
	assert.Equal(t, "[redacted]", out["Session_ID"])
	assert.Equal(t, "[redacted]", out["nested"].([]any)[0].(map[string]any)["client_secret"])
	assert.Equal(t, 1, out["nested"].([]any)[0].(map[string]any)["ok"])
	assert.Equal(t, "a", out["agent_session_id"])
	assert.Equal(t, "s", in["Session_ID"], "the stored row is not modified")
}
