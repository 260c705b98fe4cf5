package bundle_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/redact"
)

var wantFiles = []string{
	bundle.FileManifest, bundle.FileDiagnosis, bundle.FileDiagnosisMD, bundle.FileTrace, bundle.FileReadiness,
	bundle.FileDoctor, bundle.FileZone, bundle.FileMetrics, bundle.FileAuditWindow, bundle.FileMissing,
}

func build(t *testing.T) *bundle.Bundle {
	t.Helper()
	b, err := bundle.Build(plantedInput())
	require.NoError(t, err)
	return b
}

func TestBuildFilesAndChecksums(t *testing.T) {
	b := build(t)
	names, files := unzip(t, b.Zip)
	assert.Equal(t, wantFiles, names, "fixed file order")
	assert.Equal(t, "caracal-bundle-"+zoneID+"-"+requestID+".zip", b.Name)

	var m bundle.Manifest
	require.NoError(t, json.Unmarshal(files[bundle.FileManifest], &m))
	assert.Equal(t, b.Manifest.Files, m.Files, "Bundle.Manifest is manifest.json")
	assert.Equal(t, b.Manifest.Redactions, m.Redactions)
	require.Len(t, m.Files, len(wantFiles)-1, "every file but the manifest has a checksum")
	for i, f := range m.Files {
		assert.Equal(t, wantFiles[i+1], f.Name)
		sum := sha256.Sum256(files[f.Name])
		assert.Equal(t, hex.EncodeToString(sum[:]), f.SHA256, "re-hashed %s", f.Name)
		assert.Equal(t, len(files[f.Name]), f.Size, f.Name)
	}
	for name, data := range files {
		if strings.HasSuffix(name, ".json") {
			assert.True(t, json.Valid(data), "%s is JSON", name)
		}
	}

	assert.Equal(t, bundle.Format, m.Format)
	assert.Equal(t, "v1.2.3", m.BotVersion)
	assert.Equal(t, "router-rules/1", m.RulesetVersion)
	assert.Equal(t, requestID, m.RequestID)
	assert.Equal(t, zoneID, m.ZoneID)
	assert.Equal(t, generatedAt, m.GeneratedAt)
	assert.Equal(t, map[string]string{"api": "http://127.0.0.1:7000/", "sts": "http://127.0.0.1:7001"}, m.Endpoints,
		"endpoints lose userinfo and query")
	assert.Equal(t, generatedAt, m.AuditUntil)

	for _, f := range zipEntries(t, b.Zip) {
		assert.Equal(t, generatedAt, f.Modified.UTC(), "mod time of %s", f.Name)
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	a, b := build(t), build(t)
	assert.True(t, bytes.Equal(a.Zip, b.Zip), "same input, same bytes")
	assert.Equal(t, a.Manifest, b.Manifest)
}

// TestPlantedSecretsNeverReachTheZip plants a token in every kind of place
// and greps every unzipped file (and the raw zip) for it.
func TestPlantedSecretsNeverReachTheZip(t *testing.T) {
	b := build(t)
	_, files := unzip(t, b.Zip)
	for name, data := range files {
		for _, secret := range plantedSecrets() {
			assert.NotContains(t, string(data), secret, "%s leaks a planted secret", name)
		}
	}
	assert.NotContains(t, b.Name, adminToken)

	// The manifest lists each redaction by file, path and kind, never the value.
	manifest := string(files[bundle.FileManifest])
	for _, want := range []redact.Redaction{
		{File: bundle.FileManifest, Path: "$.endpoints.api", Kind: redact.KindURLCredentials},
		{File: bundle.FileManifest, Path: "$.endpoints.sts", Kind: redact.KindURLQuerySecret},
		{File: bundle.FileManifest, Path: "$.query.hints.error_description", Kind: redact.KindInlineSecret},
		{File: bundle.FileTrace, Path: "$.events[0].metadata_json.client_secret", Kind: redact.KindSecretKey},
		{File: bundle.FileTrace, Path: "$.events[0].metadata_json.upstream.headers.Authorization", Kind: redact.KindSecretKey},
		{File: bundle.FileTrace, Path: "$.denied[0].policy_input.subject_token", Kind: redact.KindSecretKey},
		{File: bundle.FileMissing, Path: "$[0].reason", Kind: redact.KindAuthHeader},
		{File: bundle.FileDiagnosis, Path: "$.missing_evidence[0].reason", Kind: redact.KindAuthHeader},
		{File: bundle.FileDiagnosis, Path: "$.verdict", Kind: redact.KindSlackToken},
		{File: bundle.FileDiagnosis, Path: "$.next_actions[0].text", Kind: redact.KindGitHubToken},
		{File: bundle.FileDiagnosisMD, Path: "line 3", Kind: redact.KindSlackToken},
		{File: bundle.FileAuditWindow, Path: "$.denials_around.events[1].metadata_json.note", Kind: redact.KindJWTSignature},
		{File: bundle.FileAuditWindow, Path: "$.after_revocation[0].metadata_json.mandate", Kind: redact.KindJWTSignature},
		{File: bundle.FileAuditWindow, Path: `$.after_revocation[0].metadata_json["key id AKIA[redacted]"] (key)`, Kind: redact.KindAWSAccessKey},
		{File: bundle.FileReadiness, Path: "$[0].ready.url", Kind: redact.KindURLCredentials},
	} {
		assert.Contains(t, b.Manifest.Redactions, want)
	}
	for _, r := range b.Manifest.Redactions {
		assert.NotEmpty(t, r.File)
		assert.NotEmpty(t, r.Path)
		assert.NotEmpty(t, r.Kind)
	}
	for _, secret := range plantedSecrets() {
		assert.NotContains(t, manifest, secret)
	}

	// What stays: the JWT's header and payload, the placeholders.
	audit := string(files[bundle.FileAuditWindow])
	assert.Contains(t, audit, jwtHeader+"."+jwtPayload+".[redacted-signature]")
	assert.Contains(t, string(files[bundle.FileDiagnosis]), "xoxb-[redacted]")
}

func TestIdentifiersSurvive(t *testing.T) {
	b := build(t)
	_, files := unzip(t, b.Zip)
	trace := string(files[bundle.FileTrace])
	for _, id := range []string{requestID, zoneID, sessionID, agentSession, manifestSHA, versionID} {
		assert.Contains(t, trace, id)
	}
	assert.Contains(t, string(files[bundle.FileZone]), manifestSHA, "a SHA-256 digest is evidence")
	assert.Contains(t, string(files[bundle.FileDiagnosisMD]), requestID)
	assert.Contains(t, string(files[bundle.FileDiagnosis]), manifestSHA)

	var tr struct {
		Events []struct {
			Metadata map[string]any `json:"metadata_json"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(files[bundle.FileTrace], &tr))
	assert.Equal(t, sessionID, tr.Events[0].Metadata["session_id"], "session_id is an identifier, kept")
	assert.Equal(t, agentSession, tr.Events[0].Metadata["agent_session_id"])
	assert.Equal(t, "[redacted]", tr.Events[0].Metadata["client_secret"])

	for _, f := range b.Manifest.Files {
		assert.Contains(t, string(files[bundle.FileManifest]), f.SHA256, "the manifest's own digests are kept")
	}

	// Key order follows the Diagnosis contract, not the alphabet.
	diag := string(files[bundle.FileDiagnosis])
	assert.Less(t, strings.Index(diag, `"request_id"`), strings.Index(diag, `"cause"`))
}

func TestBuildWithoutDoctorOrDenials(t *testing.T) {
	ev, d, _, meta := plantedInput()
	meta.Denials = nil
	meta.GeneratedAt = time.Time{}
	b, err := bundle.Build(ev, d, nil, meta)
	require.NoError(t, err)
	assert.Equal(t, ev.CollectedAt, b.Manifest.GeneratedAt, "the evidence's time when none is given")
	_, files := unzip(t, b.Zip)
	assert.Equal(t, "null\n", string(files[bundle.FileDoctor]))
	var missing []diagnose.Missing
	require.NoError(t, json.Unmarshal(files[bundle.FileMissing], &missing))
	whats := map[string]string{}
	for _, m := range missing {
		whats[m.What] = m.Reason
	}
	assert.Equal(t, "not run", whats["Doctor report"])
	assert.Equal(t, "not read", whats["denials around the request"])
	assert.Len(t, missing, 3, "the STS metrics entry appears once although evidence and diagnosis both list it")

	ev.Trace = nil
	b, err = bundle.Build(ev, d, nil, meta)
	require.NoError(t, err)
	_, files = unzip(t, b.Zip)
	assert.Equal(t, "null\n", string(files[bundle.FileTrace]), "no trace is null")

	_, err = bundle.Build(nil, d, nil, meta)
	assert.Error(t, err)
}

func TestName(t *testing.T) {
	for _, tc := range []struct{ zone, id, want string }{
		{zoneID, requestID, "caracal-bundle-" + zoneID + "-" + requestID + ".zip"},
		{"", "abc", "caracal-bundle-abc.zip"},
		{"z:1", "../../etc/passwd", "caracal-bundle-z_1-etc_passwd.zip"},
		{"z", "a b/c\\d\"e", "caracal-bundle-z-a_b_c_d_e.zip"},
		{"z", strings.Repeat("x", 200), "caracal-bundle-z-" + strings.Repeat("x", 64) + ".zip"},
		{"", "", "caracal-bundle.zip"},
	} {
		assert.Equal(t, tc.want, bundle.Name(tc.zone, tc.id), "%q %q", tc.zone, tc.id)
	}
}
