package commands

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
)

// whyFlags are why's own flags, the only ones a paste may hold.
var whyFlags = whyCommand().flags

func parseInvocation(t *testing.T, inv chat.Invocation, pastes bool) (args, error) {
	t.Helper()
	text, toks := tokenize(inv)
	return parseArgs(whyFlags, text, toks, inv.Platform == PlatformCLI, pastes)
}

// TestParseArgs_PasteKeepsItsText: what a pasted command takes reaches it
// whole, newlines included; only the command's own flags are taken out,
// one or two dashes on the command line, two in chat.
func TestParseArgs_PasteKeepsItsText(t *testing.T) {
	const curl = "$ curl --include --header 'X-Caracal-Resource: resource://pipernet' http://localhost:8081/v1/reports/42\nHTTP/1.1 403 Forbidden\nX-Request-Id: 269d1d49"
	tests := []struct {
		name  string
		inv   chat.Invocation
		text  string
		flags map[string]string
	}{
		{"chat: a pasted curl command and a trailing flag", chat.Invocation{Text: curl + "\n--status 403"},
			curl, map[string]string{"status": "403"}},
		{"chat: a --- separator line", chat.Invocation{Text: "401s since 09:40\n---\n```\n< X-Request-Id: d08e\n```"},
			"401s since 09:40\n---\n```\n< X-Request-Id: d08e\n```", map[string]string{}},
		{"chat: a flag before the paste", chat.Invocation{Text: "--zone z1\n  Traceback (most recent call last):\n    raise X\n"},
			"Traceback (most recent call last):\n    raise X", map[string]string{"zone": "z1"}},
		{"chat: flags inside a code fence are pasted text", chat.Invocation{Text: "```\ncaracal-bot why r1 --zone z9\n```\n--zone z1"},
			"```\ncaracal-bot why r1 --zone z9\n```", map[string]string{"zone": "z1"}},
		{"chat: inline code too", chat.Invocation{Text: "`--status 500` r1 --status=403"},
			"`--status 500` r1", map[string]string{"status": "403"}},
		{"chat: one dash is a word", chat.Invocation{Text: "r1 -status 403"}, "r1 -status 403", map[string]string{}},
		{"chat: -- ends the flags, the rest verbatim", chat.Invocation{Text: "--status 403 -- --zone x\n  y"},
			"--zone x\n  y", map[string]string{"status": "403"}},
		{"cli: the paste is one argument", chat.Invocation{Platform: PlatformCLI, Args: []string{curl, "-status", "403"}},
			curl, map[string]string{"status": "403"}},
		{"cli: two dashes too", chat.Invocation{Platform: PlatformCLI, Args: []string{"--status", "403", "r1"}},
			"r1", map[string]string{"status": "403"}},
		{"cli: an argument with white space inside is never a flag", chat.Invocation{Platform: PlatformCLI, Args: []string{"--zone z9\nr1"}},
			"--zone z9\nr1", map[string]string{}},
		{"cli: words of an unquoted curl command", chat.Invocation{Platform: PlatformCLI, Args: []string{"curl", "-v", "--header", "X: y", "--zone", "z1"}},
			"curl -v --header X: y", map[string]string{"zone": "z1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseInvocation(t, tt.inv, true)
			require.NoError(t, err)
			assert.Equal(t, tt.text, a.text)
			assert.Equal(t, tt.flags, a.flags)
		})
	}
}

// TestParseArgs_UnknownFlags: a command without pasted text still refuses
// a flag it does not have; a paste's own flags stay its text.
func TestParseArgs_UnknownFlags(t *testing.T) {
	_, err := parseInvocation(t, chat.Invocation{Text: "r1 --header x"}, false)
	assert.ErrorContains(t, err, "unknown flag --header")
	_, err = parseInvocation(t, chat.Invocation{Text: "r1\n---"}, false)
	assert.ErrorContains(t, err, "unknown flag --")
	a, err := parseInvocation(t, chat.Invocation{Text: "r1 --header x"}, true)
	require.NoError(t, err)
	assert.Equal(t, "r1 --header x", a.text)
	_, err = parseInvocation(t, chat.Invocation{Text: "r1 --status"}, true)
	assert.ErrorContains(t, err, "--status needs a value")
	_, err = parseInvocation(t, chat.Invocation{Text: "r1 --zone a --zone b"}, true)
	assert.ErrorContains(t, err, "--zone given twice")
}
