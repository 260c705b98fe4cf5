// Package redact is the bot's one egress scrubber: every byte the bot
// emits (chat replies, CLI output, logs, bundles, tickets, webhook payloads,
// HTTP responses and request bodies) passes through a Scrubber built once
// in main. It removes:
//
//   - Configured secrets: the exact value of every credential the bot was
//     given (Caracal admin token, metrics bearer, Coordinator token, Slack,
//     Discord, Jira, GitHub, webhook and Redis secrets), also JSON-escaped,
//     markdown-escaped (backslashes, HTML entities, zero-width spaces),
//     URL-encoded and base64-encoded at any alignment (as inside "Basic").
//   - Secrets recognised by shape (see shapes.go): JWT signatures, Bearer
//     and Basic credentials, key=value / key: value / "key":"value" text
//     whose key names a secret whatever its prefix, signed-URL parameters,
//     and the token formats of Slack, GitHub, AWS, Discord, AI providers and
//     Caracal's own credentials (cat_, cs_, ws_, nsk_).
//   - Secret keys: a string or number (alone, or anywhere in an object or
//     array) under a key that names a secret; booleans and nulls, which
//     carry no secret, are kept.
//
// Identifiers stay readable: request, zone and Session IDs and hashes are
// never redacted, and keys named id, *_id or *_ids are never secret keys.
//
// A Scrubber is safe for concurrent use. Its configured secrets can be
// added after it is built (Add), so sinks wrapped before the configuration
// was loaded scrub the configured values from then on.
package redact

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
)

// Placeholders written in place of a removed value.
const (
	Redacted          = "[redacted]"
	RedactedSignature = "[redacted-signature]"
)

// Hit is one secret removed from a text: its kind (a Kind* constant) and
// the line it was on, counted from 1.
type Hit struct {
	Kind string
	Line int
}

// Redaction names one value removed from a document: where it was and
// what kind of secret it looked like. It never carries the value.
type Redaction struct {
	// File is the bundle file ("" for values redacted outside a bundle).
	File string `json:"file,omitempty"`
	// Path locates the value: a JSON path such as
	// $.events[0].metadata_json.token for JSON, "line 12" for text.
	Path string `json:"path"`
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
}

// Scrubber removes secrets. Build it with New; the zero value is not usable.
type Scrubber struct {
	rules []rule
	known atomic.Pointer[knownSet]
}

// New returns a Scrubber that removes secrets by shape and the given
// configured secrets (values shorter than MinKnownLength are ignored:
// they would match ordinary words).
func New(secrets ...string) *Scrubber {
	s := &Scrubber{rules: newRules()}
	s.known.Store(newKnownSet(secrets))
	return s
}

// Add adds configured secrets; from then on every sink built on s removes
// them too.
func (s *Scrubber) Add(secrets ...string) {
	for {
		old := s.known.Load()
		next := newKnownSet(append(append([]string(nil), old.values...), secrets...))
		if s.known.CompareAndSwap(old, next) {
			return
		}
	}
}

// Except returns a Scrubber with the same rules and configured secrets
// minus own: a client's own credential must reach its own service (Slack's
// Web API carries the bot token in the form body).
func (s *Scrubber) Except(own ...string) *Scrubber {
	skip := map[string]bool{}
	for _, o := range own {
		skip[o] = true
	}
	var keep []string
	for _, v := range s.known.Load().values {
		if !skip[v] {
			keep = append(keep, v)
		}
	}
	out := &Scrubber{rules: s.rules}
	out.known.Store(newKnownSet(keep))
	return out
}

// String returns s with every secret removed.
func (s *Scrubber) String(text string) string {
	out, _ := s.Text(text)
	return out
}

// Text returns text with every secret removed, and what was removed, in
// the order the rules found it.
func (s *Scrubber) Text(text string) (string, []Hit) {
	if text == "" {
		return text, nil
	}
	out, hits := s.known.Load().scrub(text)
	out, shapeHits := s.shapes(out)
	return out, append(hits, shapeHits...)
}

// argSeparator joins a command line's arguments for scrubbing: white
// space to every shape, and a character no one types.
const argSeparator = "\f"

// Args returns a command line's arguments with every secret removed, and
// what was removed. They are scrubbed as one text, so that a secret typed
// over several arguments (Authorization: Bearer TOKEN, unquoted) is found,
// then split where they were; arguments a removal spans become one.
func (s *Scrubber) Args(args []string) ([]string, []Hit) {
	out, hits := s.Text(strings.Join(args, argSeparator))
	if len(hits) == 0 {
		return args, nil
	}
	return strings.Split(out, argSeparator), hits
}

// Known returns b with the configured secrets removed (shapes are left
// alone), and how many were removed. It is the last guard on bytes whose
// structure the caller cannot see: request bodies on the wire.
func (s *Scrubber) Known(b []byte) ([]byte, int) {
	ks := s.known.Load()
	if ks.empty() || len(b) == 0 {
		return b, 0
	}
	out, hits := ks.scrub(string(b))
	if len(hits) == 0 {
		return b, 0
	}
	return []byte(out), len(hits)
}

// Value returns v with secrets removed, as the values encoding/json
// decodes into any (map[string]any, []any, string, json.Number, bool,
// nil), and the list of what was removed. A value that cannot be encoded as
// JSON is dropped whole: the result is nil with one KindUnencodable entry.
func (s *Scrubber) Value(v any) (any, []Redaction) {
	tree, reds, err := s.tree(v)
	if err != nil {
		return nil, []Redaction{{Path: "$", Kind: KindUnencodable}}
	}
	return plain(tree), reds
}

// Encode encodes v as indented JSON (two spaces, a final newline, object
// keys in the order v's encoding gives them, <, > and & left readable) with
// every secret removed. It fails only when v cannot be encoded as JSON.
func (s *Scrubber) Encode(v any) ([]byte, []Redaction, error) {
	tree, reds, err := s.tree(v)
	if err != nil {
		return nil, nil, err
	}
	return encodeOrdered(tree), reds, nil
}

// tree encodes v as JSON and returns its scrubbed ordered tree.
func (s *Scrubber) tree(v any) (any, []Redaction, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	t, err := decodeOrdered(raw)
	if err != nil {
		return nil, nil, err
	}
	var reds []Redaction
	t = s.walk(t, "$", false, &reds)
	return t, reds, nil
}

// TextRedactions scrubs text and locates each removal by line, for a
// document's list of redactions.
func (s *Scrubber) TextRedactions(text string) (string, []Redaction) {
	out, hits := s.Text(text)
	reds := make([]Redaction, len(hits))
	for i, h := range hits {
		reds[i] = Redaction{Path: "line " + strconv.Itoa(h.Line), Kind: h.Kind}
	}
	return out, reds
}

// walk scrubs one node of an ordered tree; secret marks a node under a
// secret key, whose every string and number is removed (identifiers
// excepted; booleans and nulls carry no secret).
func (s *Scrubber) walk(v any, path string, secret bool, out *[]Redaction) any {
	switch t := v.(type) {
	case object:
		for i := range t {
			key, hits := s.Text(t[i].key)
			child := ChildPath(path, key)
			for _, h := range hits {
				*out = append(*out, Redaction{Path: child + " (key)", Kind: h.Kind})
			}
			t[i].key = key
			t[i].val = s.walk(t[i].val, child, SecretKey(key) || (secret && !IdentifierKey(key)), out)
		}
		return t
	case []any:
		for i := range t {
			t[i] = s.walk(t[i], path+"["+strconv.Itoa(i)+"]", secret, out)
		}
		return t
	case string:
		if secret && t != "" && !placeholder(t) {
			*out = append(*out, Redaction{Path: path, Kind: KindSecretKey})
			return Redacted
		}
		str, hits := s.Text(t)
		for _, h := range hits {
			*out = append(*out, Redaction{Path: path, Kind: h.Kind})
		}
		return str
	case json.Number:
		if secret {
			*out = append(*out, Redaction{Path: path, Kind: KindSecretKey})
			return Redacted
		}
	}
	return v
}

// ChildPath appends a key to a JSON path: .key for plain names, ["key"]
// otherwise.
func ChildPath(path, key string) string {
	plainName := key != ""
	for i, c := range key {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			plainName = false
			break
		}
	}
	if plainName {
		return path + "." + key
	}
	q, _ := json.Marshal(key)
	return path + "[" + string(q) + "]"
}
