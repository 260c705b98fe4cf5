package bundle

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
)

// Redaction names one value removed from a bundle file: where it was and
// what kind of secret it looked like. It never carries the value.
type Redaction struct {
	// File is the bundle file ("" for values redacted outside a bundle).
	File string `json:"file,omitempty"`
	// Path locates the value: a JSON path such as
	// $.events[0].metadata_json.token for JSON, "line 12" for text.
	Path string `json:"path"`
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
}

// KindUnencodable marks a value Redact dropped because it is not JSON.
const KindUnencodable = "unencodable"

// Redactor removes secrets from JSON values and text. It holds only
// compiled patterns, so one Redactor may be shared by goroutines.
//
// The rule, applied to every string at any depth:
//
//   - Values under a key that names a secret are replaced by "[redacted]".
//     Keys are compared case-insensitively after turning camelCase and
//     dashes into snake_case. A key names a secret when it is one of
//     API.md §2.5's list (password, passwd, secret, token, access_token,
//     refresh_token, id_token, api_key, apikey, authorization, cookie,
//     set_cookie, client_secret, private_key, session, assertion) or a few
//     more (proxy_authorization, x_api_key, bearer, credentials, passphrase,
//     secret_key, signing_key, hmac_key, kek, client_assertion), or ends in
//     _token, _secret, _password, _passwd, _passphrase, _api_key, _apikey,
//     _private_key, _secret_key, _signing_key, _hmac_key, _cookie,
//     _authorization, _assertion, _bearer or _credentials (subject_token,
//     admin_token, x_auth_token).
//   - Identifiers are kept: a key that is "id" or ends in _id or _ids is
//     never a secret key, even inside a secret object. So session_id,
//     agent_session_id, authority_record_id and request_id survive,
//     unlike in Caracal's own read redaction: operators need them to
//     follow a request, and they are not credentials. Numbers, booleans
//     and null under a secret key are kept too (counters such as
//     secret_backend_errors are evidence).
//   - An object or array under a secret key is walked with every string in
//     it redacted, except under identifier keys.
//   - Every other string is searched for secrets by shape: PEM private
//     keys, "Bearer <credential>", "Authorization: <credential>" and
//     "password=<value>" style text, JWTs (header and payload kept, the
//     signature replaced by "[redacted-signature]"), Slack (xox?-, xapp-),
//     GitHub (ghp_, github_pat_...), AWS (AKIA/ASIA) and Discord bot
//     tokens, user:password@ in URLs and token-like URL query parameters.
//     Long hex or base64 strings are not redacted by shape alone, so
//     SHA-256 digests, UUIDs and request IDs stay readable.
//   - Object keys are searched by shape too, since a metadata key can
//     itself be a token.
type Redactor struct {
	rules []textRule
}

// NewRedactor compiles the patterns once.
func NewRedactor() *Redactor { return &Redactor{rules: newTextRules()} }

// Redact returns v with secrets removed, as the values encoding/json
// decodes into any (map[string]any, []any, string, json.Number, bool,
// nil), and the list of what was removed. A value that cannot be encoded as
// JSON is dropped whole: the result is nil with one KindUnencodable entry.
func Redact(v any) (any, []Redaction) { return NewRedactor().Value(v) }

// RedactText returns s with secrets removed and how many were removed.
func RedactText(s string) (string, int) { return NewRedactor().Text(s) }

// Value is Redact with this Redactor's compiled patterns.
func (r *Redactor) Value(v any) (any, []Redaction) {
	tree, reds, err := r.tree(v)
	if err != nil {
		return nil, []Redaction{{Path: "$", Kind: KindUnencodable}}
	}
	return plain(tree), reds
}

// Text is RedactText with this Redactor's compiled patterns.
func (r *Redactor) Text(s string) (string, int) {
	out, reds := r.textRedactions(s)
	return out, len(reds)
}

// tree encodes v as JSON and returns its redacted ordered tree.
func (r *Redactor) tree(v any) (any, []Redaction, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	t, err := decodeOrdered(raw)
	if err != nil {
		return nil, nil, err
	}
	var reds []Redaction
	t = r.walk(t, "$", false, &reds)
	return t, reds, nil
}

// textRedactions redacts text, locating each redaction by line.
func (r *Redactor) textRedactions(s string) (string, []Redaction) {
	out, hits := r.redactText(s)
	reds := make([]Redaction, len(hits))
	for i, h := range hits {
		reds[i] = Redaction{Path: "line " + strconv.Itoa(h.line), Kind: h.kind}
	}
	return out, reds
}

func (r *Redactor) walk(v any, path string, secret bool, out *[]Redaction) any {
	switch t := v.(type) {
	case object:
		for i := range t {
			key, hits := r.redactText(t[i].key)
			child := childPath(path, key)
			for _, h := range hits {
				*out = append(*out, Redaction{Path: child + " (key)", Kind: h.kind})
			}
			t[i].key = key
			t[i].val = r.walk(t[i].val, child, secretKey(key) || (secret && !identifierKey(key)), out)
		}
		return t
	case []any:
		for i := range t {
			t[i] = r.walk(t[i], path+"["+strconv.Itoa(i)+"]", secret, out)
		}
		return t
	case string:
		if secret && t != "" && t != Redacted {
			*out = append(*out, Redaction{Path: path, Kind: KindSecretKey})
			return Redacted
		}
		s, hits := r.redactText(t)
		for _, h := range hits {
			*out = append(*out, Redaction{Path: path, Kind: h.kind})
		}
		return s
	}
	return v
}

// childPath appends a key to a JSON path: .key for plain names, ["key"]
// otherwise.
func childPath(path, key string) string {
	plainName := key != ""
	for i, c := range key {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			plainName = false
			break
		}
	}
	if plainName {
		return path + "." + key
	}
	q, _ := json.Marshal(key)
	return path + "[" + string(q) + "]"
}

// secretKey reports whether a key names a secret (see Redactor).
func secretKey(key string) bool {
	k := normalizeKey(key)
	if identifierKey(k) {
		return false
	}
	switch k {
	case "password", "passwd", "secret", "token", "access_token", "refresh_token", "id_token",
		"api_key", "apikey", "authorization", "cookie", "set_cookie", "client_secret", "private_key", "session",
		"assertion", "proxy_authorization", "x_api_key", "bearer", "credentials", "passphrase", "secret_key",
		"signing_key", "hmac_key", "kek", "client_assertion":
		return true
	}
	for _, s := range []string{"_token", "_secret", "_password", "_passwd", "_passphrase", "_api_key", "_apikey",
		"_private_key", "_secret_key", "_signing_key", "_hmac_key", "_cookie", "_authorization", "_assertion",
		"_bearer", "_credentials"} {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// identifierKey reports whether a key names an identifier: id, *_id, *_ids.
func identifierKey(key string) bool {
	k := normalizeKey(key)
	return k == "id" || k == "ids" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_ids")
}

// normalizeKey lower-cases a key and turns camelCase, dashes, dots and
// spaces into snake_case: "X-Api-Key" and "xApiKey" both become x_api_key,
// "APIKey" becomes api_key.
func normalizeKey(key string) string {
	rs := []rune(key)
	var b strings.Builder
	for i, c := range rs {
		switch {
		case c == '-' || c == ' ' || c == '.':
			b.WriteByte('_')
			continue
		case unicode.IsUpper(c) && i > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
