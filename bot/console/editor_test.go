package console

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keys runs the editor over typed bytes and returns each line it read,
// then what it echoed.
func keys(t *testing.T, typed string) ([]string, string) {
	t.Helper()
	var out bytes.Buffer
	e := &editor{br: bufio.NewReader(strings.NewReader(typed)), out: &out}
	var lines []string
	for {
		line, long, err := e.edit()
		assert.False(t, long)
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			return lines, out.String()
		}
		lines = append(lines, line)
	}
}

// TestEditorReadsALongPasteWhole: a paste far longer than a terminal's
// 4095-byte line, with newlines, arrives as one line; only Enter sends it.
func TestEditorReadsALongPasteWhole(t *testing.T) {
	body := "{\r  \"error\": \"access_denied\",\r  \"detail\": \"" + strings.Repeat("x", 10_000) + "\"\r\n}"
	lines, echo := keys(t, "/caracal why \x1b[200~"+body+"\x1b[201~ --status 403\r")
	require.Len(t, lines, 1)
	want := "/caracal why {\n  \"error\": \"access_denied\",\n  \"detail\": \"" + strings.Repeat("x", 10_000) + "\"\n} --status 403"
	assert.Equal(t, want, lines[0])
	assert.Equal(t, strings.ReplaceAll(want, "\n", "\r\n")+"\r\n", echo, "echoed as typed, newlines as CR LF")
}

func TestEditorKeys(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		want        []string
	}{
		{"enter sends", "/caracal status\r/caracal help\n", []string{"/caracal status", "/caracal help"}},
		{"backspace", "whyy\x7f 1\x082\r", []string{"why 2"}},
		{"ctrl-u erases the line", "oops\x15status\r", []string{"status"}},
		{"ctrl-w erases a word", "why abc  \x17def\r", []string{"why def"}},
		{"arrows and function keys are ignored", "st\x1b[Da\x1bOPtus\x1b[1;5C\r", []string{"status"}},
		{"controls are dropped", "sta\x01\x02tus\r", []string{"status"}},
		{"wide runes", "why ✅é\x7f\x7f\r", []string{"why "}},
		{"ctrl-d on an empty line ends", "status\r\x04help\r", []string{"status"}},
		{"ctrl-d in a line is ignored", "sta\x04tus\r", []string{"status"}},
		{"ctrl-c ends", "stat\x03", nil},
		{"backspace stops at a pasted newline", "\x1b[200~a\rb\x1b[201~\x7f\x7f\x7f\r", []string{"a\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, _ := keys(t, tc.typed)
			assert.Equal(t, tc.want, lines)
		})
	}
	_, echo := keys(t, "ab✅\x7f\x7f\r")
	assert.Equal(t, "ab✅\b \b\b \b\b \b\r\n", echo, "a wide rune takes two columns off the screen")
}

func TestEditorLongLine(t *testing.T) {
	var out bytes.Buffer
	e := &editor{br: bufio.NewReader(strings.NewReader("\x1b[200~" + strings.Repeat("y", maxLine+10) + "\x1b[201~\r")), out: &out}
	line, long, err := e.edit()
	require.NoError(t, err)
	assert.True(t, long)
	assert.Len(t, line, maxLine)
}
