package commands_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/redact"
)

// unzipBundle checks the reply carries one zip and returns its files.
func unzipBundle(t *testing.T, res commands.Result) map[string][]byte {
	t.Helper()
	require.Len(t, res.Reply.Files, 1)
	f := res.Reply.Files[0]
	assert.Equal(t, "application/zip", f.ContentType)
	zr, err := zip.NewReader(bytes.NewReader(f.Data), int64(len(f.Data)))
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		files[zf.Name] = data
	}
	return files
}

func scenario(t *testing.T, name string) caracaltest.Scenario {
	t.Helper()
	sc, ok := caracaltest.ScenarioByName(name)
	require.True(t, ok, name)
	return sc
}

func TestBundleDenyEndToEnd(t *testing.T) {
	sc := scenario(t, "deny-no-grant")
	srv := newSim(t, caracaltest.WithScenario(sc.ID))
	reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)

	res, err := run(t, reg, "bundle", sc.ID)
	require.NoError(t, err)
	assert.True(t, res.OK)
	m, ok := res.Data.(bundle.Manifest)
	require.True(t, ok, "bundle returns its manifest as data")
	assert.Equal(t, sc.ID, m.RequestID)
	assert.Equal(t, caracaltest.ZoneResearch, m.ZoneID)
	assert.Equal(t, sc.Surface, m.Surface)
	assert.Equal(t, sc.Cause, m.Cause)
	assert.Equal(t, fixedNow().UTC(), m.GeneratedAt)
	assert.Len(t, m.Endpoints, 5)
	assert.Equal(t, "caracal-bundle-"+caracaltest.ZoneResearch+"-"+sc.ID+".zip", res.Reply.Files[0].Name)

	// The reply: verdict, file name, size, redactions.
	assert.Contains(t, res.Reply.Summary, sc.ID)
	fields := map[string]string{}
	for _, f := range res.Reply.Fields {
		fields[f.Label] = f.Value
	}
	assert.Equal(t, res.Reply.Files[0].Name, fields["File"])
	assert.NotEmpty(t, fields["Size"])
	assert.NotEmpty(t, fields["Redactions"])
	assert.Equal(t, string(sc.Cause), fields["Cause"])

	files := unzipBundle(t, res)
	for _, f := range m.Files {
		sum := sha256.Sum256(files[f.Name])
		assert.Equal(t, hex.EncodeToString(sum[:]), f.SHA256, f.Name)
	}
	var d diagnose.Diagnosis
	require.NoError(t, json.Unmarshal(files[bundle.FileDiagnosis], &d))
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Len(t, d.Steps, 8)

	var trace caracal.Explain
	require.NoError(t, json.Unmarshal(files[bundle.FileTrace], &trace))
	assert.Equal(t, "deny", trace.FinalDecision)
	var doctor doctor.Report
	require.NoError(t, json.Unmarshal(files[bundle.FileDoctor], &doctor))
	assert.Equal(t, []string{caracaltest.ZoneResearch}, doctor.Context.ZoneIDs)

	var audit struct {
		RequestEvents []caracal.AuditRow  `json:"request_events"`
		Denials       *bundle.AuditWindow `json:"denials_around"`
	}
	require.NoError(t, json.Unmarshal(files[bundle.FileAuditWindow], &audit))
	require.NotNil(t, audit.Denials)
	assert.Empty(t, audit.Denials.Error)
	assert.Equal(t, "deny", audit.Denials.Decision)
	assert.Equal(t, 100, audit.Denials.Limit)
	assert.Equal(t, 2*time.Hour, audit.Denials.Until.Sub(audit.Denials.Since))
	first, err := time.Parse(time.RFC3339Nano, trace.Events[0].OccurredAt)
	require.NoError(t, err)
	assert.Equal(t, first.Add(-time.Hour).UTC(), audit.Denials.Since, "an hour before the trace's first event")
	assert.NotEmpty(t, audit.Denials.Events, "the request's own denial is in the window")

	for name, data := range files {
		assert.NotContains(t, string(data), caracaltest.DefaultAdminToken, name)
		assert.NotContains(t, string(data), caracaltest.DefaultCoordinatorToken, name)
	}
	assert.Zero(t, srv.WriteAttempts(), "the bot never writes to Caracal")

	// Collected twice from the same world at the same clock, the bundle is
	// the same but for the live probes' Date headers (readiness, Doctor).
	again, err := run(t, reg, "bundle", sc.ID)
	require.NoError(t, err)
	againFiles := unzipBundle(t, again)
	for name, data := range files {
		if name != bundle.FileReadiness && name != bundle.FileDoctor && name != bundle.FileManifest {
			assert.True(t, bytes.Equal(data, againFiles[name]), "%s is stable", name)
		}
	}
}

func TestBundleOutageEndToEnd(t *testing.T) {
	sc := scenario(t, "api-unreachable")
	srv := newSim(t, caracaltest.WithScenario(sc.ID))
	reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)

	res, err := run(t, reg, "bundle", sc.ID)
	require.NoError(t, err, "Caracal down is evidence, not an error")
	m := res.Data.(bundle.Manifest)
	assert.Equal(t, diagnose.SurfaceInfrastructure, m.Surface)
	assert.Equal(t, diagnose.CauseAPIUnreachable, m.Cause)

	files := unzipBundle(t, res)
	assert.Equal(t, "null\n", string(files[bundle.FileTrace]))
	var missing []diagnose.Missing
	require.NoError(t, json.Unmarshal(files[bundle.FileMissing], &missing))
	whats := map[string]string{}
	for _, mi := range missing {
		whats[mi.What] = mi.Reason
	}
	for _, what := range []string{"request trace", "zone", "resources", "policy sets", "denials around the request"} {
		assert.Contains(t, whats, what, "missing.json names %s", what)
	}
	assert.Equal(t, "unreachable", whats["denials around the request"])
	var doctor doctor.Report
	require.NoError(t, json.Unmarshal(files[bundle.FileDoctor], &doctor))
	assert.False(t, doctor.Ready, "the Doctor saw the outage")
}

// TestBundleNeverLeaksTheAdminTokenFromAnEndpointURL configures the Admin
// API URL with the bot's token as userinfo, as a careless operator might.
func TestBundleNeverLeaksTheAdminTokenFromAnEndpointURL(t *testing.T) {
	const token = "bot-admin-token-8c1f2e3d4a5b"
	sc := scenario(t, "deny-no-grant")
	srv := newSim(t, caracaltest.WithScenario(sc.ID), caracaltest.WithAdminToken(token))
	apiURL := strings.Replace(srv.APIURL, "http://", "http://caracal-bot:"+token+"@", 1)
	reg := commands.New(commands.Env{
		Caracal: caracal.New(caracal.Config{
			APIURL: apiURL, STSURL: "http://" + token + "@" + strings.TrimPrefix(srv.STSURL, "http://"),
			GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
			AdminToken: token, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
			CallTimeout: 2 * time.Second, MaxRetryWait: 50 * time.Millisecond,
		}),
		DefaultZone: caracaltest.ZoneResearch, DocsBase: "https://docs.caracal.run",
		Timeout: 5 * time.Second, CallTimeout: 2 * time.Second, Now: fixedNow,
	})
	res, err := run(t, reg, "bundle", sc.ID)
	require.NoError(t, err)
	m := res.Data.(bundle.Manifest)
	assert.Equal(t, sc.Cause, m.Cause, "the bot still reads Caracal")
	assert.Equal(t, srv.APIURL, m.Endpoints["api"], "userinfo removed from the endpoint")
	assert.Equal(t, srv.STSURL, m.Endpoints["sts"])
	assert.Contains(t, m.Redactions, redact.Redaction{File: bundle.FileManifest, Path: "$.endpoints.sts", Kind: redact.KindURLCredentials})
	for name, data := range unzipBundle(t, res) {
		assert.NotContains(t, string(data), token, name)
	}
	assert.NotContains(t, chatText(res), token)
	for _, f := range res.Reply.Fields {
		if f.Label == "Redactions" {
			assert.Contains(t, f.Value, "url_credentials")
		}
	}
}

// chatText is every text of a reply, for leak checks.
func chatText(res commands.Result) string {
	parts := []string{res.Reply.Summary}
	for _, f := range res.Reply.Fields {
		parts = append(parts, f.Value)
	}
	for _, s := range res.Reply.Sections {
		parts = append(parts, s.Text)
		for _, it := range s.Items {
			parts = append(parts, it.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// TestBundleEveryScenario builds the bundle of every scenario of the
// catalog: it never fails, and realistic Caracal data
// (UUIDs, request IDs, SHA-256 digests, Rego documents, Caracal's own
// "[redacted]" session ids) triggers no redaction.
func TestBundleEveryScenario(t *testing.T) {
	for _, sc := range caracaltest.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			srv := newSim(t, caracaltest.WithScenario(sc.ID))
			reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)
			args := sc.ID
			if sc.AskZone != "" && sc.AskZone != caracaltest.ZoneResearch {
				args += " --zone " + sc.AskZone
			}
			res, err := run(t, reg, "bundle", args)
			require.NoError(t, err)
			m := res.Data.(bundle.Manifest)
			assert.NotEmpty(t, m.Cause)
			assert.Empty(t, m.Redactions, "no false positives")
			if sc.Zone != "" {
				assert.Contains(t, string(unzipBundle(t, res)[bundle.FileTrace]), sc.ID)
			}
		})
	}
}
