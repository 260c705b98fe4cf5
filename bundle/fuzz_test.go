package bundle_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/bundle"
)

// tokenTail is the secret part of slackToken.
const tokenTail = "AbCdEfGhIjKlMnOpQrStUvWx"

// FuzzRedactText checks, for any text: no panic; nothing reported means
// nothing changed; redacting twice changes nothing; and a token planted
// between spaces never survives, whatever surrounds it.
func FuzzRedactText(f *testing.F) {
	for _, seed := range []string{
		"", "Bearer " + bearerCred, "Authorization: Bearer " + jwtHeader + "." + jwtPayload + "." + jwtSignature,
		"http://u:p@h/x?token=1&key=2", "password=x", `{"client_secret":"y"}`, "-----BEGIN PRIVATE KEY-----",
		slackToken, githubToken, awsKey, requestID + " " + manifestSHA, "bearer token.", "\\[redacted\\]",
	} {
		f.Add(seed)
	}
	r := bundle.NewRedactor()
	f.Fuzz(func(t *testing.T, s string) {
		out, n := r.Text(s)
		if n == 0 && out != s {
			t.Fatalf("changed without a redaction: %q -> %q", s, out)
		}
		if again, n2 := r.Text(out); again != out || n2 != 0 {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		planted, _ := r.Text(s + " " + slackToken + " " + s)
		if strings.Count(planted, tokenTail) > 2*strings.Count(s, tokenTail) {
			t.Fatalf("planted token survived around %q: %q", s, planted)
		}
	})
}

// FuzzRedact checks, for any JSON document: no panic; the result encodes;
// redacting the result again removes nothing more; a token planted as a
// value and as a key next to it survives neither in the result nor in the
// list of paths.
func FuzzRedact(f *testing.F) {
	for _, seed := range []string{
		`{"token":"a","nested":{"Set-Cookie":["x","y"],"id":"1"}}`, `["Bearer ` + bearerCred + `"]`,
		`{"` + slackToken + `":{"password":1}}`, `{"private_key":{"kid":"k","d":"s"}}`, `null`, `"x"`, `[[[[]]]]`,
	} {
		f.Add([]byte(seed))
	}
	r := bundle.NewRedactor()
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		out, _ := r.Value(v)
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
		if _, again := r.Value(out); len(again) != 0 {
			t.Fatalf("not idempotent on %s: %+v", data, again)
		}
		planted, reds := r.Value(map[string]any{"doc": v, "note": " " + slackToken + " ", " " + slackToken + " ": v})
		raw, _ := json.Marshal(planted)
		doc, _ := json.Marshal(v)
		if strings.Count(string(raw), tokenTail) > 2*strings.Count(string(doc), tokenTail) {
			t.Fatalf("planted token survived next to %s: %s", data, raw)
		}
		for _, red := range reds {
			if strings.Contains(red.Path, tokenTail) && !strings.Contains(string(doc), tokenTail) {
				t.Fatalf("path leaks a token: %q", red.Path)
			}
		}
	})
}
