package config

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Redacted is what every printed, logged or marshalled form of a set Secret
// shows in place of its value.
const Redacted = "[redacted]"

// Secret is a credential (a bearer token). Its value is only reachable
// through Reveal: String, GoString, every fmt verb, MarshalJSON, MarshalYAML,
// MarshalText and slog's LogValue print Redacted when the secret is set and
// the empty string when it is not, so a Secret, and any struct holding one in
// an exported field, can be printed, logged or marshalled without leaking it.
// Neither form reveals the value's length. Summaries use "set"/"unset" (see
// IsSet).
type Secret string

// Reveal returns the secret's value. Call it only where the value is sent to
// the service it authenticates to (an Authorization header).
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret holds a value.
func (s Secret) IsSet() bool { return s != "" }

// String returns Redacted when the secret is set, else "".
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString returns the quoted redacted form, so %#v of a struct reads
// AdminToken:"[redacted]".
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format implements fmt.Formatter so that every verb (%v %+v %#v %s %q %x
// ...) prints the redacted form, never the value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, s.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(s.String()))
	default:
		_, _ = io.WriteString(f, s.String())
	}
}

// MarshalJSON encodes the redacted form as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText returns the redacted form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML returns the redacted form.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// LogValue implements slog.LogValuer with the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
