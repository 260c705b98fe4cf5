package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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

// parseArgs splits tokens into the declared flags and the rest. Unknown
// flags, missing values and repeated flags are usage errors.
func parseArgs(specs []flagSpec, tokens []string) (args, error) {
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
		if !strings.HasPrefix(tok, "--") || len(tok) == 2 {
			a.rest = append(a.rest, tok)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(tok, "--"), "=")
		spec, ok := byName[name]
		if !ok {
			return a, usageErrorf("unknown flag --%s", clip(name, 32))
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

// flagHelp renders the flags of a command for its help text.
func flagHelp(specs []flagSpec) string {
	var b strings.Builder
	for _, s := range specs {
		arg := ""
		if s.takes {
			arg = " " + strings.ToUpper(s.name)
		}
		fmt.Fprintf(&b, "  --%s%s\t%s\n", s.name, arg, s.usage)
	}
	return b.String()
}
