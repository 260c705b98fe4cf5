package slack

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
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

// fuzzMaxBody is small so that the fuzzer reaches the size limit.
const fuzzMaxBody = 256

// rawSignature is the v0 signature of the timestamp header exactly as sent.
func rawSignature(ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(testSecret))
	_, _ = mac.Write([]byte("v0:" + ts + ":"))
	_, _ = mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// fuzzRequest builds the request; odd-sized bodies have no Content-Length,
// so that both size checks are reached.
func fuzzRequest(ts, sig string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, PathCommands, bytes.NewReader(body))
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", sig)
	if len(body)%2 == 1 {
		r.ContentLength = -1
	}
	return r
}

// inWindow reports whether ts is a Unix time within signedhttp.Window of now.
func inWindow(ts string, now time.Time) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	d := now.Sub(time.Unix(n, 0))
	return err == nil && d <= signedhttp.Window && d >= -signedhttp.Window
}

// FuzzVerifier: only the exact signature of (timestamp, body) in the window
// is accepted, with the body unchanged, first as a first use and again as
// already handled; every refusal is a known error.
func FuzzVerifier(f *testing.F) {
	// slack-go checks the window against the wall clock, so seeds use it too.
	now := strconv.FormatInt(time.Now().Unix(), 10)
	form := []byte("token=x&command=%2Fcaracal&text=why+r1&user_id=U1")
	valid := rawSignature(now, form)
	for _, s := range []struct {
		ts, sig string
		body    []byte
	}{
		{now, valid, form},
		{"+" + now, rawSignature("+"+now, form), form},
		{now, "v0=" + strings.ToUpper(valid[3:]), form},
		{now, "V0=" + valid[3:], form},
		{now, valid, []byte("token=x&command=%2Fcaracal&text=why+r2&user_id=U1")},
		{now, valid[:len(valid)-2], form},
		{now, "v0=" + strings.Repeat("0", 64), form},
		{now, "v1=zz", nil},
		{"1700000000", rawSignature("1700000000", form), form},
		{"99999999999999999999", valid, form},
		{"-9223372036854775808", valid, form},
		{"", "", nil},
		{now, valid, bytes.Repeat([]byte("a"), fuzzMaxBody+1)},
	} {
		f.Add(s.ts, s.sig, s.body, false)
	}
	f.Add("", "", form, true)
	f.Add("", "", []byte{}, true)
	f.Add("", "", bytes.Repeat([]byte("b"), fuzzMaxBody), true)
	f.Add("", "", bytes.Repeat([]byte("c"), fuzzMaxBody+1), true)

	f.Fuzz(func(t *testing.T, ts, sig string, body []byte, sign bool) {
		clock := time.Now()
		if sign {
			ts = strconv.FormatInt(clock.Unix(), 10)
			sig = rawSignature(ts, body)
		}
		v := NewVerifier(testSecret, fuzzMaxBody, func() time.Time { return clock }, nil)
		got, use, err := v.Verify(httptest.NewRecorder(), fuzzRequest(ts, sig, body))
		if err != nil {
			if got != nil {
				t.Fatalf("refused (%v) but returned a body", err)
			}
			if !slices.ContainsFunc(verifyErrors, func(e error) bool { return errors.Is(err, e) }) || signedhttp.Status(err) < 400 {
				t.Fatalf("unexpected refusal %v (status %d)", err, signedhttp.Status(err))
			}
			if sign && len(body) <= fuzzMaxBody {
				t.Fatalf("correctly signed request refused: %v", err)
			}
			if sign && !errors.Is(err, signedhttp.ErrBodyTooLarge) {
				t.Fatalf("oversized signed body: %v, want signedhttp.ErrBodyTooLarge", err)
			}
			return
		}
		// The prefix is case-sensitive, the hex digits are not.
		if !strings.HasPrefix(sig, "v0=") || !strings.EqualFold(sig, rawSignature(ts, body)) {
			t.Fatalf("accepted a wrong signature %q for ts %q, body %q", sig, ts, body)
		}
		if !inWindow(ts, clock) || len(body) > fuzzMaxBody {
			t.Fatalf("accepted ts %q / %d bytes outside the limits", ts, len(body))
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("body changed: sent %q, got %q", body, got)
		}
		if use != signedhttp.First {
			t.Fatalf("a first request taken for one already handled")
		}
		if again, use, err := v.Verify(nil, fuzzRequest(ts, sig, body)); err != nil || use != signedhttp.AlreadyHandled || !bytes.Equal(again, body) {
			t.Fatalf("replay not recognised as already handled: %v, %v", use, err)
		}
	})
}

// verifyErrors are the documented refusals.
var verifyErrors = []error{signedhttp.ErrMissingSignature, signedhttp.ErrBadSignature, signedhttp.ErrStaleTimestamp,
	signedhttp.ErrBodyTooLarge, signedhttp.ErrReplayUnavailable}
