package chat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Usage is the one-line hint shown when a command line cannot be read.
const Usage = "usage: /caracal <command> [arguments], e.g. /caracal why <request-id>; /caracal help lists the commands"

// maxCommandLen bounds the command word; longer words are not commands.
const maxCommandLen = 32

// ParseCommandLine reads one typed line such as "/caracal why abc --zone z",
// "@caracal-bot why abc" or "why abc" into an Invocation with Command "why"
// (lower-cased) and Text "abc --zone z". A leading bot mention ("@name",
// Slack "<@U123>", Discord "<@!123>") and the "/caracal" or "caracal" prefix
// are dropped. Only Command and Text are set; the adapter fills the rest.
func ParseCommandLine(line string) (Invocation, error) {
	s := strings.TrimSpace(line)
	s = dropMention(s)
	for _, prefix := range []string{"/caracal", "caracal"} {
		if w, rest := firstWord(s); strings.EqualFold(w, prefix) {
			s = rest
			break
		}
	}
	word, rest := firstWord(s)
	word = strings.TrimPrefix(word, "/")
	if word == "" {
		return Invocation{}, errors.New("no command given: " + Usage)
	}
	if !isCommandWord(word) {
		return Invocation{}, fmt.Errorf("%s is not a command: %s", quoteShort(word), Usage)
	}
	return Invocation{Command: strings.ToLower(word), Text: rest}, nil
}

// dropMention removes one leading mention of the bot.
func dropMention(s string) string {
	w, rest := firstWord(s)
	switch {
	case strings.HasPrefix(w, "<@") && strings.HasSuffix(w, ">"):
		return rest
	case len(w) > 1 && w[0] == '@':
		return rest
	}
	return s
}

// firstWord splits s at its first run of white space; rest is trimmed.
func firstWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// isCommandWord accepts 1–32 letters, digits, "-", "_" and "?".
func isCommandWord(w string) bool {
	if len(w) > maxCommandLen {
		return false
	}
	for _, c := range w {
		ok := c == '-' || c == '_' || c == '?' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// quoteShort quotes s with control characters escaped, or, past 40
// characters, names it without quoting it: a long first word is a paste
// or a token, and half a token is a leak no scrubber recognises.
func quoteShort(s string) string {
	if len([]rune(s)) > 40 {
		return "the first word"
	}
	return strconv.Quote(s)
}
