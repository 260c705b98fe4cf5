package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// sgr matches ANSI colour codes.
var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// recorder is a fake handler that answers "ran <command> <text>", panics on
// "boom" and remembers every invocation.
type recorder struct {
	mu   sync.Mutex
	invs []chat.Invocation
}

func (r *recorder) handle(_ context.Context, inv chat.Invocation) chat.Reply {
	r.mu.Lock()
	r.invs = append(r.invs, inv)
	r.mu.Unlock()
	if inv.Command == "boom" {
		panic("kaboom\nwith a second line")
	}
	return chat.Reply{Summary: strings.TrimSpace("ran " + inv.Command + " " + inv.Text), Severity: chat.SeverityOK}
}

func (r *recorder) commands() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, inv := range r.invs {
		out = append(out, inv.Command)
	}
	return out
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		commands []string // handled, in order
		contains []string // in the output
	}{
		{"answers until exit", "why abc\n\n   \nstatus\nexit\nwhy never\n", []string{"why", "status"},
			[]string{"you> caracal-bot  ✅ ran why abc\n", "caracal-bot  ✅ ran status\n"}},
		{"quit ends", "QUIT\nwhy never\n", nil, nil},
		{"end of input ends", "/caracal why abc", []string{"why"}, []string{"✅ ran why abc"}},
		{"parse error is an ephemeral reply", "!!!\nwhy abc\n", []string{"why"},
			[]string{`caracal-bot  ❌ "!!!" is not a command: usage: /caracal`, "(only visible to you)", "✅ ran why abc"}},
		{"panicking handler is recovered", "boom now\nwhy after\n", []string{"boom", "why"},
			[]string{"❌ internal error: boom failed: kaboom with a second line", "✅ ran why after"}},
		{"garbage input", "\x00\x01\x1b[2J\xff\xfe\n\x1b]8;;https://evil\x07\n" + strings.Repeat("x", 300<<10) + "\nwhy ok\n", []string{"why"},
			[]string{"line too long: type at most 256 KiB", "✅ ran why ok"}},
		{"CRLF line endings", "why abc\r\nstatus\r\n", []string{"why", "status"}, []string{"ran why abc\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			var out bytes.Buffer
			err := Run(context.Background(), strings.NewReader(tt.input), &out, rec.handle, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.commands, rec.commands())
			for _, s := range tt.contains {
				assert.Contains(t, out.String(), s)
			}
			assert.NotContains(t, out.String(), "\x1b", "no raw escapes reach the terminal")
		})
	}
}

func TestRun_Invocation(t *testing.T) {
	rec := &recorder{}
	before := time.Now()
	require.NoError(t, Run(context.Background(), strings.NewReader("@caracal-bot why abc --zone z\n"), io.Discard, rec.handle, Options{User: "alice"}))
	require.Len(t, rec.invs, 1)
	inv := rec.invs[0]
	assert.False(t, inv.TriggeredAt.Before(before))
	inv.TriggeredAt = time.Time{}
	assert.Equal(t, chat.Invocation{Platform: "console", Command: "why", Text: "abc --zone z", UserID: "alice", UserName: "alice", ChannelID: "console"}, inv)
}

func TestRun_Prompt(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), strings.NewReader("\n"), &out, (&recorder{}).handle, Options{Prompt: "caracal> "}))
	assert.Equal(t, "caracal> caracal> \n", out.String())
}

func TestRun_ContextCancelWhileWaiting(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, pr, io.Discard, (&recorder{}).handle, Options{}) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not end after cancel")
	}
}

func TestRun_ContextCancelledByHandler(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	h := func(context.Context, chat.Invocation) chat.Reply {
		calls++
		cancel()
		return chat.Reply{Summary: "bye"}
	}
	var out bytes.Buffer
	err := Run(ctx, strings.NewReader("why a\nwhy b\n"), &out, h, Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls)
	assert.Contains(t, out.String(), "bye")
}

func TestRun_Errors(t *testing.T) {
	assert.EqualError(t, Run(context.Background(), strings.NewReader(""), io.Discard, nil, Options{}), "console: nil handler")
	assert.EqualError(t, RunScript(context.Background(), strings.NewReader(""), io.Discard, nil, Options{}), "console: nil handler")
	assert.EqualError(t, Run(context.Background(), strings.NewReader("why a\n"), failWriter{}, (&recorder{}).handle, Options{}), "disk full")
	assert.EqualError(t, RunScript(context.Background(), strings.NewReader("why a\n"), failWriter{}, (&recorder{}).handle, Options{}), "disk full")
	assert.ErrorContains(t, Run(context.Background(), io.MultiReader(strings.NewReader("why a\n"), errReader{}), io.Discard, (&recorder{}).handle, Options{}), "read input: tty gone")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("tty gone") }

func TestRunScript_Golden(t *testing.T) {
	script := "# demo script\n\n/caracal why 01a028ea-d354-7443-96e4-46e5643d943c\n   # indented comment\n!!!\nboom\nstatus --ready"
	rec := &recorder{}
	var out bytes.Buffer
	require.NoError(t, RunScript(context.Background(), strings.NewReader(script), &out, rec.handle, Options{}))
	assert.Equal(t, []string{"why", "boom", "status"}, rec.commands())
	golden.Check(t, "script.golden", out.Bytes())
}

func TestRunScript_StopsAtExitAndCancel(t *testing.T) {
	rec := &recorder{}
	require.NoError(t, RunScript(context.Background(), strings.NewReader("why a\nexit\nwhy b\n"), io.Discard, rec.handle, Options{}))
	assert.Equal(t, []string{"why"}, rec.commands())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, RunScript(ctx, strings.NewReader("why a\n"), io.Discard, rec.handle, Options{}), context.Canceled)
}

func TestRunScript_ColorEcho(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, RunScript(context.Background(), strings.NewReader("why \x1b[2Ja"), &out, (&recorder{}).handle, Options{Color: true}))
	assert.True(t, strings.HasPrefix(out.String(), "\x1b[1m> why \ufffd[2Ja\x1b[0m\n"), out.String())
}
