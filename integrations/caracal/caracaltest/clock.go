package caracaltest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// referenceNow is the instant the fixtures describe as "now": the
// generated_at of zone-overview.json, minutes after the newest fixture event.
const referenceNow = "2026-08-22T14:10:00.512Z"

// ReferenceTime is the simulated "now" of the scenario catalog. The world is
// authored relative to it; a simulator whose clock reads another time shifts
// every timestamp of the world by the difference when it builds the world, so
// "the last 24 hours" always holds the scenarios. Use
// WithClock(FixedClock(ReferenceTime())) to get the fixtures' exact timestamps.
func ReferenceTime() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, referenceNow)
	return t
}

// FixedClock returns a clock that always reads t.
func FixedClock(t time.Time) func() time.Time {
	return func() time.Time { return t }
}

// Caracal's three timestamp layouts (API.md §2.5): milliseconds with Z,
// Postgres JSON microseconds with an offset, and RFC 3339 seconds.
const (
	layoutMillis  = "2006-01-02T15:04:05.000Z"
	layoutPGJSON  = "2006-01-02T15:04:05.000000-07:00"
	layoutSeconds = "2006-01-02T15:04:05Z"
)

var stampRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$`)

// ts formats t as a Postgres timestamptz read by the Admin API.
func ts(t time.Time) string { return t.UTC().Format(layoutMillis) }

// shiftStamp moves a timestamp string by d, keeping its layout; other
// strings are returned unchanged.
func shiftStamp(s string, d time.Duration) string {
	if !stampRE.MatchString(s) {
		return s
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	t = t.Add(d)
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		frac = s[i+1 : strings.IndexAny(s[i:], "Z+-")+i]
	}
	switch {
	case strings.HasSuffix(s, "Z") && frac == "":
		return t.UTC().Format(layoutSeconds)
	case strings.HasSuffix(s, "Z"):
		return t.UTC().Format("2006-01-02T15:04:05." + strings.Repeat("0", len(frac)) + "Z")
	default:
		layout := "2006-01-02T15:04:05"
		if frac != "" {
			layout += "." + strings.Repeat("0", len(frac))
		}
		return t.In(t.Location()).Format(layout + "-07:00")
	}
}

// shiftJSON moves every timestamp string value in a JSON document by d,
// keeping each one's layout.
func shiftJSON(raw []byte, d time.Duration) []byte {
	d = d.Truncate(time.Millisecond)
	if d == 0 {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		// Copy up to the next quote at once: a byte loop is slow under -race.
		q := bytes.IndexByte(raw[i:], '"')
		if q < 0 {
			return append(out, raw[i:]...)
		}
		out = append(out, raw[i:i+q]...)
		i += q
		// A candidate is a string starting with four digits and a dash.
		if i+21 < len(raw) && isDigits(raw[i+1:i+5]) && raw[i+5] == '-' && raw[i+11] == 'T' {
			if end := indexQuote(raw[i+1:], 40); end > 0 {
				s := string(raw[i+1 : i+1+end])
				if stampRE.MatchString(s) {
					out = append(out, '"')
					out = append(out, shiftStamp(s, d)...)
					out = append(out, '"')
					i += end + 2
					continue
				}
			}
		}
		out = append(out, raw[i])
		i++
	}
	return out
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// indexQuote finds the closing quote within max bytes, or -1.
func indexQuote(b []byte, max int) int {
	for i := 0; i < len(b) && i < max; i++ {
		switch b[i] {
		case '"':
			return i
		case '\\':
			return -1
		}
	}
	return -1
}

// shiftUnix moves the Audit service's Unix-second sweep times by d.
func shiftUnix(m *caracal.AuditMetrics, d time.Duration) {
	secs := int64(d.Truncate(time.Millisecond) / time.Second)
	if m.TamperLastSweepUnix != 0 {
		m.TamperLastSweepUnix += secs
	}
	if m.TamperLastFullUnix != 0 {
		m.TamperLastFullUnix += secs
	}
}

// uuid7At returns a deterministic UUIDv7 for instant t: the first 48 bits
// are t's Unix milliseconds, the rest derive from salt.
func uuid7At(t time.Time, salt string) string {
	sum := sha256.Sum256([]byte(salt))
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(t.UnixMilli())<<16)
	copy(b[6:], sum[:10])
	b[6] = 0x70 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return formatUUID(b)
}

// uuid4From returns a deterministic UUIDv4-shaped id derived from salt (the
// Gateway's request ids have this form).
func uuid4From(salt string) string {
	sum := sha256.Sum256([]byte("v4:" + salt))
	var b [16]byte
	copy(b[:], sum[:16])
	b[6] = 0x40 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return formatUUID(b)
}

// newRequestID returns a random UUIDv4, like crypto.randomUUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = 0x40 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// hexFrom returns n deterministic hex characters derived from salt.
func hexFrom(salt string, n int) string {
	sum := sha256.Sum256([]byte("hex:" + salt))
	return hex.EncodeToString(sum[:])[:n]
}
