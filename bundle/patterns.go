package bundle

import (
	"regexp"
	"strings"
)

// Redaction kinds, as listed in the manifest.
const (
	KindSecretKey      = "secret_key"      // the value of a key that names a secret
	KindBearer         = "bearer"          // "Bearer <credential>" anywhere in a string
	KindAuthHeader     = "auth_header"     // "Authorization: <credential>", "X-Api-Key: ..." in text
	KindInlineSecret   = "inline_secret"   // "password=...", "client_secret: ..." in text
	KindJWTSignature   = "jwt_signature"   // a JWT: header and payload kept, signature removed
	KindSlackToken     = "slack_token"     // xoxb-, xoxp-, xoxa-, xapp-...
	KindGitHubToken    = "github_token"    // ghp_, gho_, ghu_, ghs_, ghr_, github_pat_
	KindAWSAccessKey   = "aws_access_key"  // AKIA..., ASIA...
	KindDiscordToken   = "discord_token"   // a Discord bot token
	KindPrivateKey     = "private_key"     // a PEM private key block
	KindURLCredentials = "url_credentials" // user:password@ in a URL
	KindURLQuerySecret = "url_query"       // ?token=..., &api_key=... in a URL
)

// Placeholders written in place of a removed value.
const (
	Redacted          = "[redacted]"
	RedactedSignature = "[redacted-signature]"
)

// textRule finds one kind of secret in free text and says what replaces it.
type textRule struct {
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
}

// newTextRules compiles the text patterns, most specific first: PEM blocks,
// then credentials introduced by a word (Bearer, Authorization:), then
// tokens recognised by their shape, then URL parts.
func newTextRules() []textRule {
	keepPrefix := func(m []string) (string, bool) { return m[1] + Redacted, true }
	return []textRule{
		{KindPrivateKey, []string{"private key-----"}, 27, regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`),
			func([]string) (string, bool) { return "[redacted private key]", true }},
		{KindAuthHeader, []string{"authorization", "x-api-key", "x-auth-token", "cookie"}, 8, regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|x-api-key|x-auth-token|cookie|set-cookie)("?\s*[:=]\s*"?)((?:bearer|basic|digest|token)\s+)?([^\s"',;()<>\[\]{}]+)`),
			func(m []string) (string, bool) {
				switch strings.ToLower(m[4]) {
				case "bearer", "basic", "digest", "token": // the scheme alone: no credential here
					return "", false
				}
				if placeholder(m[4]) {
					return "", false
				}
				return m[1] + m[2] + m[3] + Redacted, true
			}},
		{KindBearer, []string{"bearer"}, 15, regexp.MustCompile(`(?i)\b(bearer\s+)([A-Za-z0-9\-._~+/]+=*)(\\?\[redacted-signature)?`),
			func(m []string) (string, bool) {
				if m[3] != "" || !credentialLike(m[2]) { // a JWT already without its signature, or a word
					return "", false
				}
				if jwt := signatureless(m[2]); jwt != "" {
					return m[1] + jwt, true
				}
				return m[1] + Redacted, true
			}},
		{KindInlineSecret, []string{"passw", "secret", "api", "_token", "private_key"}, 8, regexp.MustCompile(`(?i)\b(password|passwd|secret|client_secret|api_?key|access_token|refresh_token|id_token|private_key)("?\s*[=:]\s*"?)([^\s"',;&()<>\[\]{}]+)`),
			func(m []string) (string, bool) {
				if placeholder(m[3]) {
					return "", false
				}
				return m[1] + m[2] + Redacted, true
			}},
		{KindJWTSignature, []string{"eyj"}, 21, regexp.MustCompile(`\b(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.)([A-Za-z0-9_-]{8,})`),
			func(m []string) (string, bool) { return m[1] + RedactedSignature, true }},
		{KindSlackToken, []string{"xox", "xapp-"}, 13, regexp.MustCompile(`\b(xox[a-z]-|xapp-)[A-Za-z0-9-]{8,}`), keepPrefix},
		{KindGitHubToken, []string{"gh", "github_pat_"}, 24, regexp.MustCompile(`\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}`), keepPrefix},
		{KindAWSAccessKey, []string{"akia", "asia"}, 20, regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), keepPrefix},
		{KindDiscordToken, []string{"."}, 59, regexp.MustCompile(`\b()[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}\b`), keepPrefix},
		{KindURLCredentials, []string{"@"}, 5, regexp.MustCompile(`\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^/\s@?#"']+)@`),
			func(m []string) (string, bool) {
				if placeholder(m[2]) {
					return "", false
				}
				return m[1] + Redacted + "@", true
			}},
		{KindURLQuerySecret, []string{"="}, 5, regexp.MustCompile(`(?i)([?&](?:access_token|refresh_token|id_token|token|api_?key|key|sig|signature|password|secret|client_secret|code)=)([^&#\s"']+)`),
			func(m []string) (string, bool) {
				if placeholder(m[2]) {
					return "", false
				}
				return m[1] + Redacted, true
			}},
	}
}

// placeholder reports whether s is already a redaction placeholder, also
// when escaped for markdown.
func placeholder(s string) bool {
	s = strings.ReplaceAll(s, `\`, "")
	return s == Redacted || s == RedactedSignature
}

// credentialLike tells a credential after "Bearer" from an English word:
// at least 8 characters with a digit or token punctuation, or 24 or more.
func credentialLike(s string) bool {
	if len(s) >= 24 {
		return true
	}
	return len(s) >= 8 && strings.ContainsAny(s, "0123456789-._~+/=")
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

// textHit is one redaction in a text: its kind and the line it was on.
type textHit struct {
	kind string
	line int
}

// redactText applies every text rule to s and returns the result with each
// redaction, in rule order.
func (r *Redactor) redactText(s string) (string, []textHit) {
	if s == "" {
		return s, nil
	}
	var hits []textHit
	lower := strings.ToLower(s)
	for _, rule := range r.rules {
		if len(s) < rule.minLen || !containsAny(lower, rule.hints) {
			continue
		}
		matches := rule.re.FindAllStringSubmatchIndex(s, -1)
		if matches == nil {
			continue
		}
		var b strings.Builder
		last, changed := 0, false
		line, counted := 1, 0
		for _, loc := range matches {
			sub := make([]string, len(loc)/2)
			for i := range sub {
				if loc[2*i] >= 0 {
					sub[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			out, ok := rule.replace(sub)
			if !ok || out == sub[0] {
				continue
			}
			b.WriteString(s[last:loc[0]])
			b.WriteString(out)
			last, changed = loc[1], true
			kind := rule.kind
			if kind == KindBearer && strings.HasSuffix(out, RedactedSignature) {
				kind = KindJWTSignature
			}
			line += strings.Count(s[counted:loc[0]], "\n")
			counted = loc[0]
			hits = append(hits, textHit{kind: kind, line: line})
		}
		if changed {
			b.WriteString(s[last:])
			s = b.String()
			lower = strings.ToLower(s)
		}
	}
	return s, hits
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
