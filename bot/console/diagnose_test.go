package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// pastedLine is what a user pastes into the channel.
const pastedLine = `{"error":"access_denied","error_description":"policy denied (resource_not_granted)","requestId":"01a028ea-d354-7443-96e4-46e5643d943c"}`

func renderDiagnosis(t *testing.T, message string, r chat.Reply, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, RenderDiagnosis(&buf, "you", message, r, opt))
	return buf.String()
}

func TestRenderDiagnosis_Golden(t *testing.T) {
	tests := []struct {
		name    string
		message string
		reply   chat.Reply
		opt     Options
	}{
		{"diagnosis-deny", pastedLine, chattest.Deny(), Options{}},
		{"diagnosis-deny-color", pastedLine, chattest.Deny(), Options{Color: true}},
		{"diagnosis-deny-narrow", pastedLine, chattest.Deny(), Options{Width: 60}},
		{"diagnosis-ephemeral", "lunch at noon?", chattest.EphemeralError(), Options{}},
		{"diagnosis-hostile", "\x1b[31m<!channel>\x1b[0m\u202e\n\n  ```\n" + pastedLine + "\n```", chattest.Hostile(), Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.Check(t, tt.name+".golden", []byte(renderDiagnosis(t, tt.message, tt.reply, tt.opt)))
		})
	}
}

// TestRenderDiagnosis_InTheMessagesThread: the message first, then every
// line of the answer behind the thread's gutter, within the width.
func TestRenderDiagnosis_InTheMessagesThread(t *testing.T) {
	for _, width := range []int{minWidth + threadGutter, 60, 100} {
		out := renderDiagnosis(t, pastedLine, chattest.Deny(), Options{Width: width})
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		assert.True(t, strings.HasPrefix(lines[0], "you  {"), lines[0])
		i := 0
		for ; !strings.HasPrefix(lines[i], "  └ thread"); i++ {
			assert.True(t, strings.HasPrefix(lines[i], "you  ") || strings.HasPrefix(lines[i], "     "), "the message: %q", lines[i])
		}
		assert.True(t, strings.HasPrefix(lines[i+1], "    │ caracal-bot  ❌ "), "the verdict opens the thread: %q", lines[i+1])
		for _, l := range lines[i+1:] {
			assert.True(t, strings.HasPrefix(l, "    │"), "in the thread: %q", l)
		}
		for _, l := range lines {
			if !strings.Contains(l, "↳ ") { // links are never cut
				assert.LessOrEqual(t, chat.DisplayWidth(l), width, "width %d: %q", width, l)
			}
		}
		assert.Contains(t, out, "[Re-run]")
		assert.Contains(t, out, "    │ Evidence")
		assert.NotContains(t, out, "│ └ thread", "one thread, not one inside another")
	}
	assert.Equal(t, renderDiagnosis(t, pastedLine, chattest.Deny(), Options{Width: minWidth + threadGutter}),
		renderDiagnosis(t, pastedLine, chattest.Deny(), Options{Width: 5}), "never narrower than that")
	colored := renderDiagnosis(t, pastedLine, chattest.Deny(), Options{Color: true})
	assert.Equal(t, renderDiagnosis(t, pastedLine, chattest.Deny(), Options{}), sgr.ReplaceAllString(colored, ""))
}

func TestRun_Diagnose(t *testing.T) {
	rec := &recorder{}
	var out bytes.Buffer
	input := "/diagnose " + pastedLine + "\n/diagnose   \n/caracal diagnose r-1\n"
	require.NoError(t, Run(context.Background(), strings.NewReader(input), &out, rec.handle, Options{User: "alice"}))
	require.Len(t, rec.invs, 2, "an empty /diagnose runs nothing")
	for i, text := range []string{pastedLine, "r-1"} {
		inv := rec.invs[i]
		assert.Equal(t, "why", inv.Command, "Diagnose with Caracal runs why")
		assert.Equal(t, text, inv.Text)
		assert.Equal(t, "alice", inv.UserID)
		assert.Equal(t, "console", inv.ChannelID)
	}
	got := out.String()
	assert.Contains(t, got, "alice> alice  {\"error\":\"access_denied\"")
	assert.Contains(t, got, "  └ thread\n    │ caracal-bot  ✅ ran why {\"error\"")
	assert.Contains(t, got, "usage: /diagnose <pasted line>")
}

// TestRunScript_Diagnose: a script's /diagnose is echoed, then the message
// and its thread.
func TestRunScript_Diagnose(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, RunScript(context.Background(), strings.NewReader("/diagnose r-1 failed\n"), &out, (&recorder{}).handle, Options{}))
	assert.Equal(t, "> /diagnose r-1 failed\nyou  r-1 failed\n  └ thread\n    │ caracal-bot  ✅ ran why r-1 failed\n\n", out.String())
}
