package paste

// The extractors Parse runs over pasted text. Each does work linear in
// the text (RE2 patterns, single passes), so a 64 KiB paste stays cheap.

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// Patterns are RE2 (linear time), compiled once and never modified.
var (
	// The SDK message suffix; any non-word character (a space, a quote, a
	// closing backtick) or the end may follow it.
	reSDK = regexp.MustCompile(`\(request_id=([^\s()]{0,256})\)(?:[^\w-]|$)`)
	// An X-Request-Id header and its value, up to a quote or the line's end.
	reHeaderID = regexp.MustCompile(`(?i)x-request-id[ \t]*:[ \t]*([^'"\r\n]*)`)
	// A log key holding a request ID, not X-Request-Id (a header, read by
	// headerID): request_id=…, requestId: …, "request_id":"…".
	reIDKV = regexp.MustCompile(`(?i)(?:^|[^\w-])request[_-]?id["'\\]*[ \t]*[:=][ \t]*(["'\\]*)([^\s"'\\,;()}\]>]{1,256})`)
	// An inspected error's property: Node's util.inspect (code: 'x'), Go's
	// %#v (Code:"x"). Strings are quoted; statuses are numbers.
	reProp    = regexp.MustCompile(`(?:^|[\s{(,])(code|Code|error_code|errorCode|requestId|requestID|RequestID|request_id|approvalId|ApprovalID|approval_id|httpStatus|HTTPStatus|http_status|statusCode|status|Status)[ \t]*[:=][ \t]*(?:'([^'\n]{0,256})'|"([^"\n]{0,256})"|([1-5]\d\d)\b)`)
	reErrorKV = regexp.MustCompile(`\\?"error\\?"[ \t]*:[ \t]*\\?"([A-Za-z][A-Za-z0-9_.:-]{0,63})\\?"`)
	reDescKV  = regexp.MustCompile(`\\?"error_description\\?"[ \t]*:[ \t]*\\?"([^"\\]{0,512})`)
	reStatus  = regexp.MustCompile(`(?i)\bHTTP/\d(?:\.\d)?[ \t]+([1-5]\d\d)\b|\bHTTP[ \t]+([1-5]\d\d)\b|\bstatus(?:[ _]?code)?["']?[ \t]*[:=]?[ \t]*([1-5]\d\d)\b|\b([1-5]\d\d)[ \t]+(?:OK|Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Payload Too Large|Unsupported Media Type|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b`)
	reWWWAuth = regexp.MustCompile(`(?i)www-authenticate[ \t]*:[ \t]*bearer\b[^\r\n]*?(?:^|[\s,])error[ \t]*=[ \t]*"?([A-Za-z][A-Za-z0-9_.:-]{0,63})`)
	reUUID    = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	// Exception classes and the "caracal:" prefix an SDK message may start with.
	reSDKPrefix = regexp.MustCompile(`^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:Error|Exception)|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|Error|error|ERROR|caracal|Caracal(?: SDK)?)[ \t]*:[ \t]+`)
	reCodeLead  = regexp.MustCompile(`^([a-z]+(?:_[a-z]+)+)[ \t]*:[ \t]+`)
	reCode      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.:-]{0,63}$`)
	reLowerCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	// What precedes the message on a log or terminal line: Go's log
	// timestamp, a panic, the CLI's failure mark, an exception class.
	reLinePrefix = regexp.MustCompile(`^(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? |panic: |✗ |Uncaught |(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception): )+`)
	// An approval hold: the STS description (every SDK repeats it) and the
	// Go SDK's "approval required: <description>".
	reHumanApproval = regexp.MustCompile(`(?i)human approval required`)
	reGoHold        = regexp.MustCompile("(?:^|[\\s:\"'`])approval required: ([^\"\\n]*)")
	// The Python SDK's ApprovalRequired message names the approval.
	reApprovalMsg = regexp.MustCompile(`\(approval ([A-Za-z0-9_.:-]{1,128})\)`)
	reApprovalID  = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,128}$`)
)

// configMarkers are lower-cased fragments of the start-up errors of every
// SDK, the runtime and the `caracal` CLI (API.md §12); none of them comes
// with a request ID.
var configMarkers = []string{
	"config_missing", "config_invalid",
	"caracal.fromenv:", "caracal.from_env:", "fromenv missing", "fromenv requires",
	"fromclientsecret missing", "from_client_secret missing", "fromcredentials requires",
	"is required in production", "is required when caracal_env=", "is required when the runtime environment is",
	"must use https in production", "must use https when caracal_env=",
	"caracal.toml missing required field", "caracal.toml requires", "caracal config not found at",
	"caracal: profile not found", "caracal.fromconfig: profile not found", "profile permissions are too broad",
	"workload identity not found", "workload secret is required",
	"credentials are unavailable", "requires a client-secret configuration",
	"caracal: secret file", "configure exactly one of caracal_app_client_secret",
	"caracal_bootstrap_token is expired", "caracal_bootstrap_token uses alg",
}

// knownDescriptions are STS, Gateway and verifier descriptions (API.md §8,
// §9, §10) whose error code is certain, for messages that print the
// description without the code (Python's base CaracalError and FastMCP
// CaracalAuthError, Go's CaracalError) or without the status (every Python
// and Go message). A status is given only for the refusals answered before
// any audit row is written: without a trace, the status is what tells them
// apart. Matching is case-sensitive: the Gateway's "session revoked" is
// not the verifier's "Session revoked".
var knownDescriptions = []struct {
	text, code string
	status     int
}{
	{"invalid client credentials", "access_denied", 401},
	{"invalid subject_token", "invalid_token", 401},
	{"application is registered in zone", "zone_invalid", 403},
	{"inactive or expired", "access_denied", 403},
	{"session not owned by caller", "access_denied", 403},
	{"requested scopes exceed delegation scopes", "access_denied", 403},
	{"authentication rate limit exceeded", "provider_rate_limited", 429},
	{"authentication rate limit unavailable", "provider_rate_limited", 429},
	{"policy evaluation unavailable", "policy_eval_failed", 0},
	{"approval already used; another request consumed it", "approval_consumed", 0},
	{"trusted time unavailable", "sts_unavailable", 503},
	{"revocation state unavailable", "sts_unavailable", 503},
	{"session revoked", "invalid_token", 401},
	{"token replay detected", "invalid_token", 0},
	{"bearer signature invalid", "invalid_token", 401},
	{"credential expiring within pre-flight window", "credential_expired_not_renewable", 401},
	{"missing routing headers", "invalid_token", 400},
	{"Missing bearer token", "missing_token", 401},
	{"Token validation failed", "invalid_token", 401},
	{"Token zone validation failed", "invalid_zone", 401},
	{"Session revoked", "session_revoked", 401},
	{"Delegation graph changed", "delegation_stale", 401},
	{"Missing scope: ", "insufficient_scope", 403},
	{"Session required", "session_required", 403},
	{"Delegation required", "delegation_required", 403},
	{"Delegation chain missing application", "chain_mismatch", 403},
	{"Hop count exceeded", "hop_count_exceeded", 403},
}

// describedHints fills in the code and status a known description implies,
// where the paste did not show them.
func describedHints(h *diagnose.Hints) {
	for _, d := range knownDescriptions {
		if !strings.Contains(h.Description, d.text) {
			continue
		}
		if h.Status == 0 && (h.ErrorCode == "" || h.ErrorCode == d.code) {
			h.Status = d.status
		}
		h.ErrorCode = cmp.Or(h.ErrorCode, d.code)
		return
	}
}

// sdkMessage finds the first SDK message ending "(request_id=<id>)": the
// ID and the message before it on its line, from the opening quote when
// the message is a quoted log value.
func sdkMessage(text string) (id, message string, ok bool) {
	m := reSDK.FindStringSubmatchIndex(text)
	if m == nil {
		return "", "", false
	}
	message = lineBefore(text, m[0])
	message = message[strings.LastIndexByte(message, '"')+1:]
	return text[m[2]:m[3]], unquote(message), true
}

// sdkDescription splits an SDK message into an error code (when the line
// names one, e.g. "access_denied: ...") and the description, dropping log
// timestamps and exception-class prefixes such as "AccessDeniedError: ".
func sdkDescription(s string) (code, desc string) {
	s = stripLinePrefix(strings.TrimSpace(s))
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

// stripLinePrefix drops what precedes the message on a log or terminal line.
func stripLinePrefix(s string) string {
	s = unquote(s)
	return strings.TrimSpace(s[len(reLinePrefix.FindString(s)):])
}

// headerID returns the X-Request-Id of the response: a header line of its
// own (curl -i) or behind "< " (curl -v). Other mentions, such as a "> "
// line (what the client sent, which the Gateway replaces when invalid) or
// a curl -H argument, count only when no response header names an ID, and
// only when their whole value is a valid ID.
func headerID(text string) string {
	other := ""
	for _, m := range reHeaderID.FindAllStringSubmatchIndex(text, 16) {
		value := strings.TrimSpace(text[m[2]:m[3]])
		switch strings.Trim(lineBefore(text, m[0]), " \t*") {
		case "", "<":
			if v, _, _ := strings.Cut(value, " "); v != "" {
				return v
			}
		default:
			value, _, _ = strings.Cut(value, ",")
			if value = strings.TrimSpace(value); other == "" && diagnose.ValidateRequestID(value) == nil {
				other = value
			}
		}
	}
	return other
}

// props are what an inspected error's properties say.
type props struct {
	code, requestID, approvalID string
	status                      int
}

// inspectedProps reads the properties of an inspected error (Node's
// util.inspect, Go's %#v): the first of each, placeholders skipped.
func inspectedProps(text string) props {
	var p props
	for _, m := range reProp.FindAllStringSubmatch(text, 64) {
		value := m[2] + m[3]
		switch key := strings.ToLower(m[1]); {
		case m[4] != "":
			if n, _ := strconv.Atoi(m[4]); p.status == 0 && strings.Contains(key, "status") {
				p.status = n
			}
		case nullWords[value] || value == "":
		case strings.Contains(key, "request"):
			p.requestID = cmp.Or(p.requestID, value)
		case strings.Contains(key, "approval") && reApprovalID.MatchString(value):
			p.approvalID = cmp.Or(p.approvalID, value)
		case strings.Contains(key, "code") && reLowerCode.MatchString(value):
			p.code = cmp.Or(p.code, value)
		}
	}
	return p
}

// logKeyID returns the first request ID a log key holds. An unquoted value
// that reads like code (an identifier or attribute without a digit, such
// as request_id=request_id) or a placeholder is no ID.
func logKeyID(text string) string {
	for _, m := range reIDKV.FindAllStringSubmatch(text, 16) {
		quoted, value := m[1] != "", m[2]
		if nullWords[value] || (!quoted && looksLikeCode(value)) {
			continue
		}
		return value
	}
	return ""
}

// looksLikeCode reports an identifier or a dotted attribute path without
// a digit: a variable, not a value.
func looksLikeCode(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '.' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// approvalHold reports an approval hold and, for Go's "approval required:
// <description>", the description.
func approvalHold(text string) (bool, string) {
	if m := reGoHold.FindStringSubmatch(text); m != nil {
		return true, unquote(m[1])
	}
	return reHumanApproval.MatchString(text), ""
}

// findStatus returns the first HTTP status in the text, 0 if none.
func findStatus(text string) int {
	m := reStatus.FindStringSubmatch(text)
	for i := 1; i < len(m); i++ {
		if n, err := strconv.Atoi(m[i]); err == nil {
			return n
		}
	}
	return 0
}

func wwwAuthenticateError(text string) string { return submatch(reWWWAuth, text) }

// configMessage returns the line naming a start-up configuration error.
func configMessage(text string) (string, bool) {
	b := []byte(text) // ASCII-only folding keeps byte offsets aligned with text
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	lower := string(b)
	for _, mk := range configMarkers {
		if i := strings.Index(lower, mk); i >= 0 {
			return lineAt(text, i), true
		}
	}
	return "", false
}

// loneUUID returns the only UUID in the text, unless it belongs to the
// description (a zone ID in a zone_invalid message, say) or to a path
// (/zones/<id>/agents).
func loneUUID(text, desc string) string {
	ms := reUUID.FindAllStringIndex(text, 8)
	if len(ms) == 0 {
		return ""
	}
	first := text[ms[0][0]:ms[0][1]]
	if strings.Contains(desc, first) {
		return ""
	}
	for _, m := range ms {
		inPath := (m[0] > 0 && text[m[0]-1] == '/') || (m[1] < len(text) && text[m[1]] == '/')
		if inPath || !strings.EqualFold(text[m[0]:m[1]], first) {
			return ""
		}
	}
	return first
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
