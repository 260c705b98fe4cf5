package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// fuzzEvidence builds evidence from fuzzed input: explain is decoded as a
// request trace (an undecodable one means no trace), the hints come as they
// are, and the bits of flags switch on the other signals the rules read.
func fuzzEvidence(explain []byte, status int, code, desc string, flags uint32) *Evidence {
	ev := healthy()
	ev.Query.Hints = Hints{Status: status, ErrorCode: code, Description: desc}
	bit := func(n uint) bool { return flags&(1<<n) != 0 }
	switch (flags >> 0) & 3 {
	case 1:
		ev.Query.Hints.Symptom = SymptomNoAudit
	case 2:
		ev.Query.Hints.Symptom = SymptomRevoked
	}
	var tr caracal.Explain
	if json.Unmarshal(explain, &tr) == nil && (tr.Events != nil || tr.FinalDecision != "") {
		ev.Trace = &tr
		ev.TraceZone = tr.ZoneID
		if bit(2) {
			ev.TraceZone = otherZone
		}
	}
	services := caracal.AllServices()
	reasons := []string{"redis_unreachable", "audit_evidence_lost", "audit_lag_threshold", "revocation_snapshot_stale", "outbox_dead_messages", "consumer_unhealthy", ""}
	if bit(3) {
		svc := services[int(flags>>4)%len(services)]
		ev.Ready[svc] = notReady(svc, 503, reasons[int(flags>>7)%len(reasons)])
	}
	if bit(10) {
		ev.Ready[services[int(flags>>11)%len(services)]] = caracal.Probe{Service: services[int(flags>>11)%len(services)], Timeout: bit(14)}
	}
	if bit(15) {
		ev.Health[caracal.ServiceAPI] = caracal.Probe{Service: caracal.ServiceAPI, Timeout: bit(14)}
	}
	if bit(16) {
		ev.STSMetrics = &caracal.STSMetrics{AuditDropped: uint64(flags>>17) & 1}
		ev.STSMetrics.OPA.CompileErrors = uint64(flags>>18) & 1
		ev.STSMetrics.STS.AuditReplayPending = uint64(flags>>19) & 1
	}
	if bit(20) {
		ev.AuditMetrics = &caracal.AuditMetrics{DLQSize: int64(flags>>21) & 1, ConsumerLag: int64(flags>>22&1) * 5000, TamperChainBreaks: int64(flags>>23) & 1}
	}
	if bit(24) {
		ev.GatewayMetrics = &caracal.GatewayMetrics{RevocationSnapshotFresh: uint64(flags>>25) & 1, AuditReplayFiles: uint64(flags>>26) & 1}
	}
	if bit(27) {
		ev.Activation = &caracal.ActivationStatus{PropagationStatus: []string{caracal.PropagationLoaded, caracal.PropagationFailed}[flags>>28&1]}
	}
	if bit(29) {
		grantRevoke("2026-08-22T14:01:00.000Z")(ev)
	}
	if bit(30) {
		ev.Approval = &caracal.ApprovalStatus{ID: "appr-1", State: []string{"rejected", "expired"}[flags>>28&1]}
	}
	if bit(31) {
		ev.AddMissing("request trace", "GET explain", "timeout")
		ev.AdminAPIError = &caracal.Error{Service: caracal.ServiceAPI, Status: 500 + int(flags>>4&3)}
	}
	return ev
}

// FuzzDiagnose checks that no evidence makes Diagnose panic and that every
// diagnosis has the contract's shape: 8 steps, a ROUTER.md surface, a cause,
// a verdict, next actions with docs links, and the same answer twice.
func FuzzDiagnose(f *testing.F) {
	paths, err := filepath.Glob("../integrations/caracal/caracaltest/fixtures/explain-*.json")
	if err != nil {
		f.Fatal(err)
	}
	for i, p := range paths {
		explain, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(explain, 0, "", "", uint32(i))
		f.Add(explain, 403, "access_denied", "policy denied", uint32(0xFFFFFFFF>>i))
	}
	for _, tc := range rowCases() {
		raw, _ := json.Marshal(tc.ev.Trace)
		h := tc.ev.Query.Hints
		f.Add(raw, h.Status, h.ErrorCode, h.Description, uint32(0))
	}
	f.Add([]byte(`{"final_decision":"deny","events":[{"event_type":"token_exchange","decision":"deny","evaluation_status":"complete","diagnostics_json":[{"reason":7}],"metadata_json":{"gateway_status":1e300,"upstream_status":-1,"requested_scopes":[1,null,"x"]}}]}`), 0, "", "", uint32(1<<29))
	f.Add([]byte(`{"final_decision":"allow","events":[{"event_type":"gateway_resource_request","metadata_json":{"upstream_status":403}}]}`), 200, "", "", uint32(2))
	f.Add([]byte(`{"events":[]}`), 401, "", "SESSION REVOKED", uint32(1<<3))
	f.Add([]byte(`null`), -1, "\x00", "\n", uint32(0xFFFFFFFF))

	f.Fuzz(func(t *testing.T, explain []byte, status int, code, desc string, flags uint32) {
		ev := fuzzEvidence(explain, status, code, desc, flags)
		d := Diagnose(ev, testDocsBase)
		if !slices.Contains(surfaceTokens, d.Surface) {
			t.Fatalf("surface %q is not a ROUTER.md token", d.Surface)
		}
		if d.Cause == "" || d.Verdict == "" || d.Decision == "" {
			t.Fatalf("empty cause, verdict or decision: %+v", d)
		}
		if len(d.Steps) != 8 {
			t.Fatalf("%d steps", len(d.Steps))
		}
		for i, s := range d.Steps {
			if s.N != i+1 || s.Name != stepNames[i] || s.Detail == "" {
				t.Fatalf("step %d malformed: %+v", i+1, s)
			}
			switch s.Status {
			case StepPass, StepFail, StepWarn, StepSkip:
			default:
				t.Fatalf("step %d status %q", i+1, s.Status)
			}
		}
		if len(d.NextActions) == 0 {
			t.Fatal("no next actions")
		}
		for _, a := range d.NextActions {
			if !strings.HasPrefix(a.Doc, testDocsBase+"/") || a.Text == "" {
				t.Fatalf("next action without a docs link: %+v", a)
			}
		}
		if d.ZoneID != ev.DiagnosisZone() || d.RequestID != ev.Query.RequestID {
			t.Fatalf("zone %q / request %q", d.ZoneID, d.RequestID)
		}
		wantDecision := "unknown"
		if ev.HasTrace() && ev.Trace.FinalDecision != "" {
			wantDecision = ev.Trace.FinalDecision
		}
		if d.Decision != wantDecision {
			t.Fatalf("decision %q, want %q", d.Decision, wantDecision)
		}
		if d.MissingEvidence == nil {
			t.Fatal("missing_evidence is nil")
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("diagnosis does not marshal: %v", err)
		}
		if again := Diagnose(ev, testDocsBase); !reflect.DeepEqual(d, again) {
			t.Fatalf("not deterministic:\n%+v\n%+v", d, again)
		}
	})
}
