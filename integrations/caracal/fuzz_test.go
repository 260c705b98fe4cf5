package caracal

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedFixtures adds every fixture (and a few hostile bodies) to the corpus.
func seedFixtures(f *testing.F, add func(body []byte)) {
	paths, err := filepath.Glob(filepath.Join("caracaltest", "fixtures", "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
	for _, s := range []string{"", "null", "[]", "{", "unauthorized\n", "<html>\r\n", `{"error":"\u0000\n"}`,
		`{"reason":"` + strings.Repeat("é", 500) + `"}`, "\xff\xfe", `{"draining":true}`, `{"denied":[null],"events":[{}]}`} {
		add([]byte(s))
	}
}

// assertClean checks the invariants of every string taken from a body.
func assertClean(t *testing.T, what, s string, maxRunes int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		t.Fatalf("%s has %d runes, cap %d", what, n, maxRunes)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			t.Fatalf("%s carries control character %U: %q", what, r, s)
		}
	}
	if s != strings.TrimSpace(s) {
		t.Fatalf("%s is not trimmed: %q", what, s)
	}
}

func FuzzDecodeExplain(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b) })
	cl := call{svc: ServiceAPI, path: "/v1/zones/z/audit/by-request/r/explain"}
	f.Fuzz(func(t *testing.T, body []byte) {
		var ex Explain
		err := decodeObject(cl, body, &ex)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Path != cl.path || de.Service != ServiceAPI {
				t.Fatalf("want *DecodeError for %q, got %T %v", body, err, err)
			}
			_ = err.Error()
			return
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
			t.Fatalf("accepted a body that is not an object: %q", body)
		}
		// A decoded trace must re-encode, and re-decoding that is a fixed point.
		once, err := json.Marshal(&ex)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again Explain
		if err := decodeObject(cl, once, &again); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		twice, err := json.Marshal(&again)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("round trip not stable:\n%s\n%s", once, twice)
		}
	})
}

func FuzzDecodeErrorEnvelope(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(503, b, "hdr-id", "3") })
	f.Add(401, []byte("unauthorized\n"), "", "")
	f.Add(429, []byte(`{"error":"rate_limited"}`), "x\r\ny", "Wed, 21 Oct 2015 07:28:00 GMT")
	cl := call{svc: ServiceSTS, path: "/metrics.json"}
	f.Fuzz(func(t *testing.T, status int, body []byte, requestID, retryAfter string) {
		h := http.Header{}
		h["X-Request-Id"] = []string{requestID}
		h["Retry-After"] = []string{retryAfter}
		e := newError(cl, status, h, body)
		if e == nil || e.Status != status || e.Path != cl.path || e.Method != http.MethodGet || e.Service != ServiceSTS {
			t.Fatalf("bad envelope %+v", e)
		}
		assertClean(t, "Code", e.Code, maxCodeRunes)
		assertClean(t, "Description", e.Description, maxDescriptionRunes)
		assertClean(t, "RequestID", e.RequestID, maxHeaderRunes)
		assertClean(t, "RetryAfter", e.RetryAfter, maxHeaderRunes)
		if !strings.Contains(e.Error(), "HTTP") {
			t.Fatalf("Error() lost the status: %s", e.Error())
		}
		obj := jsonObject(body)
		if obj == nil && e.Code != "" {
			t.Fatalf("code %q from a body that is not a JSON object", e.Code)
		}
		if code, ok := obj["error"].(string); ok && code == clean(code, maxCodeRunes) && e.Code != code {
			t.Fatalf("code %q, body says %q", e.Code, code)
		}
		if obj != nil && e.RequestID == "" && clean(requestID, maxHeaderRunes) != "" {
			if id, _ := obj["requestId"].(string); clean(id, maxHeaderRunes) == "" {
				t.Fatalf("header request id dropped")
			}
		}
	})
}

func FuzzProbeReason(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, body []byte) {
		r := probeReason(body)
		assertClean(t, "Reason", r, maxReasonRunes)
		obj := jsonObject(body)
		if obj == nil {
			if r != clean(string(body), maxReasonRunes) {
				t.Fatalf("non-JSON reason %q is not the first line of %q", r, body)
			}
			return
		}
		if reason, ok := obj["reason"].(string); ok && clean(reason, maxReasonRunes) != "" && r != clean(reason, maxReasonRunes) {
			t.Fatalf("reason key %q ignored, got %q", reason, r)
		}
		if d, _ := obj["draining"].(bool); d && r == "" {
			t.Fatalf("draining body without a reason")
		}
	})
}
