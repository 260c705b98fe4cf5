package commands

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/chat"
)

// flagSpec declares one --flag of a command: whether it takes a value.
type flagSpec struct {
	name    string
	takes   bool
	usage   string
	example string
}

// args are a command's parsed arguments: flags by name, the remaining
// words in order, and the invocation's text without the flags. Flags may
// appear anywhere, so pasted text can follow or precede them, the same way
// in a terminal and in chat.
type args struct {
	flags map[string]string
	rest  []string
	// text is what the invocation said without its flags, white space and
	// newlines as they were: the whole paste for a command that takes one.
	text string
}

// PlatformCLI is the platform of a command typed on the command line: its
// arguments come whole in Invocation.Args, a flag may take one dash as
// well as two, and the flags meant for the command line are accepted.
const PlatformCLI = "cli"

// token is one word of an invocation and where it lies in the text.
type token struct {
	word       string
	start, end int // byte offsets in the invocation's text
	// code marks a word inside a chat message's inline code or code fence:
	// pasted, so never a flag.
	code bool
}

// tokenize returns an invocation's text and its words: the command line's
// arguments as they came (one word each, even with white space inside,
// joined by spaces), or the chat text split at white space.
func tokenize(inv chat.Invocation) (string, []token) {
	if inv.Args != nil {
		var b strings.Builder
		toks := make([]token, 0, len(inv.Args))
		for i, a := range inv.Args {
			if i > 0 {
				b.WriteByte(' ')
			}
			toks = append(toks, token{word: a, start: b.Len(), end: b.Len() + len(a)})
			b.WriteString(a)
		}
		return b.String(), toks
	}
	text := inv.Text
	code := codeSpans(text)
	var toks []token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += size
		}
		toks = append(toks, token{word: text[i:j], start: i, end: j, code: code(i)})
		i = j
	}
	return text, toks
}

// codeSpans returns whether an offset of a chat message lies in inline
// code (`...`) or a code fence (```...```), or opens one. One pass.
func codeSpans(text string) func(int) bool {
	var bounds []int // offsets where code opens, then closes, alternately
	fence, inline := false, false
	for i := 0; i < len(text); i++ {
		switch {
		case strings.HasPrefix(text[i:], "```") && !inline:
			fence = !fence
			bounds = append(bounds, i)
			i += 2
		case text[i] == '`' && !fence:
			inline = !inline
			bounds = append(bounds, i)
		}
	}
	return func(off int) bool {
		n := sort.SearchInts(bounds, off+1) // bounds at or before off
		return n%2 == 1
	}
}

// parseArgs splits an invocation's words into the declared flags and the
// rest, and its text into the text without the flags. Unknown flags,
// missing values and repeated flags are usage errors, except for a command
// that takes pasted text (pastes): there a word that is not one of its
// flags is text, such as a pasted curl --header or a --- separator line.
// On the command line (commandLine) -name works like --name, -h like
// --help, and an argument with white space inside is never a flag.
func parseArgs(specs []flagSpec, text string, toks []token, commandLine, pastes bool) (args, error) {
	a := args{flags: map[string]string{}}
	byName := map[string]flagSpec{}
	for _, s := range specs {
		byName[s.name] = s
	}
	var b strings.Builder
	kept := 0 // text before this offset is written to b or dropped
	drop := func(from, to int) {
		b.WriteString(text[kept:from])
		kept = to
	}
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if tok.word == "--" && !tok.code {
			drop(tok.start, tok.end)
			for _, t := range toks[i+1:] {
				a.rest = append(a.rest, t.word)
			}
			break
		}
		word, ok := flagWord(tok.word, commandLine)
		if ok && (tok.code || strings.ContainsFunc(tok.word, unicode.IsSpace)) {
			ok = false
		}
		name, value, hasValue := strings.Cut(word, "=")
		spec, known := byName[name]
		switch {
		case !ok, !known && pastes:
			a.rest = append(a.rest, tok.word)
			continue
		case !known:
			return a, usageErrorf("unknown flag %s%s", strings.TrimSuffix(tok.word, word), clip(name, 32))
		}
		if _, dup := a.flags[name]; dup {
			return a, usageErrorf("--%s given twice", name)
		}
		end := tok.end
		switch {
		case !spec.takes && hasValue:
			return a, usageErrorf("--%s takes no value", name)
		case !spec.takes:
			value = "true"
		case !hasValue:
			if i+1 >= len(toks) {
				return a, usageErrorf("--%s needs a value, e.g. --%s %s", name, name, spec.example)
			}
			i++
			value, end = toks[i].word, toks[i].end
		}
		a.flags[name] = value
		drop(tok.start, end)
	}
	b.WriteString(text[kept:])
	a.text = strings.TrimSpace(b.String())
	return a, nil
}

// flagWord returns a flag token without its dashes: two dashes anywhere;
// on the command line one dash too, when a letter follows (so "-" and "-1"
// stay words), with -h meaning --help. ok is false for other words.
func flagWord(tok string, commandLine bool) (word string, ok bool) {
	if w, found := strings.CutPrefix(tok, "--"); found {
		return w, w != ""
	}
	w, found := strings.CutPrefix(tok, "-")
	switch {
	case !found || !commandLine || w == "" || !unicode.IsLetter(rune(w[0])):
		return "", false
	case w == "h":
		return "help", true
	}
	return w, true
}

func (a args) str(name string) string { return a.flags[name] }

func (a args) has(name string) bool { _, ok := a.flags[name]; return ok }

// intIn parses an integer flag within [lo, hi]; absent gives def.
func (a args) intIn(name string, lo, hi, def int) (int, error) {
	v, ok := a.flags[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, usageErrorf("--%s must be a whole number from %d to %d, got %q", name, lo, hi, clip(v, 16))
	}
	return n, nil
}

// duration parses a flag like 24h, 90m or 7d; absent gives def.
func (a args) duration(name string, def, max time.Duration) (time.Duration, error) {
	v, ok := a.flags[name]
	if !ok {
		return def, nil
	}
	var d time.Duration
	var err error
	if days, found := strings.CutSuffix(v, "d"); found {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil || d <= 0 || d > max {
		return 0, usageErrorf("--%s must be a duration like 30m, 24h or 7d (at most %s), got %q", name, max, clip(v, 16))
	}
	return d, nil
}

// clip shortens user input for error messages and neutralises control characters.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
