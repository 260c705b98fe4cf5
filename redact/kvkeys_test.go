package redact

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// kvKeySpec is the regular expression keysBeforeDelimiters stands for: the
// same keys, found in linear time without its 64-way bounded repetition.
var kvKeySpec = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.\-]{0,63})(\\?["']?\s*[=:]\s*)`)

func specKeys(text string) []kvKey {
	var out []kvKey
	for _, k := range kvKeySpec.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, kvKey{start: k[2], end: k[3], valueAt: k[1]})
	}
	return out
}

func TestKeysBeforeDelimiters(t *testing.T) {
	for _, text := range []string{
		`password=hunter2`, `"client_secret": "x"`, `\"token\":\"y\"`, `a=b=c`, `key: :`, `x = 1; y:2`,
		`Authorization: Bearer z`, `9abc=1`, `` + strings.Repeat("k", 70) + `=v`, `url: http://h:80/p?a=b`,
		`'api_key' = 'v'`, `=leading`, `trailing=`, `a-b.c_d:e`, "tab\t=\tv", `"a" : "b", "c":"d"`,
	} {
		assert.Equal(t, specKeys(text), keysBeforeDelimiters(text), "%q", text)
	}
}

// FuzzKeysBeforeDelimiters checks the scanner against the regular
// expression it replaces.
func FuzzKeysBeforeDelimiters(f *testing.F) {
	for _, s := range []string{`password=x`, `"a": "b"`, `\"t\":\"y\"`, `a=b=c`, strings.Repeat("ab", 40) + `:1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := keysBeforeDelimiters(text), specKeys(text); !equalKeys(got, want) {
			t.Fatalf("%q: got %v, want %v", text, got, want)
		}
	})
}

func equalKeys(a, b []kvKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
