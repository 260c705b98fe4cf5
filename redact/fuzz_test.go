package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/redact"
)

// plantedSecret is the configured secret the fuzz targets plant; its
// middle is what must never survive in any encoding.
const (
	plantedSecret = "cfg_Secret-Value_7781&<x>"
	plantedCore   = "Secret-Value_7781"
)

// FuzzText checks, for any text: no panic; valid UTF-8 stays valid;
// nothing reported means nothing changed; scrubbing twice changes nothing;
// and a configured secret planted in the text, in any of the encodings the
// bot emits, never survives, whatever surrounds it.
func FuzzText(f *testing.F) {
	for _, seed := range []string{
		"", "Bearer " + bearerCred, "Authorization: Bearer " + jwtHeader + "." + jwtPayload + "." + jwtSignature,
		"http://u:p@h/x?token=1&key=2", "password=x", `{"client_secret":"y"}`, "-----BEGIN PRIVATE KEY-----",
		slackToken, githubToken, awsKey, caracalAdmin, requestID + " " + manifestSHA, "bearer token.", "\\[redacted\\]",
		`msg="{\"db_password\":\"a b\"}"`, "Basic dXNlcjpwYXNz", `Bearer error="invalid_token"`, "note:api_key=1",
	} {
		f.Add(seed)
	}
	s := redact.New(plantedSecret)
	encodings := []func(string) string{
		func(v string) string { return v },
		chat.EscapeMarkdown, chat.EscapeDiscord, chat.EscapeSlack, url.QueryEscape,
		func(v string) string { b, _ := json.Marshal(v); return string(b) },
		func(v string) string { return base64.StdEncoding.EncodeToString([]byte("user:" + v)) },
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, hits := s.Text(in)
		if len(hits) == 0 && out != in {
			t.Fatalf("changed without a hit: %q -> %q", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("made invalid UTF-8: %q -> %q", in, out)
		}
		if again, hits2 := s.Text(out); again != out || len(hits2) != 0 {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		for i, enc := range encodings {
			planted := s.String(in + " " + enc(plantedSecret) + " " + in)
			if strings.Count(planted, plantedCore) > 2*strings.Count(in, plantedCore) {
				t.Fatalf("encoding %d of the planted secret survived around %q: %q", i, in, planted)
			}
		}
	})
}

// FuzzValue checks, for any JSON document: no panic; the result encodes;
// scrubbing the result again removes nothing more; a token planted as a
// value and as a key next to it survives neither in the result nor in the
// list of paths.
func FuzzValue(f *testing.F) {
	for _, seed := range []string{
		`{"token":"a","nested":{"Set-Cookie":["x","y"],"id":"1"}}`, `["Bearer ` + bearerCred + `"]`,
		`{"` + slackToken + `":{"password":1}}`, `{"private_key":{"kid":"k","d":"s"}}`, `null`, `"x"`, `[[[[]]]]`,
		`{"db_password":12,"denials_bad_bearer":3,"webhook_secret":false}`,
	} {
		f.Add([]byte(seed))
	}
	s := redact.New(plantedSecret)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		out, _ := s.Value(v)
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
		if _, again := s.Value(out); len(again) != 0 {
			t.Fatalf("not idempotent on %s: %+v", data, again)
		}
		planted, reds := s.Value(map[string]any{"doc": v, "note": " " + slackToken + " ", " " + plantedSecret + " ": v})
		raw, _ := json.Marshal(planted)
		doc, _ := json.Marshal(v)
		for _, tail := range []string{"AbCdEfGhIjKlMnOpQrStUvWx", plantedCore} {
			if strings.Count(string(raw), tail) > 2*strings.Count(string(doc), tail) {
				t.Fatalf("planted secret survived next to %s: %s", data, raw)
			}
			for _, red := range reds {
				if strings.Contains(red.Path, tail) && !strings.Contains(string(doc), tail) {
					t.Fatalf("path leaks a secret: %q", red.Path)
				}
			}
		}
	})
}
