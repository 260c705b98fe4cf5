package paste

// Reading a pasted JSON error body or JSON log line.

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// nullWords are the placeholders a printed property holds when it has no
// value; none is an ID.
var nullWords = map[string]bool{"undefined": true, "null": true, "None": true, "nil": true, "<nil>": true, "NULL": true}

// errorBody is what a pasted JSON error body (or JSON log line) says.
type errorBody struct {
	hints                 diagnose.Hints
	requestID, approvalID string
}

// findErrorBody decodes the first JSON object in the text (outermost first)
// that looks like a Caracal error body or log line: an error code or a
// request ID. Decoding is bounded by an attempt count and a byte budget.
func findErrorBody(text string) (errorBody, bool) {
	attempts, budget := 256, 4*MaxBytes
	for _, sp := range objectSpans(text) {
		if attempts--; attempts < 0 {
			break
		}
		if budget -= sp[1] - sp[0]; budget < 0 {
			break
		}
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(text[sp[0]:sp[1]]), &m) != nil {
			continue
		}
		b := errorBody{requestID: jsonString(m, "requestId", "request_id", "requestID")}
		b.hints.ErrorCode = codeOrEmpty(jsonString(m, "error", "code", "error_code"))
		if b.requestID == "" && b.hints.ErrorCode == "" {
			continue
		}
		if nullWords[b.requestID] {
			b.requestID = ""
		}
		b.hints.Description = jsonString(m, "error_description", "message", "msg")
		if id := jsonString(m, "approval_id"); reApprovalID.MatchString(id) {
			b.approvalID = id
		}
		for _, k := range []string{"status", "statusCode"} {
			if n, err := strconv.Atoi(string(m[k])); err == nil && n >= 100 && n <= 599 {
				b.hints.Status = n
			}
		}
		return b, true
	}
	return errorBody{}, false
}

// objectSpans returns the [start, end) offsets of balanced {...} spans that
// open with a key, sorted by start. One pass; braces inside JSON strings are
// skipped, and a string never runs past a newline (a stray quote cannot
// swallow the rest of the paste).
func objectSpans(s string) [][2]int {
	const maxDepth = 64
	var spans [][2]int
	var open []int
	deep, inStr, esc := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"' || c == '\n':
				inStr = false
			}
			continue
		}
		switch {
		case c == '"' && len(open) > 0:
			inStr = true
		case c == '{' && len(open) < maxDepth:
			open = append(open, i)
		case c == '{':
			deep++
		case c == '}' && deep > 0:
			deep--
		case c == '}' && len(open) > 0:
			start := open[len(open)-1]
			open = open[:len(open)-1]
			if strings.HasPrefix(strings.TrimLeft(s[start+1:i], " \t\r\n"), `"`) {
				spans = append(spans, [2]int{start, i + 1})
			}
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a][0] < spans[b][0] })
	return spans
}

// jsonString returns the first non-empty string value among keys.
func jsonString(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		var s string
		if json.Unmarshal(m[k], &s) == nil && s != "" {
			return s
		}
	}
	return ""
}
