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

// approvals answers STS GET /approvals/{id} from a map and records what
// was asked; it reads nothing else.
type approvals struct {
	collect.DetailReader
	states map[string]string
	asked  []string
}

func (a *approvals) ApprovalStatus(_ context.Context, id string) (*caracal.ApprovalStatus, error) {
	a.asked = append(a.asked, id)
	return &caracal.ApprovalStatus{ID: id, State: a.states[id], ExpiresAt: "2026-08-22T11:50:14Z"}, nil
}

func TestCollect_ReadsThePastedApproval(t *testing.T) {
	details := &approvals{states: map[string]string{"appr-1": "rejected"}}
	c := &collect.Collector{Readers: collect.Readers{Details: details}, Settings: collect.Settings{DefaultZone: askedZone}}
	q := diagnose.Query{ApprovalID: "appr-1", Hints: diagnose.Hints{ErrorCode: "interaction_required"}}
	ev := c.Collect(context.Background(), q)
	assert.Equal(t, []string{"appr-1"}, details.asked, "no request ID, no trace: the approval is read all the same")
	require.NotNil(t, ev.Approval)
	assert.Equal(t, "rejected", ev.Approval.State)
	d := diagnose.Diagnose(ev, "https://docs.caracal.run")
	assert.Equal(t, diagnose.SurfaceApproval, d.Surface)
	assert.Equal(t, diagnose.CauseApprovalRejected, d.Cause)
}

func TestCollect_TheTracesApprovalWinsOverThePastedOne(t *testing.T) {
	details := &approvals{states: map[string]string{"appr-trace": "expired"}}
	pending := "pending"
	trace := &caracal.Explain{RequestID: "req-1", ZoneID: askedZone, FinalDecision: pending, Events: []caracal.AuditRow{{
		ID: "row-1", ZoneID: askedZone, EventType: "step_up_issued", Decision: &pending,
		MetadataJSON: map[string]any{"challenge_id": "appr-trace"},
	}}}
	c := &collect.Collector{Readers: collect.Readers{Traces: traces{askedZone: trace}, Details: details}}
	ev := c.Collect(context.Background(), diagnose.Query{RequestID: "req-1", ZoneID: askedZone, ApprovalID: "appr-pasted"})
	assert.Equal(t, []string{"appr-trace"}, details.asked)
	require.NotNil(t, ev.Approval)
	assert.Equal(t, "expired", ev.Approval.State)
}
