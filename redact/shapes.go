package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Redaction kinds, as bundle manifests and notes name them.
const (
	KindConfigured     = "configured_secret"  // a credential the bot was configured with
	KindSecretKey      = "secret_key"         // the value of a key that names a secret
	KindBearer         = "bearer"             // "Bearer <credential>" anywhere in a string
	KindBasic          = "basic"              // "Basic <base64 user:password>"
	KindAuthHeader     = "auth_header"        // "Authorization: <credential>", "X-Api-Key: ..." in text
	KindCookie         = "cookie"             // "Cookie: ..." and "Set-Cookie: ..." header values
	KindInlineSecret   = "inline_secret"      // "db_password=...", "client_secret: ...", `"token":"..."` in text
	KindJWTSignature   = "jwt_signature"      // a JWT: header and payload kept, signature removed
	KindSlackToken     = "slack_token"        // xoxb-, xoxp-, xoxa-, xapp-...
	KindGitHubToken    = "github_token"       // ghp_, gho_, ghu_, ghs_, ghr_, github_pat_
	KindAWSAccessKey   = "aws_access_key"     // AKIA..., ASIA...
	KindDiscordToken   = "discord_token"      // a Discord bot token
	KindProviderKey    = "provider_key"       // AI and payment provider API keys (sk-..., AIza..., sk_live_...)
	KindCaracalSecret  = "caracal_credential" // Caracal admin tokens and client, workload and sink secrets
	KindPrivateKey     = "private_key"        // a PEM private key block
	KindURLCredentials = "url_credentials"    // user:password@ in a URL
	KindURLQuerySecret = "url_query"          // ?code=..., &X-Amz-Signature=... in a URL
	KindUnencodable    = "unencodable"        // a value dropped because it is not JSON
)

// rule finds one kind of secret in free text and says what replaces it.
type rule struct {
	kind string
	// hints are lower-case substrings one of which any match contains: a
	// text with none of them skips the regexp (most strings are evidence).
	hints []string
	// minLen is the length of the shortest match.
	minLen int
	re     *regexp.Regexp
	// replace returns the replacement of one match given its submatches,
	// and false to leave the match alone (a false positive).
	replace func(m []string) (string, bool)
	// scan, when set, replaces re and replace: it finds and removes this
	// kind of secret itself.
	scan func(text string) (string, []Hit)
}

// newRules compiles the shapes, most specific first: PEM blocks, then
// credentials introduced by a word (Authorization:, Bearer, Basic, a
// secret-named key), then tokens recognised by their format, then URL parts.
func newRules() []rule {
	keepPrefix := func(m []string) (string, bool) { return m[1] + Redacted, true }
	return []rule{
		{kind: KindPrivateKey, hints: []string{"private key-----"}, minLen: 27,
			re:      regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`),
			replace: func([]string) (string, bool) { return "[redacted private key]", true }},
		{kind: KindAuthHeader, hints: []string{"authorization", "x-api-key", "x-auth-token", "x-caracal-account", "x-amz-security-token"}, minLen: 8,
			re:      regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|x-api-key|x-auth-token|x-caracal-account|x-amz-security-token)("?\s*[:=]\s*"?)((?:bearer|basic|digest|token)\s+)?([^\s"',;()<>\[\]{}]+)`),
			replace: authHeader},
		{kind: KindCookie, hints: []string{"cookie"}, minLen: 8,
			re:      regexp.MustCompile(`(?i)\b((?:set-)?cookie)(\s*:\s*)([^\r\n"]+)`),
			replace: func(m []string) (string, bool) { return m[1] + m[2] + Redacted, !placeholder(m[3]) }},
		{kind: KindBearer, hints: []string{"bearer"}, minLen: 8,
			re:      regexp.MustCompile(`(?i)\b(bearer\s+)([A-Za-z0-9\-._~+/]+=*)(\\?\[redacted-signature|"|[A-Za-z0-9])?`),
			replace: bearer},
		{kind: KindBasic, hints: []string{"basic"}, minLen: 12,
			re:      regexp.MustCompile(`(?i)\b(basic\s+)([A-Za-z0-9+/]{6,}={0,2})`),
			replace: basic},
		{kind: KindInlineSecret, hints: keyValueHints, minLen: 3, scan: keyValues},
		{kind: KindJWTSignature, hints: []string{"eyj"}, minLen: 21,
			re:      regexp.MustCompile(`\b(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.)([A-Za-z0-9_-]{8,})`),
			replace: func(m []string) (string, bool) { return m[1] + RedactedSignature, true }},
		{kind: KindSlackToken, hints: []string{"xox", "xapp-"}, minLen: 13,
			re: regexp.MustCompile(`\b(xox[a-z]-|xoxe\.xox[a-z]-|xapp-)[A-Za-z0-9-]{8,}`), replace: keepPrefix},
		{kind: KindGitHubToken, hints: []string{"gh", "github_pat_"}, minLen: 24,
			re: regexp.MustCompile(`\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}`), replace: keepPrefix},
		{kind: KindAWSAccessKey, hints: []string{"akia", "asia", "abia", "acca"}, minLen: 20,
			re: regexp.MustCompile(`\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`), replace: keepPrefix},
		{kind: KindCaracalSecret, hints: []string{"cat_", "cs_", "ws_", "nsk_"}, minLen: 40,
			re: regexp.MustCompile(`\b(cat_|cs_|ws_)[A-Za-z0-9_-]{40,}|\b(nsk_)[0-9a-f]{40,}`), replace: caracalPrefix},
		{kind: KindProviderKey, hints: []string{"sk-", "aiza", "_live_", "_test_"}, minLen: 20,
			re: regexp.MustCompile(`\b(sk-(?:ant-|proj-)?|AIza|(?:sk|rk|pk)_(?:live|test)_)[A-Za-z0-9_-]{16,}`), replace: keepPrefix},
		{kind: KindDiscordToken, hints: []string{"."}, minLen: 59,
			re: regexp.MustCompile(`\b()[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}\b`), replace: keepPrefix},
		{kind: KindURLCredentials, hints: []string{"@"}, minLen: 5,
			re: regexp.MustCompile(`\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^/\s@?#"']+)@`),
			replace: func(m []string) (string, bool) {
				return m[1] + Redacted + "@", !placeholder(m[2])
			}},
		{kind: KindURLQuerySecret, hints: []string{"="}, minLen: 5,
			re:      regexp.MustCompile(`(?i)([?&](?:code|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|awsaccesskeyid)=)([^&#\s"']+)`),
			replace: urlQuery},
	}
}

// keyValueHints are the substrings one of which every secret-named key
// contains (see SecretKey).
var keyValueHints = []string{"pass", "pwd", "secret", "token", "key", "auth", "cookie", "assertion", "credential",
	"kek", "sig", "session", "bearer", "x-amz", "x_amz"}

// authHeader replaces the credential of an Authorization-style header.
func authHeader(m []string) (string, bool) {
	switch strings.ToLower(m[4]) {
	case "bearer", "basic", "digest", "token": // the scheme alone: no credential here
		return "", false
	}
	if placeholder(m[4]) {
		return "", false
	}
	return m[1] + m[2] + m[3] + Redacted, true
}

// bearer replaces the credential after "Bearer", keeping a JWT's header
// and payload, and leaving words ("bearer token", "Bearer authentication")
// and auth-params (`Bearer error="invalid_token"`) alone.
func bearer(m []string) (string, bool) {
	cred, after := m[2], m[3]
	if after != "" {
		return "", false // a JWT already without its signature, or an auth-param (error="...")
	}
	core := strings.TrimRight(cred, ".")
	if word(core) || placeholder(core) {
		return "", false
	}
	if jwt := signatureless(core); jwt != "" {
		return m[1] + jwt + cred[len(core):], true
	}
	return m[1] + Redacted + cred[len(core):], true
}

// word reports whether s reads as an English word rather than a
// credential: letters only, at most 15, all lower case or capitalised.
func word(s string) bool {
	if s == "" || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		lower := c >= 'a' && c <= 'z'
		if !lower && !(i == 0 && c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// basic replaces a Basic credential: base64 that decodes to
// "user:password", or a long base64 string with digits or padding.
func basic(m []string) (string, bool) {
	v := m[2]
	if decodesToPair(v) || (len(v) >= 20 && strings.ContainsAny(v, "0123456789+/=")) {
		return m[1] + Redacted, true
	}
	return "", false
}

// decodesToPair reports whether v is base64 of printable "user:password".
func decodesToPair(v string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		b, err := enc.DecodeString(v)
		if err != nil || !utf8.Valid(b) {
			continue
		}
		s := string(b)
		if strings.Contains(s, ":") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
			return true
		}
	}
	return false
}

// uuidShape matches a UUID, the form of Caracal's Session IDs.
var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var (
	// kvValue reads the value right after such a key: double-, single- or
	// escaped-double-quoted, else up to a delimiter; at most 1,000
	// characters, so no text, however hostile, costs more than that per key.
	kvValue = regexp.MustCompile(`^(?:"((?:[^"\\\r\n]|\\.){0,1000})"|'((?:[^'\\\r\n]|\\.){0,1000})'|\\"((?:[^"\\\r\n]|\\[^"]){0,1000})\\"|([^\s"',;&()<>\[\]{}\\]{1,1000}))`)
)

// keyValues replaces the value of key=value, key: value and "key":"value"
// text whose key names a secret (SecretKey). Keys are found in one pass
// and a value is read only after a secret-named key, so a harmless "note:"
// cannot hide the "password=x" after it, and the cost stays linear.
func keyValues(text string) (string, []Hit) {
	sp := newSplice(text)
	last := 0
	for _, k := range keysBeforeDelimiters(text) {
		key, valueAt := text[k.start:k.end], k.valueAt
		if k.start < last || !SecretKey(key) {
			continue
		}
		v := kvValue.FindStringSubmatchIndex(text[valueAt:])
		if v == nil {
			continue
		}
		start, end := -1, -1
		for g := 1; g < len(v)/2; g++ {
			if v[2*g] >= 0 {
				start, end = valueAt+v[2*g], valueAt+v[2*g+1]
				break
			}
		}
		if start < 0 || keepValue(key, text[start:end]) {
			continue
		}
		sp.replace(start, end, Redacted, KindInlineSecret)
		last = end
	}
	return sp.result()
}

// kvKey is a key found before a delimiter: text[start:end] is the key,
// valueAt where its value begins.
type kvKey struct{ start, end, valueAt int }

// maxKeyLen is the longest key looked at: a longer run of key characters
// is read from its last 64.
const maxKeyLen = 64

// keysBeforeDelimiters finds every key=, key:, "key": and \"key\": in a
// text: at each '=' or ':', it reads back over blanks, an optional quote
// and an optional backslash to a run of key characters (letters, digits,
// _ . -, starting with a letter or _, at most 64). Each delimiter is
// visited once and each step back is bounded, so the cost is linear in
// the text (a regular expression with the same bounded repetition cost
// 64 steps a character). Keys do not overlap the previous key's delimiter
// and blanks.
func keysBeforeDelimiters(text string) []kvKey {
	var out []kvKey
	prevEnd := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '=' && text[i] != ':' {
			continue
		}
		j := i
		for j > prevEnd && isBlank(text[j-1]) {
			j--
		}
		if j > prevEnd && (text[j-1] == '"' || text[j-1] == '\'') {
			j--
		}
		if j > prevEnd && text[j-1] == '\\' {
			j--
		}
		end := j
		for j > prevEnd && end-j < maxKeyLen && isKeyChar(text[j-1]) {
			j--
		}
		for j < end && !isKeyStart(text[j]) {
			j++
		}
		valueAt := i + 1
		for valueAt < len(text) && isBlank(text[valueAt]) {
			valueAt++
		}
		if j < end {
			out = append(out, kvKey{start: j, end: end, valueAt: valueAt})
			prevEnd = valueAt
		}
	}
	return out
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isKeyStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isKeyChar(c byte) bool {
	return isKeyStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// keepValue reports a value after a secret-named key that holds no secret:
// empty, absent, a flag, an auth scheme, a placeholder, or a Session ID
// after "session".
func keepValue(key, value string) bool {
	switch strings.ToLower(value) {
	case "", "null", "none", "nil", "undefined", "true", "false", "bearer", "basic", "digest", "token":
		return true
	}
	return placeholder(value) || (normalizeKey(key) == "session" && uuidShape.MatchString(value))
}

// caracalPrefix keeps a Caracal credential's prefix (cat_, cs_, ws_, nsk_).
func caracalPrefix(m []string) (string, bool) { return m[1] + m[2] + Redacted, true }

// urlQuery replaces a signed-URL or OAuth parameter's value.
func urlQuery(m []string) (string, bool) {
	return m[1] + Redacted, !placeholder(m[2])
}

// placeholder reports whether s is already a redaction placeholder, also
// when escaped for markdown.
func placeholder(s string) bool {
	s = strings.ReplaceAll(s, `\`, "")
	return s == Redacted || s == RedactedSignature
}

// signatureless returns a JWT with its signature replaced, or "" when s is
// not a JWT (three dot-separated base64url parts, the header starting {").
func signatureless(s string) string {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "eyJ") || parts[1] == "" || parts[2] == "" {
		return ""
	}
	return parts[0] + "." + parts[1] + "." + RedactedSignature
}

// shapes applies every rule to s and returns the result with each removal,
// in rule order.
func (s *Scrubber) shapes(text string) (string, []Hit) {
	var hits []Hit
	lower := strings.ToLower(text)
	for _, r := range s.rules {
		if len(text) < r.minLen || !containsAny(lower, r.hints) {
			continue
		}
		apply := r.apply
		if r.scan != nil {
			apply = r.scan
		}
		out, found := apply(text)
		if len(found) > 0 {
			hits = append(hits, found...)
			text, lower = out, strings.ToLower(out)
		}
	}
	return text, hits
}

// apply runs one rule over text.
func (r rule) apply(text string) (string, []Hit) {
	sp := newSplice(text)
	for _, loc := range r.re.FindAllStringSubmatchIndex(text, -1) {
		sub := make([]string, len(loc)/2)
		for i := range sub {
			if loc[2*i] >= 0 {
				sub[i] = text[loc[2*i]:loc[2*i+1]]
			}
		}
		out, ok := r.replace(sub)
		if !ok || out == sub[0] {
			continue
		}
		kind := r.kind
		if kind == KindBearer && strings.Contains(out, RedactedSignature) {
			kind = KindJWTSignature
		}
		sp.replace(loc[0], loc[1], out, kind)
	}
	return sp.result()
}

// containsAny reports whether s contains one of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
