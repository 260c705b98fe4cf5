package redact

import (
	"strings"
	"unicode"
)

// secretNames are keys that name a secret on their own: API.md §2.5's list
// of keys Caracal redacts (password, passwd, secret, token, access_token,
// refresh_token, id_token, api_key, apikey, authorization, cookie,
// set_cookie, client_secret, private_key, session, assertion) and the
// headers and signed-URL parameters that carry credentials.
var secretNames = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "passphrase": true, "secret": true, "token": true,
	"access_token": true, "refresh_token": true, "id_token": true, "api_key": true, "apikey": true,
	"authorization": true, "proxy_authorization": true, "cookie": true, "set_cookie": true,
	"client_secret": true, "private_key": true, "session": true, "assertion": true, "client_assertion": true,
	"x_api_key": true, "bearer": true, "credential": true, "credentials": true, "secret_key": true,
	"signing_key": true, "hmac_key": true, "kek": true, "signature": true, "sig": true,
	"x_amz_signature": true, "x_amz_credential": true, "x_amz_security_token": true,
	"x_goog_signature": true, "x_goog_credential": true, "awsaccesskeyid": true, "x_caracal_account": true,
}

// secretSuffixes make any key that ends with them a secret key, whatever
// its prefix: db_password, webhook_secret, subject_token, AWS_ACCESS_KEY
// (and, for the words glued accepts, DBPASSWORD or refreshtoken).
// Counters are not caught: denials_bad_bearer and denials_signature end in
// words that are secrets only on their own.
var secretSuffixes = []string{
	"_password", "_passwd", "_pwd", "_passphrase", "_secret", "_token", "_api_key", "_apikey",
	"_private_key", "_secret_key", "_signing_key", "_hmac_key", "_access_key", "_cookie",
	"_authorization", "_assertion", "_credential", "_credentials", "_kek",
}

// SecretKey reports whether a key names a secret. Keys are compared
// case-insensitively after turning camelCase, dashes, dots and spaces into
// snake_case ("X-Api-Key", "dbPassword"). Identifier keys (id, *_id,
// *_ids) never name a secret.
func SecretKey(key string) bool {
	k := normalizeKey(key)
	if identifier(k) {
		return false
	}
	if secretNames[k] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(k, s) || strings.HasSuffix(k, s[1:]) && glued(s[1:]) {
			return true
		}
	}
	return false
}

// glued reports whether a secret word also names a secret when glued to its
// prefix without a separator (DBPASSWORD, mysecret, refreshtoken).
func glued(word string) bool {
	switch word {
	case "password", "passwd", "passphrase", "secret", "token", "apikey":
		return true
	}
	return false
}

// IdentifierKey reports whether a key names an identifier: id, *_id,
// *_ids. Such values are kept even inside a secret object: operators need
// session_id, request_id and authority_record_id to follow a request.
func IdentifierKey(key string) bool { return identifier(normalizeKey(key)) }

func identifier(k string) bool {
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
