package caracal

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 8, 22, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", 0, false},
		{"9999999999", 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Monday, 22-Aug-26 12:00:30 GMT", 30 * time.Second, true}, // RFC 850
		{"Sat Aug 22 12:00:05 2026", 5 * time.Second, true},        // asctime
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for range 200 {
		if d := backoff(1, 2*time.Second); d < 50*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("attempt 1: %v", d)
		}
		if d := backoff(3, 2*time.Second); d < 200*time.Millisecond || d > 400*time.Millisecond {
			t.Fatalf("attempt 3: %v", d)
		}
		if d := backoff(60, 300*time.Millisecond); d < 150*time.Millisecond || d > 300*time.Millisecond {
			t.Fatalf("capped: %v", d)
		}
		if d := backoff(0, time.Nanosecond); d < 0 || d > time.Nanosecond {
			t.Fatalf("tiny cap: %v", d)
		}
	}
}

func TestEscapeSegment(t *testing.T) {
	cases := map[string]string{
		"..":       "%2E%2E",
		".":        "%2E",
		"...":      "...",
		"a/b?c#d":  "a%2Fb%3Fc%23d",
		"a:b_c.-d": "a:b_c.-d",
		"ü":        "%C3%BC",
	}
	for in, want := range cases {
		if got := escapeSegment(in); got != want {
			t.Errorf("escapeSegment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanCapsHugeInput(t *testing.T) {
	s := clean(strings.Repeat("é\xffx ", 4<<20), maxReasonRunes)
	if n := len([]rune(s)); n > maxReasonRunes || n < maxReasonRunes-5 || !strings.HasSuffix(s, "x…") {
		t.Fatalf("got %d runes: %q", n, s)
	}
	if s = clean(strings.Repeat("\xff", 10<<20), maxReasonRunes); s != "…" {
		t.Fatalf("got %q", s)
	}
}
