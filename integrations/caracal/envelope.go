package caracal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Length caps for strings taken from untrusted bodies and headers.
const (
	maxCodeRunes        = 128
	maxDescriptionRunes = 1024
	maxHeaderRunes      = 256
	maxReasonRunes      = 120 // matches `caracal status` (API.md §4)
)

// newError builds the *Error for a non-2xx answer (API.md §2.2). A JSON object
// body supplies Code ("error"), Description ("error_description", else
// "message") and RequestID ("requestId" or "request_id"); any other body gives
// Description = its first line. RequestID falls back to the x-request-id header.
func newError(cl call, status int, h http.Header, body []byte) *Error {
	e := &Error{
		Service:    cl.svc,
		Method:     http.MethodGet,
		Path:       cl.path,
		Status:     status,
		RetryAfter: clean(h.Get("Retry-After"), maxHeaderRunes),
	}
	if obj := jsonObject(body); obj != nil {
		e.Code = firstString(obj, maxCodeRunes, "error")
		e.Description = firstString(obj, maxDescriptionRunes, "error_description", "message")
		e.RequestID = firstString(obj, maxHeaderRunes, "requestId", "request_id")
	} else {
		e.Description = clean(string(body), maxDescriptionRunes)
	}
	if e.RequestID == "" {
		e.RequestID = clean(h.Get("X-Request-Id"), maxHeaderRunes)
	}
	return e
}

// probeReason extracts why a /health or /ready answer failed: the first
// non-empty string among reason, error, detail and error_description (the
// first three as `caracal status` reads them, the last as the Doctor does);
// "draining" for the Fastify draining body; otherwise, for a body that is not
// a JSON object, its first line. The result is one line of at most 120 runes.
func probeReason(body []byte) string {
	obj := jsonObject(body)
	if obj == nil {
		return clean(string(body), maxReasonRunes)
	}
	if r := firstString(obj, maxReasonRunes, "reason", "error", "detail", "error_description"); r != "" {
		return r
	}
	if d, _ := obj["draining"].(bool); d {
		return "draining"
	}
	return ""
}

// jsonObject decodes body when it is exactly one JSON object, else nil.
func jsonObject(body []byte) map[string]any {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil
	}
	return obj
}

// firstString returns the first key of obj holding a non-empty string, cleaned.
func firstString(obj map[string]any, maxRunes int, keys ...string) string {
	for _, k := range keys {
		if s, ok := obj[k].(string); ok {
			if s = clean(s, maxRunes); s != "" {
				return s
			}
		}
	}
	return ""
}

// clean makes an untrusted string safe to show and log: valid UTF-8, its first
// non-blank line only, no control characters, trimmed, at most maxRunes runes.
// A string that is cut loses its last, partial word and ends with "…": a
// credential Caracal echoed across the cut must vanish whole, since a
// fragment of it no longer matches what the egress scrubber looks for.
func clean(s string, maxRunes int) string {
	s = strings.TrimLeft(s, " \t\r\n")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	cut := false
	if window := maxRunes*utf8.UTFMax + 16; len(s) > window {
		s, cut = s[:window], true // bound the work on huge bodies; the cap below is exact
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1 // control characters (log injection)
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxRunes {
		s, cut = string([]rune(s)[:maxRunes-1]), true
	}
	if !cut {
		return s
	}
	if i := strings.LastIndexAny(s, " \t"); i >= 0 {
		return strings.TrimSpace(s[:i]) + "…"
	}
	return "…"
}
