package diagnose

// A reader of Caracal's Rego data documents (`# caracal:data-document`):
// one linear pass over the text that yields every `"key": "value"` and
// every `"key": ["a", "b"]` entry, at any depth. It replaces regular
// expressions whose bounded repetitions made a large document (10,000
// grants, megabytes) cost several round trips of CPU.

// dataEntry is one quoted key and its value: a string, or a list made only
// of strings (List set, Value empty).
type dataEntry struct {
	Key   string
	Value string
	List  []string
	// IsList tells a list of strings from a string value.
	IsList bool
}

// scanDataDocument calls visit for every entry of content, in order. It
// understands Rego's comments (`#` to the end of the line) and string
// escapes; what it does not understand it skips, so it never fails. Raw
// strings (backticks) are skipped whole.
func scanDataDocument(content string, visit func(dataEntry)) {
	s := docScanner{src: content}
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case '#':
			s.skipComment()
		case '`':
			s.skipRaw()
		case '"':
			key, ok := s.str()
			if !ok {
				return
			}
			if !s.colon() {
				continue
			}
			s.space()
			switch {
			case s.peek('"'):
				if v, ok := s.str(); ok {
					visit(dataEntry{Key: key, Value: v})
				}
			case s.peek('['):
				if list, ok := s.stringList(); ok {
					visit(dataEntry{Key: key, List: list, IsList: true})
				}
			}
		default:
			s.pos++
		}
	}
}

// docScanner is the position in a data document.
type docScanner struct {
	src string
	pos int
}

func (s *docScanner) peek(c byte) bool { return s.pos < len(s.src) && s.src[s.pos] == c }

// space skips blanks, newlines and comments.
func (s *docScanner) space() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		case '#':
			s.skipComment()
		default:
			return
		}
	}
}

func (s *docScanner) skipComment() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
}

func (s *docScanner) skipRaw() {
	s.pos++
	for s.pos < len(s.src) && s.src[s.pos] != '`' {
		s.pos++
	}
	s.pos++
}

// colon consumes a ':' that separates a key from its value (not Rego's
// ':=' assignment), with the blanks before it.
func (s *docScanner) colon() bool {
	start := s.pos
	s.space()
	if s.peek(':') && !(s.pos+1 < len(s.src) && s.src[s.pos+1] == '=') {
		s.pos++
		return true
	}
	s.pos = start
	return false
}

// str reads a double-quoted string at pos, decoding its escapes; a string
// the line ends in is not a string (ok false, pos past the line).
func (s *docScanner) str() (string, bool) {
	s.pos++ // the opening quote
	start := s.pos
	escaped := false
	for ; s.pos < len(s.src); s.pos++ {
		switch s.src[s.pos] {
		case '\\':
			escaped = true
			s.pos++
		case '\n':
			return "", false
		case '"':
			raw := s.src[start:s.pos]
			s.pos++
			if escaped {
				return unescapeRego(raw), true
			}
			return raw, true
		}
	}
	return "", false
}

// stringList reads `[ "a", "b", ]` at pos. A list holding anything but
// strings is not one: pos is left just inside it, so the entries of the
// objects it holds are still read.
func (s *docScanner) stringList() ([]string, bool) {
	s.pos++ // '['
	inside := s.pos
	list := []string{}
	for {
		s.space()
		switch {
		case s.peek(']'):
			s.pos++
			return list, true
		case s.peek('"'):
			v, ok := s.str()
			if !ok {
				return nil, false
			}
			list = append(list, v)
			s.space()
			if s.peek(',') {
				s.pos++
			} else if !s.peek(']') {
				s.pos = inside
				return nil, false
			}
		default:
			s.pos = inside
			return nil, false
		}
	}
}

// unescapeRego decodes the escapes of a Rego (JSON) string that the
// documents use: \" \\ \/ \n \t \r; any other escape keeps its character.
func unescapeRego(raw string) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		default:
			out = append(out, raw[i])
		}
	}
	return string(out)
}
