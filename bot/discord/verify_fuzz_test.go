package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

// fuzzClock is the Verifier's clock (Discord's check reads no other) and
// fuzzLimit its body cap, small so that the fuzzer reaches it.
var (
	fuzzClock = time.Unix(1_700_000_000, 0)
	fuzzLimit = int64(256)
)

// verifyFailures are the documented refusals.
var verifyFailures = []error{signedhttp.ErrMissingSignature, signedhttp.ErrBadSignature, signedhttp.ErrStaleTimestamp,
	signedhttp.ErrBodyTooLarge, signedhttp.ErrReplayUnavailable}

// interaction builds the request; odd-sized bodies have no Content-Length,
// so that both size checks are reached.
func interaction(ts, sig string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, PathInteractions, bytes.NewReader(body))
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", sig)
	if len(body)%2 == 1 {
		r.ContentLength = -1
	}
	return r
}

// genuine reports whether sig is testKey's signature of ts+body, ts a Unix
// time in the window and body within the cap: what Verify may accept.
func genuine(ts, sig string, body []byte) bool {
	raw, err := hex.DecodeString(sig)
	if err != nil || int64(len(body)) > fuzzLimit {
		return false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	age := fuzzClock.Sub(time.Unix(n, 0)).Abs()
	return err == nil && n >= 0 && age <= signedhttp.Window &&
		ed25519.Verify(testKey.Public().(ed25519.PublicKey), append([]byte(ts), body...), raw)
}

// FuzzVerifier: only testKey's signature of timestamp+body, in the window,
// is accepted, with the body unchanged, first as a first use and again as
// already handled; every refusal is documented.
func FuzzVerifier(f *testing.F) {
	now := strconv.FormatInt(fuzzClock.Unix(), 10)
	ping := []byte(`{"type":1}`)
	sig := signature(now, string(ping))
	f.Add(now, sig, ping, false)
	f.Add(now, strings.ToUpper(sig), ping, false)
	f.Add("+"+now, signature("+"+now, string(ping)), ping, false)
	f.Add(now, sig, []byte(`{"type": 1}`), false)
	f.Add(now+"0", sig, ping, false)
	f.Add(now, sig[:126]+"00", ping, false)
	f.Add(now, sig[:126], ping, false)
	f.Add(now, strings.Repeat("0", 128), ping, false)
	f.Add(now, "zz", ping, false)
	f.Add("1699999000", signature("1699999000", string(ping)), ping, false)
	f.Add("-1", sig, ping, false)
	f.Add("1099511627777", sig, ping, false)
	f.Add("", "", []byte(nil), false)
	f.Add("", "", ping, true)
	f.Add("", "", []byte(`{"type":2,"data":{"name":"caracal","options":[{"name":"why","value":"r1"}]}}`), true)
	f.Add("", "", bytes.Repeat([]byte("x"), int(fuzzLimit)+1), true)

	f.Fuzz(func(t *testing.T, ts, sig string, body []byte, sign bool) {
		if sign {
			ts = strconv.FormatInt(fuzzClock.Unix(), 10)
			sig = signature(ts, string(body))
		}
		v := NewVerifier(testPublicKey(), fuzzLimit, func() time.Time { return fuzzClock }, nil)
		got, use, err := v.Verify(httptest.NewRecorder(), interaction(ts, sig, body))
		switch {
		case err == nil && !genuine(ts, sig, body):
			t.Fatalf("accepted ts %q, signature %q, body %q", ts, sig, body)
		case err == nil && !bytes.Equal(got, body):
			t.Fatalf("body changed: sent %q, got %q", body, got)
		case err == nil && use != signedhttp.First:
			t.Fatalf("a first request taken for one already handled")
		case err == nil:
			if again, use, err := v.Verify(nil, interaction(ts, sig, body)); err != nil || use != signedhttp.AlreadyHandled || !bytes.Equal(again, body) {
				t.Fatalf("replay not recognised as already handled: %v, %v", use, err)
			}
		case got != nil:
			t.Fatalf("refused (%v) but returned a body", err)
		case signedhttp.Status(err) < 400 || !slices.ContainsFunc(verifyFailures, func(e error) bool { return errors.Is(err, e) }):
			t.Fatalf("undocumented refusal %v", err)
		case sign && !errors.Is(err, signedhttp.ErrBodyTooLarge):
			t.Fatalf("correctly signed request refused: %v", err)
		case sign && int64(len(body)) <= fuzzLimit:
			t.Fatalf("%d bytes refused as too large", len(body))
		}
	})
}
