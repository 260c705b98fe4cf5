package bundle_test

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Identifiers that must survive redaction.
const (
	requestID    = "01a028ea-d354-7443-96e4-46e5643d943c"
	zoneID       = "019f1ce8-1680-793b-b480-86d4734b60a7"
	sessionID    = "01a028ea-d160-718e-a972-e1ff6ab7e86e"
	agentSession = "01a028ea-cafe-7abc-9def-0123456789ab"
	manifestSHA  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	versionID    = "01a02811-7e55-7bb2-a1b3-0c5c5b1f9d21"
)

// Secrets planted in every kind of place; none may reach the zip.
const (
	metadataSecret = "s3cr3t-client-value-7781"
	bearerCred     = "mtr-bearer-0f9e8d7c6b5a"
	jwtHeader      = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
	jwtPayload     = "eyJzdWIiOiJhZ2VudC0xIiwiYXVkIjoicmVzb3VyY2U6Ly9waXBlcm5ldCJ9"
	jwtSignature   = "Qm9ndXNTaWduYXR1cmVCeXRlc0ZvclRlc3RpbmdPbmx5MTIzNDU2Nzg5MA"
	slackToken     = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
	adminToken     = "sim-admin-token-5d41402abc4b2a76"
	githubToken    = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	awsKey         = "AKIAIOSFODNN7EXAMPLE"
)

var generatedAt = time.Date(2026, 8, 22, 13, 40, 0, 0, time.UTC)

func str(s string) *string { return &s }

// plantedInput is a deny with secrets planted in the evidence, the missing
// evidence, an audit row, the diagnosis and an endpoint URL.
func plantedInput() (*diagnose.Evidence, diagnose.Diagnosis, *doctor.Report, bundle.Meta) {
	jwt := jwtHeader + "." + jwtPayload + "." + jwtSignature
	deny := caracal.AuditRow{
		ID: "01a028ea-d355-7000-8000-000000000001", ZoneID: zoneID, EventType: "token_exchange",
		RequestID: str(requestID), Decision: str("deny"), EvaluationStatus: str("complete"),
		PolicySetVersionID: str(versionID), ManifestSHA: str(manifestSHA),
		MetadataJSON: map[string]any{
			"application_name": "research-agent", "agent_session_id": agentSession, "session_id": sessionID,
			"client_secret": metadataSecret, "requested_scopes": []any{"payments:write"},
			"upstream": map[string]any{"headers": map[string]any{"Authorization": "Bearer " + bearerCred}},
		},
		DiagnosticsJSON: []map[string]any{{"reason": "resource_not_granted"}},
		OccurredAt:      "2026-08-22T13:30:00.000Z", IngestedAt: "2026-08-22T13:30:00.100Z",
	}
	ev := &diagnose.Evidence{
		Query: diagnose.Query{RequestID: requestID, ZoneID: zoneID, Hints: diagnose.Hints{Status: 403, ErrorCode: "access_denied",
			Description: "denied; request carried access_token=" + githubToken}},
		AskedZone: zoneID, TraceZone: zoneID, CollectedAt: generatedAt.Add(-time.Second),
		Ready: map[caracal.Service]caracal.Probe{
			caracal.ServiceAPI: {Service: caracal.ServiceAPI, URL: "http://caracal-bot:" + adminToken + "@127.0.0.1:7000/ready", Reachable: true, Status: 200, OK: true},
			caracal.ServiceSTS: {Service: caracal.ServiceSTS, URL: "http://127.0.0.1:7001/ready", Reachable: true, Status: 200, OK: true},
		},
		Trace: &caracal.Explain{RequestID: requestID, ZoneID: zoneID, FinalDecision: "deny", Events: []caracal.AuditRow{deny},
			Denied: []caracal.DeniedEntry{{EventID: deny.ID, EventType: "token_exchange",
				PolicyInput: []byte(`{"session":{"id":"` + sessionID + `"},"subject_token":"` + jwt + `"}`)}}},
		ActiveVersion: &caracal.PolicySetVersion{ID: versionID, ManifestSHA256: manifestSHA},
		Missing: []diagnose.Missing{{What: "STS metrics", Source: "sts GET /metrics.json",
			Reason: "HTTP 401 (sent Authorization: Bearer " + bearerCred + ")"}},
		AfterRevocation: []caracal.AuditRow{{ID: "01a028ea-d356-7000-8000-000000000002", ZoneID: zoneID, EventType: "gateway_resource_request",
			MetadataJSON: map[string]any{"mandate": jwt, "key id " + awsKey: true}}},
	}
	d := diagnose.Diagnosis{
		RequestID: requestID, ZoneID: zoneID, Surface: diagnose.SurfaceSTSPolicy, Cause: "resource_not_granted",
		Verdict:  "application research-agent has no grant for resource://pipernet (the bot posted with " + slackToken + ")",
		Decision: "deny",
		Steps:    []diagnose.Step{{N: 1, Name: "runtime healthy", Status: diagnose.StepPass, Detail: "all five services ready"}},
		Evidence: []diagnose.Fact{{Name: "manifest", Value: manifestSHA, Source: "GET /v1/zones/" + zoneID + "/policy-sets"}},
		NextActions: []diagnose.Action{{Text: "Grant resource://pipernet to research-agent (token " + githubToken + ")",
			Doc: "https://docs.caracal.run/guides/authorize-access/"}},
		MissingEvidence: append([]diagnose.Missing{}, ev.Missing...),
	}
	doctor := &doctor.Report{Command: "doctor", Mode: "system", Ready: true,
		Checks: []health.Check{{Section: "health", Name: "api health", Status: health.CheckOK, Detail: "http://127.0.0.1:7000/health"}}}
	meta := bundle.Meta{
		BotVersion: "v1.2.3", RulesetVersion: "router-rules/1", GeneratedAt: generatedAt,
		Endpoints: map[string]string{
			"api": "http://caracal-bot:" + adminToken + "@127.0.0.1:7000/",
			"sts": "http://127.0.0.1:7001?token=" + adminToken,
		},
		Denials: &bundle.AuditWindow{ZoneID: zoneID, Since: generatedAt.Add(-2 * time.Hour), Until: generatedAt, Decision: "deny", Limit: 100,
			Source: "GET /v1/zones/" + zoneID + "/audit?decision=deny",
			Events: []caracal.AuditRow{deny, {ID: "01a028ea-d357-7000-8000-000000000003", ZoneID: zoneID, EventType: "token_exchange",
				Decision: str("deny"), MetadataJSON: map[string]any{"note": "replayed " + jwt}}}},
	}
	return ev, d, doctor, meta
}

// plantedSecrets are the values no file may contain.
func plantedSecrets() []string {
	return []string{metadataSecret, bearerCred, jwtSignature, slackToken, adminToken, githubToken, awsKey}
}

// unzip returns the zip's entry names in order and their contents.
func unzip(t *testing.T, data []byte) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		names = append(names, f.Name)
		files[f.Name] = b
	}
	return names, files
}

// zipEntries returns the zip's headers.
func zipEntries(t *testing.T, data []byte) []*zip.File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	return zr.File
}
