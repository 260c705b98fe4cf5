package chat

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCommandLine(t *testing.T) {
	tests := []struct {
		name, line, command, text string
	}{
		{"slash command", "/caracal why abc --zone z", "why", "abc --zone z"},
		{"bare command", "why abc", "why", "abc"},
		{"upper-case command", "/Caracal WHY abc", "why", "abc"},
		{"caracal without slash", "caracal status", "status", ""},
		{"Slack mention", "<@U024BE7LH> why abc", "why", "abc"},
		{"Discord mention", "<@!1234567890> doctor --strict", "doctor", "--strict"},
		{"name mention", "@caracal-bot why abc", "why", "abc"},
		{"mention then prefix", "@caracal-bot /caracal trace abc", "trace", "abc"},
		{"slash before the command", "/why abc", "why", "abc"},
		{"extra white space", "  \t/caracal   why   abc  def \n", "why", "abc  def"},
		{"pasted JSON stays raw", `why {"error":"access_denied", "requestId":"r1"}`, "why", `{"error":"access_denied", "requestId":"r1"}`},
		{"multi-line text", "why line1\nline2", "why", "line1\nline2"},
		{"help", "help", "help", ""},
		{"question mark", "?", "?", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ParseCommandLine(tt.line)
			require.NoError(t, err)
			assert.Equal(t, Invocation{Command: tt.command, Text: tt.text}, inv)
		})
	}
}

func TestParseCommandLine_Errors(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"empty", "", "no command given: usage: /caracal <command>"},
		{"only white space", " \t\n", "no command given"},
		{"only the prefix", "/caracal", "no command given"},
		{"only a mention", "<@U024BE7LH>", "no command given"},
		{"mention and prefix", "@caracal-bot caracal  ", "no command given"},
		{"punctuation", "why?!/x", `"why?!/x" is not a command`},
		{"control characters escaped", "wh\x1by abc", `"wh\x1by" is not a command`},
		{"long word not echoed", strings.Repeat("w", 100), `the first word is not a command`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ParseCommandLine(tt.line)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "/caracal help")
			assert.Equal(t, Invocation{}, inv)
		})
	}
}

func TestNumbered(t *testing.T) {
	items := Numbered(Item{Text: "a"}, Item{Text: "b", Mark: MarkFail})
	assert.Equal(t, []Item{{Mark: "1.", Text: "a"}, {Mark: "2.", Text: "b"}}, items)
	assert.True(t, IsNumber("12."))
	assert.False(t, IsNumber("1"))
	assert.False(t, IsNumber("a."))
	assert.False(t, IsNumber("."))
}

func TestSeverity_Emoji(t *testing.T) {
	tests := map[Severity]string{SeverityOK: "✅", SeverityInfo: "ℹ️", SeverityWarning: "⚠️", SeverityError: "❌", SeverityOutage: "🔥", "bogus": "ℹ️"}
	for sev, want := range tests {
		assert.Equal(t, want, sev.Emoji(), string(sev))
	}
}

func TestFileSize(t *testing.T) {
	assert.Equal(t, "512 B", FileSize(512))
	assert.Equal(t, "12.3 KiB", FileSize(12_634))
	assert.Equal(t, "4.0 MiB", FileSize(4<<20))
}

func TestReplyRequestID(t *testing.T) {
	assert.Equal(t, "", Reply{}.RequestID())
	r := Reply{Fields: []Field{{Label: "Zone", Value: "z"}, {Label: " Request ID ", Value: "req_1\nsecond line"}}}
	assert.Equal(t, "req_1 second line", r.RequestID())
	long := Reply{Fields: []Field{{Label: "Request ID", Value: strings.Repeat("é", 100)}}}
	assert.Len(t, long.RequestID(), 128, "clipped to 128 bytes at a character boundary")
}
