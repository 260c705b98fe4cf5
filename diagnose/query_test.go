package diagnose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateRequestID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want string // "" = valid; else a substring of the error
	}{
		{"UUIDv7", "01a028ea-d354-7443-96e4-46e5643d943c", ""},
		{"UUIDv4", "a1cffe3a-6597-401d-aaff-510b7b425905", ""},
		{"one character", "x", ""},
		{"every printable ASCII punctuation", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", ""},
		{"128 characters", strings.Repeat("a", 128), ""},
		{"empty", "", "request ID is empty: expected 1–128 printable ASCII characters"},
		{"129 characters, echo cut to 40", strings.Repeat("a", 129), `request ID "` + strings.Repeat("a", 40) + `…" is 129 bytes long`},
		{"space", "abc def", `request ID "abc def" has a space at position 4`},
		{"tab", "abc\tdef", `has a control character (U+0009) at position 4`},
		{"DEL", "abc\x7f", `has a control character (U+007F) at position 4`},
		{"ANSI escape is escaped", "\x1b[2Jx", `request ID "\x1b[2Jx" has a control character (U+001B) at position 1`},
		{"non-ASCII", "reqé", `has a non-ASCII character 'é' (U+00E9) at position 4`},
		{"invalid UTF-8", "req\xff", `has an invalid UTF-8 byte at position 4`},
		{"bidi override", "a\u202eb", `"a\u202eb" has a non-ASCII character '\u202e' (U+202E) at position 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateRequestID(tt.id)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "expected")
			assert.NotContains(t, err.Error(), "\n")
			assert.Less(t, len(err.Error()), 260, "one-liner")
		})
	}
}

func TestValidateSymptom(t *testing.T) {
	tests := []struct {
		name    string
		symptom string
		wantErr bool
	}{
		{"none", "", false},
		{"no-audit", "no-audit", false},
		{"revoked", "revoked", false},
		{"underscore spelling", "no_audit", true},
		{"capitalised", "Revoked", true},
		{"garbage is echoed escaped", "x\x00y", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSymptom(tt.symptom)
			if !tt.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "expected no-audit")
			assert.NotContains(t, err.Error(), "\x00")
		})
	}
}

func TestQuery_Validate(t *testing.T) {
	tests := []struct {
		name    string
		q       Query
		wantErr string
	}{
		{"request ID", Query{RequestID: "r1"}, ""},
		{"no ID but an error code", Query{Hints: Hints{ErrorCode: "config_missing"}}, ""},
		{"nothing", Query{}, "request ID is empty"},
		{"bad symptom", Query{RequestID: "r1", Hints: Hints{Symptom: "slow"}}, "unknown symptom"},
		{"bad status", Query{RequestID: "r1", Hints: Hints{Status: 42}}, "HTTP status 42"},
		{"bad ID with a code", Query{RequestID: "a b", Hints: Hints{ErrorCode: "access_denied"}}, "has a space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}
