package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/chat"
)

// MinKnownLength is the shortest configured secret removed by value: a
// shorter one would match ordinary words. Secrets are credentials of
// services that issue far longer ones.
const MinKnownLength = 8

// zwsp is the zero-width space chat escaping puts after "@" and "://".
const zwsp = "\u200b"

// knownSet is an immutable set of configured secrets with every encoded
// form they can take in what the bot emits.
type knownSet struct {
	values []string
	// exact are the literal forms: as is, JSON-escaped, URL-encoded.
	exact []string
	// b64 are the base64 characters that depend on a secret's bytes alone;
	// a match is widened to the whole base64 run around it.
	b64 []string
	// stripped are the secrets as they read once escaping is undone
	// (see unescape), for text with backslashes, entities or zero-width
	// spaces in it.
	stripped []string
}

func newKnownSet(secrets []string) *knownSet {
	ks := &knownSet{}
	seen := map[*[]string]map[string]bool{}
	add := func(list *[]string, s string) {
		if seen[list] == nil {
			seen[list] = map[string]bool{}
		}
		if s != "" && !seen[list][s] {
			seen[list][s] = true
			*list = append(*list, s)
		}
	}
	for _, v := range secrets {
		if len(v) < MinKnownLength || slices.Contains(ks.values, v) {
			continue
		}
		ks.values = append(ks.values, v)
		add(&ks.exact, v)
		for _, s := range jsonEscapes(v) {
			add(&ks.exact, s)
		}
		for _, s := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			add(&ks.exact, s)
			add(&ks.exact, lowerPercent(s))
		}
		for _, s := range base64Cores(v) {
			add(&ks.b64, s)
		}
		if s, _, _ := unescape(v); len(s) >= MinKnownLength/2 {
			add(&ks.stripped, s)
		}
	}
	return ks
}

// empty reports whether the set holds no secret.
func (ks *knownSet) empty() bool { return len(ks.values) == 0 }

// scrub replaces every configured secret in text, in any of its forms.
func (ks *knownSet) scrub(text string) (string, []Hit) {
	if ks.empty() || text == "" {
		return text, nil
	}
	var spans [][2]int
	for _, v := range ks.exact {
		spans = appendAll(spans, text, v, nil)
	}
	for _, v := range ks.b64 {
		spans = appendAll(spans, text, v, widenBase64)
	}
	if strings.ContainsAny(text, `\&`) || strings.Contains(text, zwsp) || strings.ContainsFunc(text, isSlackLookalike) {
		plain, starts, ends := unescape(text)
		for _, v := range ks.stripped {
			for _, sp := range appendAll(nil, plain, v, nil) {
				spans = append(spans, [2]int{starts[sp[0]], ends[sp[1]-1]})
			}
		}
	}
	if len(spans) == 0 {
		return text, nil
	}
	sp := newSplice(text)
	for _, span := range merge(spans) {
		sp.replace(span[0], span[1], Redacted, KindConfigured)
	}
	return sp.result()
}

// appendAll appends the span of every occurrence of v in text, widened by
// widen when given.
func appendAll(spans [][2]int, text, v string, widen func(text string, sp [2]int) [2]int) [][2]int {
	for from := 0; ; {
		i := strings.Index(text[from:], v)
		if i < 0 {
			return spans
		}
		sp := [2]int{from + i, from + i + len(v)}
		if widen != nil {
			sp = widen(text, sp)
		}
		spans = append(spans, sp)
		from = from + i + len(v)
	}
}

// widenBase64 grows a span to the run of base64 characters around it.
func widenBase64(text string, sp [2]int) [2]int {
	for sp[0] > 0 && base64Char(text[sp[0]-1]) {
		sp[0]--
	}
	for sp[1] < len(text) && (base64Char(text[sp[1]]) || text[sp[1]] == '=') {
		sp[1]++
	}
	return sp
}

func base64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans [][2]int) [][2]int {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	out := spans[:1]
	for _, sp := range spans[1:] {
		if last := &out[len(out)-1]; sp[0] <= last[1] {
			last[1] = max(last[1], sp[1])
		} else {
			out = append(out, sp)
		}
	}
	return out
}

// unescape undoes what chat escaping adds: backslashes (markdown), the
// entities &amp; &lt; &gt; and the look-alikes of formatting characters
// (Slack), and zero-width spaces (defanged mentions and links). For each
// byte of the result, starts and ends give the span of text it came from.
func unescape(text string) (plain string, starts, ends []int) {
	var b strings.Builder
	b.Grow(len(text))
	starts, ends = make([]int, 0, len(text)), make([]int, 0, len(text))
	for i := 0; i < len(text); {
		switch {
		case text[i] == '\\':
			i++
			continue
		case strings.HasPrefix(text[i:], zwsp):
			i += len(zwsp)
			continue
		case text[i] == '&':
			if c, n := entity(text[i:]); n > 0 {
				b.WriteByte(c)
				starts, ends = append(starts, i), append(ends, i+n)
				i += n
				continue
			}
		case text[i] >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(text[i:])
			if c, ok := chat.FromSlackLookalike(r); ok {
				b.WriteByte(c)
				starts, ends = append(starts, i), append(ends, i+n)
				i += n
				continue
			}
		}
		b.WriteByte(text[i])
		starts, ends = append(starts, i), append(ends, i+1)
		i++
	}
	return b.String(), starts, ends
}

// isSlackLookalike reports a look-alike Slack escaping writes in place of
// a formatting character (chat.FromSlackLookalike).
func isSlackLookalike(r rune) bool {
	_, ok := chat.FromSlackLookalike(r)
	return ok
}

// entity decodes the HTML entity Slack escaping writes at the start of s.
func entity(s string) (byte, int) {
	for _, e := range []struct {
		name string
		c    byte
	}{{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}} {
		if strings.HasPrefix(s, e.name) {
			return e.c, len(e.name)
		}
	}
	return 0, 0
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
