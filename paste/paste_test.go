package paste

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// fixtureDir holds the Caracal wire fixtures that caracaltest embeds; they
// are read from disk so these tests do not depend on the simulator building.
const fixtureDir = "../integrations/caracal/caracaltest/fixtures"

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	require.NoError(t, err)
	return string(b)
}

// errorFixtures lists the error-*.json fixture names.
func errorFixtures(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "error-*.json"))
	require.NoError(t, err)
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

func TestParse_AcceptedForms(t *testing.T) {
	const id = "01a028ea-d354-7443-96e4-46e5643d943c"
	tests := []struct {
		name string
		text string
		want diagnose.Query
	}{
		{"bare UUIDv7", id, diagnose.Query{RequestID: id}},
		{"bare ID with spaces around", "  \n" + id + "\t\n", diagnose.Query{RequestID: id}},
		{"bare ID in backticks", "`" + id + "`", diagnose.Query{RequestID: id}},
		{"bare non-UUID ID", "gw:req_42.retry-1", diagnose.Query{RequestID: "gw:req_42.retry-1"}},
		{"STS 403 body, no grant", fixture(t, "error-403-access-denied-no-grant.json"),
			diagnose.Query{RequestID: id, Hints: diagnose.Hints{ErrorCode: "access_denied", Description: "policy denied (resource_not_granted)"}}},
		{"STS 401 body, bad client secret", fixture(t, "error-401.json"),
			diagnose.Query{RequestID: "01a028b5-3c94-7382-830d-65db3a838429", Hints: diagnose.Hints{Status: 401, ErrorCode: "access_denied", Description: "invalid client credentials"}}},
		{"zone_invalid body keeps requestId, not the zone UUIDs", fixture(t, "error-403-zone-invalid.json"),
			diagnose.Query{RequestID: "01a028b7-5a60-7faf-be95-fe0b8afdf4bd", Hints: diagnose.Hints{Status: 403, ErrorCode: "zone_invalid",
				Description: "application is registered in zone 019f1ce8-1680-793b-b480-86d4734b60a7 but the request targeted zone 019f65c1-6140-7a97-be6c-e3fe9d1847eb; use credentials issued for the targeted zone or correct the zone_id"}}},
		{"Admin API invalid_body with details", fixture(t, "error-400-invalid-body.json"),
			diagnose.Query{RequestID: "c83779f2-3466-424a-b2d8-6f5e967b2655", Hints: diagnose.Hints{ErrorCode: "invalid_body", Description: "Request body failed validation"}}},
		{"body after an HTTP/1.1 status line", "HTTP/1.1 403 Forbidden\ncontent-type: application/json\n\n" + fixture(t, "error-403-gateway-policy-denied.json"),
			diagnose.Query{RequestID: "5220bb83-af80-4bb7-a17e-0232fa693eee", Hints: diagnose.Hints{Status: 403, ErrorCode: "access_denied", Description: "policy denied (role_scope_mismatch)"}}},
		{"body in prose with HTTP 503", "the agent got HTTP 503 and this: " + fixture(t, "error-503-policy-eval-failed.json") + " any idea?",
			diagnose.Query{RequestID: "01a028b8-44c0-7b16-88b9-b224684bbe26", Hints: diagnose.Hints{Status: 503, ErrorCode: "policy_eval_failed", Description: "policy evaluation unavailable"}}},
		{"approval hold body with WWW-Authenticate", "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error=\"interaction_required\"\n\n" + fixture(t, "error-401-interaction-required.json"),
			diagnose.Query{RequestID: "01a02991-2c7c-7814-bff7-2eb48ca6a1d1", ApprovalID: "023212d1-fd4f-4a3a-903c-45c52a40871f",
				Hints: diagnose.Hints{Status: 401, ErrorCode: "interaction_required", Description: "Human approval required for this request"}}},
		{"Coordinator idempotency body with request_id", `{"error":"idempotency_key_conflict","message":"key reused with different input","request_id":"coord-7"}`,
			diagnose.Query{RequestID: "coord-7", Hints: diagnose.Hints{ErrorCode: "idempotency_key_conflict", Description: "key reused with different input"}}},
		{"nested body with a status field", `{"response":{"status":403,"body":{"error":"access_denied","error_description":"policy denied","requestId":"01a028c9-d3ac-714f-9706-ff5c60b98bf6"}}}`,
			diagnose.Query{RequestID: "01a028c9-d3ac-714f-9706-ff5c60b98bf6", Hints: diagnose.Hints{Status: 403, ErrorCode: "access_denied", Description: "policy denied"}}},
		{"escaped JSON in a log line", `level=error msg="exchange failed" body="{\"error\":\"access_denied\",\"error_description\":\"policy denied\",\"requestId\":\"01a028c9-d3ac-714f-9706-ff5c60b98bf6\"}"`,
			diagnose.Query{RequestID: "01a028c9-d3ac-714f-9706-ff5c60b98bf6", Hints: diagnose.Hints{ErrorCode: "access_denied", Description: "policy denied"}}},
		{"SDK message", "policy denied (role_scope_mismatch) (request_id=01a028c5-c1f4-71bb-89ca-bbb2459cf427)",
			diagnose.Query{RequestID: "01a028c5-c1f4-71bb-89ca-bbb2459cf427", Hints: diagnose.Hints{Description: "policy denied (role_scope_mismatch)"}}},
		{"SDK message with hint", "policy denied (request_id=01a028c9-d3ac-714f-9706-ff5c60b98bf6) (hint: the Session has no Delegation; start one with a delegation edge)",
			diagnose.Query{RequestID: "01a028c9-d3ac-714f-9706-ff5c60b98bf6", Hints: diagnose.Hints{Description: "policy denied"}}},
		{"SDK message with exception class; the description implies code and status", "CaracalOAuthError: invalid client credentials (request_id=01a028b5-3c94-7382-830d-65db3a838429)",
			diagnose.Query{RequestID: "01a028b5-3c94-7382-830d-65db3a838429", Hints: diagnose.Hints{Status: 401, ErrorCode: "access_denied", Description: "invalid client credentials"}}},
		{"SDK message with code prefix", "caracal: access_denied: authority record inactive or expired (request_id=4c64c7ca-8568-48bf-b2c3-45ae7fab2828).",
			diagnose.Query{RequestID: "4c64c7ca-8568-48bf-b2c3-45ae7fab2828", Hints: diagnose.Hints{Status: 403, ErrorCode: "access_denied", Description: "authority record inactive or expired"}}},
		{"SDK message at the end of a Python traceback", "Traceback (most recent call last):\n  File \"agent.py\", line 12, in <module>\n    client.mint(resource)\ncaracal.errors.OAuthError: policy denied (resource_not_granted) (request_id=" + id + ")\n",
			diagnose.Query{RequestID: id, Hints: diagnose.Hints{Description: "policy denied (resource_not_granted)"}}},
		{"X-Request-Id header line", "x-request-id: 31f12027-e9cd-435f-a6d7-7a8264d14020", diagnose.Query{RequestID: "31f12027-e9cd-435f-a6d7-7a8264d14020"}},
		{"headers with HTTP status", "HTTP 403\nX-Request-Id: 31f12027-e9cd-435f-a6d7-7a8264d14020\r\nContent-Type: application/json\r\n",
			diagnose.Query{RequestID: "31f12027-e9cd-435f-a6d7-7a8264d14020", Hints: diagnose.Hints{Status: 403}}},
		{"curl -v prefers the response header", "> X-Request-Id: sent-by-me\n< HTTP/2 401\n< x-request-id: echoed-by-gateway\n< www-authenticate: Bearer error=\"invalid_token\", error_description=\"session revoked\"",
			diagnose.Query{RequestID: "echoed-by-gateway", Hints: diagnose.Hints{Status: 401, ErrorCode: "invalid_token"}}},
		{"status word form", "status 403\nX-REQUEST-ID: abc-123", diagnose.Query{RequestID: "abc-123", Hints: diagnose.Hints{Status: 403}}},
		{"reason phrase form", "got 403 Forbidden, X-Request-Id: abc-123", diagnose.Query{RequestID: "abc-123", Hints: diagnose.Hints{Status: 403}}},
		{"logfmt request_id", "ts=2026-08-22T13:32:55Z level=warn status=429 request_id=01a028b5-acb0-7b2f-908e-2d29a253c768",
			diagnose.Query{RequestID: "01a028b5-acb0-7b2f-908e-2d29a253c768", Hints: diagnose.Hints{Status: 429}}},
		{"lone UUID in a sentence", "why did " + id + " fail in prod?", diagnose.Query{RequestID: id}},
		{"engine config_missing body", fixture(t, "error-config-missing.json"),
			diagnose.Query{Hints: diagnose.Hints{ErrorCode: "config_missing", Description: "CARACAL_GATEWAY_URL is required when the runtime environment is production"}}},
		{"TS SDK fromEnv", "Error: Caracal.fromEnv: missing CARACAL_ZONE_ID, CARACAL_APPLICATION_ID\n    at Caracal.fromEnv (index.js:10:11)",
			diagnose.Query{Hints: diagnose.Hints{ErrorCode: "config_missing", Description: "Caracal.fromEnv: missing CARACAL_ZONE_ID, CARACAL_APPLICATION_ID"}}},
		{"Go SDK FromEnv", "panic: caracal: FromEnv missing [CARACAL_ZONE_ID CARACAL_APP_CLIENT_SECRET]",
			diagnose.Query{Hints: diagnose.Hints{ErrorCode: "config_missing", Description: "caracal: FromEnv missing [CARACAL_ZONE_ID CARACAL_APP_CLIENT_SECRET]"}}},
		{"SDK required in production", "Caracal SDK: CARACAL_STS_URL is required in production",
			diagnose.Query{Hints: diagnose.Hints{ErrorCode: "config_missing", Description: "Caracal SDK: CARACAL_STS_URL is required in production"}}},
		{"Go SDK required when CARACAL_ENV", "caracal: CARACAL_API_URL is required when CARACAL_ENV=production",
			diagnose.Query{Hints: diagnose.Hints{ErrorCode: "config_missing", Description: "caracal: CARACAL_API_URL is required when CARACAL_ENV=production"}}},
		{"bare config_missing word", "config_missing", diagnose.Query{Hints: diagnose.Hints{ErrorCode: "config_missing", Description: "config_missing"}}},
		{"verifier body has no request ID", fixture(t, "error-403-verifier-insufficient-scope.json"),
			diagnose.Query{Hints: diagnose.Hints{Status: 403, ErrorCode: "insufficient_scope", Description: "Missing scope: nucleus:admin"}}},
		{"Admin API code-only body", fixture(t, "error-401-admin-api.json"), diagnose.Query{Hints: diagnose.Hints{ErrorCode: "invalid_admin_token"}}},
		{"WWW-Authenticate alone", "WWW-Authenticate: Bearer error=\"interaction_required\"", diagnose.Query{Hints: diagnose.Hints{ErrorCode: "interaction_required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestParse_EveryErrorFixture pins every error-*.json body: the request
// ID is the body's requestId (or empty), the code its error, the approval
// its approval_id; a status the description implies is the file's.
func TestParse_EveryErrorFixture(t *testing.T) {
	n := 0
	for _, name := range errorFixtures(t) {
		n++
		t.Run(name, func(t *testing.T) {
			text := fixture(t, name)
			var body struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
				RequestID   string `json:"requestId"`
				ApprovalID  string `json:"approval_id"`
			}
			require.NoError(t, json.Unmarshal([]byte(text), &body))
			got, err := Parse(text)
			require.NoError(t, err)
			if got.Hints.Status != 0 {
				assert.True(t, strings.HasPrefix(name, fmt.Sprintf("error-%d", got.Hints.Status)), "status %d", got.Hints.Status)
				got.Hints.Status = 0
			}
			assert.Equal(t, diagnose.Query{RequestID: body.RequestID, ApprovalID: body.ApprovalID,
				Hints: diagnose.Hints{ErrorCode: body.Error, Description: body.Description}}, got)
		})
	}
	assert.Greater(t, n, 40, "error fixtures found")
}

func TestParse_Rejects(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    string // substring of the error
		idError bool   // a *diagnose.RequestIDError
	}{
		{"empty", "", ErrNoRequestID.Error(), false},
		{"only whitespace", " \n\t ", ErrNoRequestID.Error(), false},
		{"prose without an ID", "the agent keeps failing, help", ErrNoRequestID.Error(), false},
		{"status without an ID or code", "HTTP/1.1 403 Forbidden\ncontent-length: 0", ErrNoRequestID.Error(), false},
		{"two different UUIDs and nothing else", "zone 019f1ce8-1680-793b-b480-86d4734b60a7 app 019f230e-d6df-74ba-b084-de0d74d7d04b", ErrNoRequestID.Error(), false},
		{"too large", strings.Repeat("a ", MaxBytes/2+1), "paste at most 64 KiB", false},
		{"empty SDK ID", "policy denied (request_id=)", "request ID is empty", true},
		{"non-ASCII SDK ID", "policy denied (request_id=héllo)", `"héllo" has a non-ASCII character 'é' (U+00E9) at position 2`, true},
		{"body ID with a space", `{"error":"access_denied","requestId":"a b"}`, `has a space at position 2`, true},
		{"bare ID with a control character", "abc\x01def", `"abc\x01def" has a control character (U+0001) at position 4`, true},
		{"bare ID too long", strings.Repeat("x", 129), "is 129 bytes long", true},
		{"a traceback's source line names a variable, not an ID", "    raise mapped(description, request_id=request_id, http_status=resp.status_code)", ErrNoRequestID.Error(), false},
		{"an inspected placeholder", "{ method: 'POST', status: 401, requestId: undefined }", ErrNoRequestID.Error(), false},
		{"a logged None", "refund failed request_id=None", ErrNoRequestID.Error(), false},
		{"a UUID in a path is no request ID", "POST /zones/019f1ce8-1680-793b-b480-86d4734b60a7/agents timed out", ErrNoRequestID.Error(), false},
		{"an invalid request header only", "> X-Request-Id: refund retry #2", ErrNoRequestID.Error(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, diagnose.Query{}, got)
			var idErr *diagnose.RequestIDError
			assert.Equal(t, tt.idError, errors.As(err, &idErr))
		})
	}
}

func TestParse_CleansDescription(t *testing.T) {
	body := `{"error":"access_denied","error_description":"line1\nline2\u001b[31m` + strings.Repeat("é", 400) + `","requestId":"r1"}`
	got, err := Parse(body)
	require.NoError(t, err)
	d := got.Hints.Description
	assert.True(t, strings.HasPrefix(d, "line1 line2 [31m"), d)
	assert.LessOrEqual(t, len(d), maxDescription)
	assert.True(t, utf8.ValidString(d))
	assert.True(t, strings.HasSuffix(d, "…"))
}

func TestParse_DropsNonCodeError(t *testing.T) {
	got, err := Parse(`{"error":"Something went <b>wrong</b>","requestId":"r-9"}`)
	require.NoError(t, err)
	assert.Equal(t, diagnose.Query{RequestID: "r-9"}, got)
}

// TestParse_BoundedWork feeds adversarial 64 KiB pastes; each must
// finish quickly and never panic.
func TestParse_BoundedWork(t *testing.T) {
	n := MaxBytes
	tests := map[string]string{
		"open braces":            strings.Repeat("{", n),
		"open braces and quotes": strings.Repeat(`{"`, n/2),
		"nested objects":         strings.Repeat(`{"a":`, n/10) + "1" + strings.Repeat("}", n/10),
		"many small bodies":      strings.Repeat(`{"x":1}`, n/7),
		"many SDK markers":       strings.Repeat("(request_id=", n/12),
		"many header lines":      strings.Repeat("x-request-id:\n", n/14),
		"many key fragments":     strings.Repeat(`"error":"`, n/9),
		"one long token":         strings.Repeat("a", n),
		"many UUID-like groups":  strings.Repeat("01a028ea-d354-", n/14),
		"many status words":      strings.Repeat("status ", n/7),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			q, err := Parse(text)
			if err == nil && q.RequestID != "" {
				assert.NoError(t, diagnose.ValidateRequestID(q.RequestID))
			}
			assert.Less(t, time.Since(start), 5*time.Second, "quadratic work would take minutes")
		})
	}
}
