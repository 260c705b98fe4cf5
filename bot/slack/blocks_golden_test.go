package slack

import (
	"bytes"
	"encoding/json"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// goldenMessage and goldenRendering are the JSON shape of the golden files.
type goldenMessage struct {
	Text   string           `json:"text"`
	Blocks []slackapi.Block `json:"blocks"`
}

type goldenRendering struct {
	Root   *goldenMessage  `json:"root,omitempty"`
	Thread []goldenMessage `json:"thread,omitempty"`
	Single *goldenMessage  `json:"single,omitempty"`
	Files  []goldenFileRef `json:"files,omitempty"`
}

type goldenFileRef struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// renderingJSON renders a channel reply as root, thread and files, and an
// ephemeral one as a single message, as indented JSON.
func renderingJSON(t *testing.T, r chat.Reply) []byte {
	t.Helper()
	return renderingJSONAs(t, r, r.Ephemeral)
}

// renderingJSONAs draws the reply as one message when single is set.
func renderingJSONAs(t *testing.T, r chat.Reply, single bool) []byte {
	t.Helper()
	var g goldenRendering
	if single {
		m := RenderSingle(r)
		g.Single = &goldenMessage{m.Text, m.Blocks}
	} else {
		out := Render(r)
		g.Root = &goldenMessage{out.Root.Text, out.Root.Blocks}
		for _, m := range out.Thread {
			g.Thread = append(g.Thread, goldenMessage{m.Text, m.Blocks})
		}
		for _, f := range out.Files {
			g.Files = append(g.Files, goldenFileRef{f.Name, f.ContentType, len(f.Data)})
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(g))
	return buf.Bytes()
}

func TestRender_GoldenSamples(t *testing.T) {
	for _, s := range chattest.Samples() {
		t.Run(s.Name, func(t *testing.T) {
			r := s.Reply
			golden.Check(t, s.Name+".golden", renderingJSON(t, r))
			assertWithinLimits(t, r)
		})
	}
}

// TestRender_GoldenSingle pins the one-message form the response_url
// fallback posts for a channel reply.
func TestRender_GoldenSingle(t *testing.T) {
	golden.Check(t, "deny-single.golden", renderingJSONAs(t, chattest.Deny(), true))
}

// TestRender_GoldenFromCommands renders real replies: diagnoses the router
// made from simulator scenarios, and the status and trace tables.
func TestRender_GoldenFromCommands(t *testing.T) {
	tests := []struct{ name, command, scenario string }{
		{"why-deny-no-grant", "why", "deny-no-grant"},
		{"why-allowed", "why", "allowed"},
		{"why-sts-redis-down", "why", "sts-redis-down"},
		{"status", "status", ""},
		{"status-outage", "status", "sts-redis-down"},
		{"trace", "trace", "deny-no-grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply := commandstest.ScenarioReply(t, "slack", tc.command, tc.scenario)
			golden.Check(t, tc.name+".golden", renderingJSON(t, reply))
			assertWithinLimits(t, reply)
		})
	}
}
