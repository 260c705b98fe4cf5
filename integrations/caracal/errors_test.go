package caracal_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

var errorFixtureStatus = regexp.MustCompile(`^error-(\d{3})[-.]`)

func TestErrorEnvelopeFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "error-*.json"))
	require.NoError(t, err)
	seen := 0
	for _, p := range paths {
		name := filepath.Base(p)
		m := errorFixtureStatus.FindStringSubmatch(name)
		if m == nil {
			continue // error-config-missing.json is a serialized engine error, not HTTP
		}
		seen++
		status, _ := strconv.Atoi(m[1])
		t.Run(name, func(t *testing.T) {
			body := fixture(t, name)
			var obj map[string]any
			require.NoError(t, json.Unmarshal(body, &obj))
			f := always(t, reply{status: status, body: body, header: map[string]string{"X-Request-Id": "hdr-id"}})

			_, err := newClient(f, noRetries).Zone(t.Context(), zoneID)
			e, ok := caracal.AsError(err)
			require.True(t, ok, "want *caracal.Error, got %T %v", err, err)
			assert.Equal(t, caracal.ServiceAPI, e.Service)
			assert.Equal(t, "GET", e.Method)
			assert.Equal(t, "/v1/zones/"+zoneID, e.Path)
			assert.Equal(t, status, e.Status)
			assert.Equal(t, obj["error"], e.Code)

			wantDesc, _ := obj["error_description"].(string)
			if wantDesc == "" {
				wantDesc, _ = obj["message"].(string)
			}
			assert.Equal(t, wantDesc, e.Description)

			wantID, _ := obj["requestId"].(string)
			if wantID == "" {
				wantID, _ = obj["request_id"].(string)
			}
			if wantID == "" {
				wantID = "hdr-id"
			}
			assert.Equal(t, wantID, e.RequestID)
			assert.True(t, caracal.HasCode(err, status, e.Code))
			assert.Contains(t, err.Error(), strconv.Itoa(status))
		})
	}
	assert.GreaterOrEqual(t, seen, 40)
}

func TestPlainTextUnauthorized(t *testing.T) {
	f := always(t, reply{status: 401, body: []byte("unauthorized\n"),
		header: map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Request-Id": "req-from-header"}})
	_, err := newClient(f).STSMetrics(t.Context())
	e, ok := caracal.AsError(err)
	require.True(t, ok, "%T %v", err, err)
	assert.Equal(t, 401, e.Status)
	assert.Equal(t, "", e.Code)
	assert.Equal(t, "unauthorized", e.Description)
	assert.Equal(t, "req-from-header", e.RequestID)
	assert.Equal(t, caracal.ServiceSTS, e.Service)
	assert.Equal(t, "/metrics.json", e.Path)
	assert.Len(t, f.Hits(), 1, "401 is not retried")
}

func TestNonJSONErrorBodies(t *testing.T) {
	cases := map[string]string{
		"<html>\n<body>Bad Gateway</body></html>":   "<html>",
		"\n\n  first line  \nsecond":                "first line",
		`["not","an","object"]`:                     `["not","an","object"]`,
		`{"error": 42, "error_description": ["x"]}`: "",
		strings.Repeat("x", 5000):                   "…", // a word cut in two goes whole
		strings.Repeat("word ", 300):                strings.TrimSpace(strings.Repeat("word ", 204)) + "…",
		"":                                          "",
	}
	for body, want := range cases {
		f := always(t, reply{status: 400, body: []byte(body), header: map[string]string{"Content-Type": "text/plain"}})
		_, err := newClient(f).Zone(t.Context(), zoneID)
		e, ok := caracal.AsError(err)
		require.True(t, ok)
		assert.Equal(t, want, e.Description)
		assert.Equal(t, "", e.Code)
	}
}

func TestMessageAndRetryAfterFields(t *testing.T) {
	f := always(t, reply{status: 409,
		body:   []byte(`{"error":"idempotency_conflict","message":"key reused","request_id":"rid-1"}`),
		header: map[string]string{"Retry-After": "7", "X-Request-Id": "ignored"}})
	_, err := newClient(f).Zone(t.Context(), zoneID)
	e, ok := caracal.AsError(err)
	require.True(t, ok)
	assert.Equal(t, "idempotency_conflict", e.Code)
	assert.Equal(t, "key reused", e.Description)
	assert.Equal(t, "rid-1", e.RequestID)
	assert.Equal(t, "7", e.RetryAfter)
}

func TestRequestNotFoundIsNotFound(t *testing.T) {
	f := always(t, reply{status: 404, body: fixture(t, "error-404-request-not-found.json")})
	_, err := newClient(f).Explain(t.Context(), zoneID, "01a029c3-0000-7000-8000-000000000000")
	require.Error(t, err)
	assert.True(t, caracal.IsNotFound(err))
	assert.True(t, caracal.HasCode(err, 404, "request_not_found"))
	assert.False(t, caracal.IsTransport(err))

	_, err = newClient(f).AuditByRequest(t.Context(), zoneID, "x")
	assert.True(t, caracal.IsNotFound(err))
}

func TestServerErrorDuringOutage(t *testing.T) {
	// §0: Admin API calls with Redis down answer 500 internal_error.
	f := always(t, reply{status: 500, body: fixture(t, "error-500-internal.json")})
	_, err := newClient(f).PolicySets(t.Context(), zoneID)
	e, ok := caracal.AsError(err)
	require.True(t, ok)
	assert.Equal(t, "internal_error", e.Code)
	assert.Equal(t, "c569a518-c58e-4f9a-913c-9dd292d62129", e.RequestID)
	var de *caracal.DecodeError
	assert.False(t, errors.As(err, &de))
}
