package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// MinKnownLength is the shortest configured secret removed by value: a
// shorter one would match ordinary words. Secrets are credentials of
// services that issue far longer ones.
const MinKnownLength = 8

// knownSet is an immutable set of configured secrets compiled into one
// regular expression over every encoded form they can take.
type knownSet struct {
	values []string
	re     *regexp.Regexp // nil when there is no secret
}

func newKnownSet(secrets []string) *knownSet {
	seen := map[string]bool{}
	ks := &knownSet{}
	var alts []string
	for _, v := range secrets {
		if len(v) < MinKnownLength || seen[v] {
			continue
		}
		seen[v] = true
		ks.values = append(ks.values, v)
		alts = append(alts, variants(v)...)
	}
	if len(alts) == 0 {
		return ks
	}
	// Longer patterns first, so a secret that contains another is removed whole.
	sort.SliceStable(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
	ks.re = regexp.MustCompile(strings.Join(alts, "|"))
	return ks
}

// scrub replaces every configured secret in text.
func (ks *knownSet) scrub(text string) (string, []Hit) {
	if ks.re == nil {
		return text, nil
	}
	locs := ks.re.FindAllStringIndex(text, -1)
	if locs == nil {
		return text, nil
	}
	var b strings.Builder
	hits := make([]Hit, 0, len(locs))
	last, line := 0, 1
	for _, loc := range locs {
		line += strings.Count(text[last:loc[0]], "\n")
		b.WriteString(text[last:loc[0]])
		b.WriteString(Redacted)
		hits = append(hits, Hit{Kind: KindConfigured, Line: line})
		line += strings.Count(text[loc[0]:loc[1]], "\n")
		last = loc[1]
	}
	b.WriteString(text[last:])
	return b.String(), hits
}

// variants returns the regular expressions of every form v can take in
// what the bot emits: as is or escaped for markdown, Slack or HTML (loose),
// JSON-escaped, URL-encoded, and inside base64 at any of the three byte
// alignments (the user:password of a Basic header), matched together with
// the rest of the base64 run around it.
func variants(v string) []string {
	alts := []string{loose(v)}
	exact := map[string]bool{v: true}
	addExact := func(s string) {
		if !exact[s] {
			exact[s] = true
			alts = append(alts, regexp.QuoteMeta(s))
		}
	}
	for _, s := range jsonEscapes(v) {
		addExact(s)
	}
	for _, s := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		addExact(s)
		addExact(lowerPercent(s))
	}
	for _, inner := range base64Cores(v) {
		alts = append(alts, `[A-Za-z0-9+/_-]*`+regexp.QuoteMeta(inner)+`[A-Za-z0-9+/_-]*={0,2}`)
	}
	return alts
}

// loose matches v with any backslashes or zero-width spaces before each
// character (markdown escaping, defanged mentions and links) and with &, <
// and > also as HTML entities (Slack escaping).
func loose(v string) string {
	var b strings.Builder
	for _, r := range v {
		b.WriteString(`[\\\x{200B}]*`)
		switch r {
		case '&':
			b.WriteString(`(?:&|&amp;)`)
		case '<':
			b.WriteString(`(?:<|&lt;)`)
		case '>':
			b.WriteString(`(?:>|&gt;)`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// jsonEscapes returns v as the inside of a JSON string, with and without
// HTML escaping.
func jsonEscapes(v string) []string {
	quoted, _ := json.Marshal(v)
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return []string{
		strings.Trim(string(quoted), `"`),
		strings.Trim(strings.TrimSuffix(plain.String(), "\n"), `"`),
	}
}

// lowerPercent lower-cases the hex digits of percent escapes.
func lowerPercent(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// base64Cores returns, for the standard and URL alphabets and for each
// alignment of v inside a longer base64 input, the encoded characters that
// depend on v's bytes alone, when at least MinKnownLength long.
func base64Cores(v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for k := range 3 {
			padded := strings.Repeat("\x00", k) + v
			encoded := enc.EncodeToString([]byte(padded))
			start := 0
			if k > 0 {
				start = 4 // the first group mixes the bytes before v
			}
			end := 4 * (len(padded) / 3) // a last partial group mixes the bytes after v
			if core := encoded[start:max(start, end)]; len(core) >= MinKnownLength && !seen[core] {
				seen[core] = true
				out = append(out, core)
			}
		}
	}
	return out
}
