package redact

import "strings"

// splice rewrites a text left to right: each replacement, what kind of
// secret it removed, and the line it was on.
type splice struct {
	text    string
	b       strings.Builder
	last    int // end of the previous replacement
	counted int // where the line count stands
	line    int
	hits    []Hit
}

func newSplice(text string) *splice { return &splice{text: text, line: 1} }

// replace puts with in place of text[start:end]; spans come in order and
// do not overlap.
func (s *splice) replace(start, end int, with, kind string) {
	s.line += strings.Count(s.text[s.counted:start], "\n")
	s.counted = start
	s.b.WriteString(s.text[s.last:start])
	s.b.WriteString(with)
	s.last = end
	s.hits = append(s.hits, Hit{Kind: kind, Line: s.line})
}

// result is the rewritten text (the text itself when nothing was
// replaced) and the removals.
func (s *splice) result() (string, []Hit) {
	if len(s.hits) == 0 {
		return s.text, nil
	}
	s.b.WriteString(s.text[s.last:])
	return s.b.String(), s.hits
}
