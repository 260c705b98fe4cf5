package paste

// The extractors Parse runs over pasted text. Each does work linear in
// the text (RE2 patterns, single passes), so a 64 KiB paste stays cheap.

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// Patterns are RE2 (linear time), compiled once and never modified.
var (
	reSDK       = regexp.MustCompile(`\(request_id=(\S{0,256}?)\)(?:[\s.,;:]|$)`)
	reHeaderID  = regexp.MustCompile(`(?im)^([ \t<>*]*)x-request-id[ \t]*:[ \t]*(\S+)`)
	reIDKV      = regexp.MustCompile(`(?i)\b(?:x-)?request[ _-]?id\b["'\\]*[ \t]*[:=][ \t]*["'\\]*([^\s"'\\,;)}\]>]{1,256})`)
	reErrorKV   = regexp.MustCompile(`\\?"error\\?"[ \t]*:[ \t]*\\?"([A-Za-z][A-Za-z0-9_.:-]{0,63})\\?"`)
	reDescKV    = regexp.MustCompile(`\\?"error_description\\?"[ \t]*:[ \t]*\\?"([^"\\]{0,512})`)
	reStatus    = regexp.MustCompile(`(?i)\bHTTP/\d(?:\.\d)?[ \t]+([1-5]\d\d)\b|\bHTTP[ \t]+([1-5]\d\d)\b|\bstatus(?:[ _]?code)?["']?[ \t]*[:=]?[ \t]*([1-5]\d\d)\b|\b([1-5]\d\d)[ \t]+(?:OK|Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Payload Too Large|Unsupported Media Type|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b`)
	reWWWAuth   = regexp.MustCompile(`(?i)www-authenticate[ \t]*:[ \t]*bearer\b[^\r\n]*?(?:^|[\s,])error[ \t]*=[ \t]*"?([A-Za-z][A-Za-z0-9_.:-]{0,63})`)
	reUUID      = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	reSDKPrefix = regexp.MustCompile(`^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:Error|Exception)|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|Error|error|ERROR|caracal|Caracal(?: SDK)?)[ \t]*:[ \t]+`)
	reCodeLead  = regexp.MustCompile(`^([a-z]+(?:_[a-z]+)+)[ \t]*:[ \t]+`)
	reCode      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.:-]{0,63}$`)
)

// configMarkers are lower-cased fragments of the SDK and engine start-up
// errors of API.md §12; none of them comes with a request ID.
var configMarkers = []string{
	"config_missing", "caracal.fromenv:", "caracal.from_env:", "fromenv missing",
	"fromclientsecret missing", "from_client_secret missing", "is required in production",
	"is required when caracal_env=", "is required when the runtime environment is",
	"must use https in production", "caracal.toml missing required field",
	"caracal: profile not found",
}

// errorBody is what a pasted JSON error body says.
type errorBody struct {
	hints     diagnose.Hints
	requestID string
}

// findErrorBody decodes the first JSON object in the text (outermost first)
// that looks like a Caracal error body: an "error" code or a request ID.
// Decoding is bounded by an attempt count and a byte budget.
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
		b.hints.ErrorCode = codeOrEmpty(jsonString(m, "error", "code"))
		if b.requestID == "" && b.hints.ErrorCode == "" {
			continue
		}
		b.hints.Description = jsonString(m, "error_description", "message")
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

// sdkDescription splits the text before "(request_id=" into an error code
// (when the line names one, e.g. "access_denied: ...") and the description,
// dropping exception-class prefixes such as "AccessDeniedError: ".
func sdkDescription(s string) (code, desc string) {
	s = strings.TrimSpace(s)
	for range 3 {
		loc := reSDKPrefix.FindStringIndex(s)
		if loc == nil {
			break
		}
		s = s[loc[1]:]
	}
	if m := reCodeLead.FindStringSubmatch(s); m != nil {
		code, s = m[1], s[len(m[0]):]
	}
	return code, strings.TrimSpace(s)
}

// headerID finds X-Request-Id header lines, preferring a response header
// ("< X-Request-Id" in curl -v output) over a request one.
func headerID(text string) (string, bool) {
	ms := reHeaderID.FindAllStringSubmatch(text, 8)
	for _, m := range ms {
		if strings.Contains(m[1], "<") {
			return m[2], true
		}
	}
	if len(ms) > 0 {
		return ms[0][2], true
	}
	return "", false
}

// findStatus returns the first HTTP status in the text, else fallback.
func findStatus(text string, fallback int) int {
	m := reStatus.FindStringSubmatch(text)
	for i := 1; i < len(m); i++ {
		g := m[i]
		if n, err := strconv.Atoi(g); err == nil {
			return n
		}
	}
	return fallback
}

func wwwAuthenticateError(text string) string { return submatch(reWWWAuth, text) }

// configMessage returns the line naming a start-up configuration error.
func configMessage(text string) (string, bool) {
	lower := []byte(text) // ASCII-only folding keeps byte offsets aligned with text
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for _, mk := range configMarkers {
		if i := strings.Index(string(lower), mk); i >= 0 {
			return lineAt(text, i), true
		}
	}
	return "", false
}

// loneUUID returns the only UUID in the text, unless it belongs to the
// description (a zone ID in a zone_invalid message, say).
func loneUUID(text, desc string) (string, bool) {
	ms := reUUID.FindAllString(text, 8)
	if len(ms) == 0 || strings.Contains(desc, ms[0]) {
		return "", false
	}
	for _, m := range ms[1:] {
		if !strings.EqualFold(m, ms[0]) {
			return "", false
		}
	}
	return ms[0], true
}

func submatch(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// lineBefore is the part of the line holding offset i that precedes i.
func lineBefore(s string, i int) string { return s[strings.LastIndexByte(s[:i], '\n')+1 : i] }

// lineAt is the whole line holding offset i.
func lineAt(s string, i int) string {
	end := strings.IndexByte(s[i:], '\n')
	if end < 0 {
		return lineBefore(s, i) + s[i:]
	}
	return lineBefore(s, i) + s[i:i+end]
}

func codeOrEmpty(s string) string {
	if reCode.MatchString(s) {
		return s
	}
	return ""
}

// cleanText makes pasted free text safe to carry: valid UTF-8, control
// characters as spaces, trimmed, at most max bytes.
func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
