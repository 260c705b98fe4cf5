package paste

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/paste/pastetest"
)

// FuzzParse checks that no paste panics, that every request ID it
// returns is valid, and that a success always carries an ID or an error code.
func FuzzParse(f *testing.F) {
	for _, name := range errorFixtures(f) {
		f.Add(fixture(f, name))
	}
	cases, err := pastetest.Corpus()
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.Text)
	}
	for _, s := range []string{
		"01a028ea-d354-7443-96e4-46e5643d943c",
		"policy denied (resource_not_granted) (request_id=01a028ea-d354-7443-96e4-46e5643d943c)",
		"policy denied (request_id=r1) (hint: the Session has no Delegation)",
		"CaracalOAuthError: access_denied: invalid client credentials (request_id=r2).",
		"HTTP/1.1 401 Unauthorized\r\nX-Request-Id: r3\r\nWWW-Authenticate: Bearer error=\"interaction_required\"\r\n",
		"< HTTP/2 403\n< x-request-id: r4\n",
		"Caracal.fromEnv: missing CARACAL_ZONE_ID, CARACAL_APPLICATION_ID",
		"caracal: FromEnv missing [CARACAL_ZONE_ID]",
		"Caracal SDK: CARACAL_STS_URL is required in production",
		`body="{\"error\":\"access_denied\",\"requestId\":\"r5\"}"`,
		"(request_id=)", "{", `{"`, "\x00", "é(request_id=é)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q, err := Parse(text)
		if err != nil {
			if q != (diagnose.Query{}) {
				t.Fatalf("error %v with a non-empty query %+v", err, q)
			}
			return
		}
		if q.RequestID == "" && q.Hints.ErrorCode == "" {
			t.Fatalf("success without an ID or a code: %+v", q)
		}
		if q.RequestID != "" {
			if verr := diagnose.ValidateRequestID(q.RequestID); verr != nil {
				t.Fatalf("returned invalid request ID %q: %v", q.RequestID, verr)
			}
		}
		if q.Hints.ErrorCode != "" && diagnose.ValidateRequestID(q.Hints.ErrorCode) != nil {
			t.Fatalf("error code %q is not a token", q.Hints.ErrorCode)
		}
		d := q.Hints.Description
		if !utf8.ValidString(d) || len(d) > maxDescription || strings.ContainsAny(d, "\n\r\x1b") {
			t.Fatalf("description not cleaned: %q", d)
		}
		if q.Hints.Symptom != "" || q.ZoneID != "" {
			t.Fatalf("paste set symptom or zone: %+v", q)
		}
		if q.ApprovalID != "" && (q.Hints.ErrorCode != "interaction_required" || diagnose.ValidateRequestID(q.ApprovalID) != nil) {
			t.Fatalf("approval ID %q outside a hold or not a token: %+v", q.ApprovalID, q)
		}
		if q.Hints.Status != 0 && (q.Hints.Status < 100 || q.Hints.Status > 599) {
			t.Fatalf("status %d out of range", q.Hints.Status)
		}
	})
}
