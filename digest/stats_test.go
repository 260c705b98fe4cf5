package digest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
	"github.com/caracal-bot/caracal-bot/internal/auditrow/auditrowtest"
)

// at returns a row with another request ID and time.
func at(r caracal.AuditRow, requestID, when string) caracal.AuditRow {
	r.RequestID, r.OccurredAt, r.ID = auditrowtest.Ptr(requestID), when, "row-"+requestID+"-"+when+"-"+auditrow.Str(r.EvaluationStatus)
	return r
}

const billingBot = "019f230e-d6df-74ba-b084-de0d74d7d04b"

func exchangeDenied(resource string) caracal.AuditRow {
	return auditrowtest.Row("token_exchange", "deny", "exchange_denied", map[string]any{
		"application_id": billingBot, "application_name": "billing-bot", "requested": []any{resource}})
}

func TestDenialCause(t *testing.T) {
	replay := auditrowtest.Row("replay_detected", "deny", "anomaly", map[string]any{"client_id": "cli-1", "resource": "resource://pipernet"})
	tests := []struct {
		name string
		rows []caracal.AuditRow
		want string
	}{
		{"policy deny names its diagnostic reason", []caracal.AuditRow{auditrowtest.DenyRow("role_scope_mismatch"), exchangeDenied("resource://pipernet")}, "role_scope_mismatch"},
		{"the closing row does not hide the reason when it comes first", []caracal.AuditRow{exchangeDenied("resource://pipernet"), auditrowtest.DenyRow("no_rule_matched")}, "no_rule_matched"},
		{"a gate names its evaluation status", []caracal.AuditRow{auditrowtest.GateRow("scope_mismatch"), exchangeDenied("resource://pipernet")}, "scope_mismatch"},
		{"a policy reason wins over a gate", []caracal.AuditRow{auditrowtest.GateRow("rate_limited"), auditrowtest.DenyRow("resource_not_granted")}, "resource_not_granted"},
		{"exchange_denied alone is never the cause", []caracal.AuditRow{exchangeDenied("resource://nucleus")}, CauseUnknown},
		{"a policy deny without a reason", []caracal.AuditRow{auditrowtest.Row("token_exchange", "deny", "complete", auditrowtest.MintMeta())}, "policy_denied"},
		{"replay at the Gateway names the event", []caracal.AuditRow{replay}, "replay_detected"},
		{"other events name their status", []caracal.AuditRow{auditrowtest.Row("run_launch", "deny", "workload_auth_failed", nil)}, "workload_auth_failed"},
		{"allow rows are not causes", []caracal.AuditRow{auditrowtest.Row("token_exchange", "allow", "complete", auditrowtest.MintMeta()), exchangeDenied("resource://pipernet")}, CauseUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, DenialCause(tc.rows))
		})
	}
}

func TestDeniedRequestFrom(t *testing.T) {
	rows := []caracal.AuditRow{ // newest first, as the audit list returns them
		at(exchangeDenied("resource://nucleus"), "req-a", "2026-08-22T12:00:00.051Z"),
		at(auditrowtest.DenyRow("resource_not_granted"), "req-a", "2026-08-22T12:00:00.050Z"),
	}
	d := DeniedRequestFrom(rows)
	assert.Equal(t, DeniedRequest{RequestID: "req-a", Cause: "resource_not_granted", Application: "billing-bot", ApplicationID: billingBot,
		Resource: "resource://pipernet", At: time.Date(2026, 8, 22, 12, 0, 0, 50e6, time.UTC)}, d,
		"the reason-bearing row names the cause and the resource; the request is as old as its oldest row")
	assert.Equal(t, "2026-08-22T12:00:00.050Z", rows[0].OccurredAt, "the rows are sorted oldest first")

	lone := exchangeDenied("resource://nucleus")
	delete(lone.MetadataJSON, "application_name")
	d = DeniedRequestFrom([]caracal.AuditRow{lone})
	assert.Equal(t, CauseUnknown, d.Cause)
	assert.Equal(t, "resource://nucleus", d.Resource, "the closing row names what was requested")
	assert.Empty(t, d.Application, "no row names the application")
}

// summarize counts rows, given newest first as the audit list returns
// them, the way a digest's stream does: joined per request, then tallied.
func summarize(rows []caracal.AuditRow, apps []caracal.Application, from time.Time, window time.Duration) DenialSummary {
	t := newTally(from, window)
	j := newJoiner(func(rows []caracal.AuditRow, _, _ time.Time) { t.add(rows) })
	for _, r := range rows {
		j.add(r)
	}
	j.flush()
	t.nameApplications(apps)
	return t.summary()
}

func TestDenialsCountEachRequestOnce(t *testing.T) {
	noID := auditrowtest.GateRow("rate_limited")
	noID.RequestID, noID.ID, noID.OccurredAt = nil, "lonely-row", "2026-08-22T10:00:00.000Z"
	rows := []caracal.AuditRow{
		// newest first, as the audit list returns them
		at(exchangeDenied("resource://pipernet"), "req-a", "2026-08-22T12:00:00.100Z"),
		at(auditrowtest.DenyRow("role_scope_mismatch"), "req-a", "2026-08-22T12:00:00.050Z"),
		at(exchangeDenied("resource://nucleus"), "req-b", "2026-08-22T11:00:00.000Z"),
		noID,
		at(exchangeDenied("resource://pipernet"), "req-c", "2026-08-22T09:30:00.010Z"),
		at(auditrowtest.GateRow("scope_mismatch"), "req-c", "2026-08-22T09:30:00.000Z"),
		at(auditrowtest.Row("token_exchange", "allow", "complete", auditrowtest.MintMeta()), "req-d", "2026-08-22T09:00:00.000Z"),
	}
	s := summarize(rows, nil, time.Date(2026, 8, 22, 9, 0, 0, 0, time.UTC), 4*time.Hour)
	assert.Equal(t, 4, s.Requests, "three denied requests with IDs and one row without: the allow and the closing rows add none")
	assert.Equal(t, 6, s.DenyRows)
	assert.Equal(t, []Count{{"rate_limited", 1}, {"role_scope_mismatch", 1}, {"scope_mismatch", 1}, {CauseUnknown, 1}}, s.ByCause,
		"the policy reason, else the gate; a request with only its closing row has no known cause")
	assert.Equal(t, []TargetCount{
		{Application: "billing-bot", ApplicationID: billingBot, Resource: "resource://pipernet", Count: 3},
		{Application: "billing-bot", ApplicationID: billingBot, Resource: "resource://nucleus", Count: 1},
	}, s.ByTarget)
	assert.Equal(t, []int{1, 1, 1, 1}, s.Hourly, "each request in the hour it was first denied")
}

// A request's rows are joined even when other requests' rows come between
// them, and a request whose rows lie further apart than settleTime counts
// twice: the joiner keeps only the requests of the last minute open.
func TestJoinerKeepsOnlyRecentRequestsOpen(t *testing.T) {
	var joined [][]caracal.AuditRow
	most := 0
	j := newJoiner(func(rows []caracal.AuditRow, _, _ time.Time) { joined = append(joined, rows) })
	base := time.Date(2026, 8, 22, 12, 0, 0, 0, time.UTC)
	for i := range 600 { // one request every 10 s, newest first, its two rows 1 ms apart
		when := base.Add(-time.Duration(i) * 10 * time.Second)
		id := "req-" + strconv.Itoa(i)
		j.add(at(exchangeDenied("resource://pipernet"), id, when.Add(time.Millisecond).Format(time.RFC3339Nano)))
		j.add(at(auditrowtest.DenyRow("resource_not_granted"), id, when.Format(time.RFC3339Nano)))
		most = max(most, len(j.open))
	}
	j.flush()
	require.Len(t, joined, 600)
	for _, rows := range joined {
		require.Len(t, rows, 2)
	}
	assert.LessOrEqual(t, most, 8, "about a minute of requests open at a time, not all 600")
}

// TestDenialsNameEveryApplication: a row that carries only the
// application's id (replay_detected's client_id) is named by the name other
// rows give that id, else by the zone's applications, so one application is
// one entry of the summary.
func TestDenialsNameEveryApplication(t *testing.T) {
	replay := func(requestID, clientID string) caracal.AuditRow {
		return at(auditrowtest.Row("replay_detected", "deny", "anomaly", map[string]any{"client_id": clientID, "resource": "resource://pipernet"}),
			requestID, "2026-08-22T12:30:00.000Z")
	}
	const archived = "019f0000-aaaa-7000-8000-000000000001"
	rows := []caracal.AuditRow{
		replay("req-r", billingBot),
		replay("req-s", archived),
		replay("req-t", "019f0000-bbbb-7000-8000-000000000002"),
		at(auditrowtest.DenyRow("role_scope_mismatch"), "req-a", "2026-08-22T12:00:00.050Z"),
	}
	s := summarize(rows, []caracal.Application{{ID: archived, Name: "old-agent"}}, time.Date(2026, 8, 22, 12, 0, 0, 0, time.UTC), time.Hour)
	assert.Equal(t, []TargetCount{
		{Application: "billing-bot", ApplicationID: billingBot, Resource: "resource://pipernet", Count: 2},
		{Application: "019f0000-bbbb-7000-8000-000000000002", ApplicationID: "019f0000-bbbb-7000-8000-000000000002", Resource: "resource://pipernet", Count: 1},
		{Application: "old-agent", ApplicationID: archived, Resource: "resource://pipernet", Count: 1},
	}, s.ByTarget, "one entry per application, by name; by id when none is known")
}

func TestTallyHourly(t *testing.T) {
	since := time.Date(2026, 8, 22, 9, 0, 0, 0, time.UTC)
	var rows []caracal.AuditRow
	for i, minutes := range []int{3*60 + 1, 75, 70, 10} { // newest first
		rows = append(rows, at(auditrowtest.DenyRow("role_scope_mismatch"), "req-"+strconv.Itoa(i), since.Add(time.Duration(minutes)*time.Minute).Format(time.RFC3339Nano)))
	}
	s := summarize(rows, nil, since, 3*time.Hour)
	assert.Equal(t, 4, s.Requests)
	assert.Equal(t, []int{1, 2, 1}, s.Hourly, "one bucket per hour; a late row lands in the last bucket")

	empty := summarize(nil, nil, since, 90*time.Minute)
	assert.Equal(t, 0, empty.Requests)
	assert.Equal(t, []int{0, 0}, empty.Hourly, "a partial hour gets its own bucket")
	assert.NotNil(t, empty.ByCause, "JSON shows [] rather than null")
}

func TestSummarizeApprovals(t *testing.T) {
	now := time.Date(2026, 8, 22, 14, 0, 0, 0, time.UTC)
	hold := func(challenge, when, expires string) caracal.AuditRow {
		r := auditrowtest.Row("step_up_issued", "pending", "complete", map[string]any{"challenge_id": challenge, "expires_at": expires})
		r.OccurredAt = when
		return r
	}
	decision := func(eventType, decisionValue, challenge, when string) caracal.AuditRow {
		r := auditrowtest.Row(eventType, decisionValue, "complete", map[string]any{"challenge_id": challenge})
		r.OccurredAt = when
		return r
	}
	rows := []caracal.AuditRow{
		hold("c-pending", "2026-08-22T13:50:00.000Z", "2026-08-22T14:20:00Z"),
		hold("c-rejected", "2026-08-22T11:20:14.012Z", "2026-08-22T11:50:14Z"),
		decision("step_up_decided", "rejected", "c-rejected", "2026-08-22T11:31:02.158Z"),
		hold("c-consumed", "2026-08-22T10:00:00.000Z", "2026-08-22T10:30:00Z"),
		decision("step_up_consumed", "consumed", "c-consumed", "2026-08-22T10:05:00.000Z"),
		hold("c-expired", "2026-08-22T12:20:05.325Z", "2026-08-22T12:50:05Z"),
		hold("c-no-expiry", "2026-08-22T13:00:00.000Z", ""),
	}
	assert.Equal(t, ApprovalSummary{Issued: 5, Pending: 2, Expired: 1, Decided: 2}, SummarizeApprovals(rows, now))
}
