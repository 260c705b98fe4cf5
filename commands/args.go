package commands

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/caracal-bot/caracal-bot/chat"
)

// flagSpec declares one --flag of a command: whether it takes a value.
type flagSpec struct {
	name    string
	takes   bool
	usage   string
	example string
}

// args are a command's parsed arguments: flags by name and the remaining
// words, in order. Flags may appear anywhere, so pasted text can follow or
// precede them, the same way in a terminal and in chat.
type args struct {
	flags map[string]string
	rest  []string
}

// PlatformCLI is the platform of a command typed on the command line: its
// arguments come whole in Invocation.Args, a flag may take one dash as
// well as two, and the flags meant for the command line are accepted.
const PlatformCLI = "cli"

// tokens are an invocation's words: the command line's arguments as they
// came, or the chat text split at white space.
func tokens(inv chat.Invocation) []string {
	if inv.Args != nil {
		return inv.Args
	}
	return strings.Fields(inv.Text)
}

// parseArgs splits tokens into the declared flags and the rest. Unknown
// flags, missing values and repeated flags are usage errors. On the
// command line (commandLine) -name works like --name, and -h like --help.
func parseArgs(specs []flagSpec, tokens []string, commandLine bool) (args, error) {
	a := args{flags: map[string]string{}}
	byName := map[string]flagSpec{}
	for _, s := range specs {
		byName[s.name] = s
	}
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		if tok == "--" {
			a.rest = append(a.rest, tokens[i+1:]...)
			break
		}
		word, ok := flagWord(tok, commandLine)
		if !ok {
			a.rest = append(a.rest, tok)
			continue
		}
		name, value, hasValue := strings.Cut(word, "=")
		spec, ok := byName[name]
		if !ok {
			return a, usageErrorf("unknown flag %s%s", strings.TrimSuffix(tok, word), clip(name, 32))
		}
		if _, dup := a.flags[name]; dup {
			return a, usageErrorf("--%s given twice", name)
		}
		switch {
		case !spec.takes && hasValue:
			return a, usageErrorf("--%s takes no value", name)
		case !spec.takes:
			value = "true"
		case !hasValue:
			if i+1 >= len(tokens) {
				return a, usageErrorf("--%s needs a value, e.g. --%s %s", name, name, spec.example)
			}
			i++
			value = tokens[i]
		}
		a.flags[name] = value
	}
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
