package discord

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// goldenMessage and goldenRendering are the JSON shape of the golden files.
type goldenMessage struct {
	Content    string                       `json:"content,omitempty"`
	Embeds     []*discordgo.MessageEmbed    `json:"embeds,omitempty"`
	Components []discordgo.MessageComponent `json:"components,omitempty"`
	Files      []goldenFileRef              `json:"files,omitempty"`
}

type goldenFileRef struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

type goldenRendering struct {
	Root   *goldenMessage  `json:"root,omitempty"`
	Thread []goldenMessage `json:"thread,omitempty"`
	Single *goldenMessage  `json:"single,omitempty"`
}

func toGolden(m Message) goldenMessage {
	g := goldenMessage{Content: m.Content, Embeds: m.Embeds, Components: m.Components}
	for _, f := range m.Files {
		g.Files = append(g.Files, goldenFileRef{f.Name, f.ContentType, len(f.Data)})
	}
	return g
}

// renderingJSON renders a channel reply as root and thread, and an
// ephemeral one as a single message, as indented JSON.
func renderingJSON(t *testing.T, r chat.Reply) []byte {
	t.Helper()
	var g goldenRendering
	if r.Ephemeral {
		m := toGolden(RenderSingle(r))
		g.Single = &m
	} else {
		out := Render(r, nil)
		root := toGolden(out.Root)
		g.Root = &root
		for _, m := range out.Thread {
			g.Thread = append(g.Thread, toGolden(m))
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
			golden.Check(t, s.Name+".golden", renderingJSON(t, s.Reply))
			assertWithinLimits(t, s.Reply)
			assertDeliverable(t, s.Reply)
		})
	}
}

// TestRender_GoldenFromCommands renders real replies: diagnoses the router
// made from simulator scenarios, and the status and trace tables.
func TestRender_GoldenFromCommands(t *testing.T) {
	tests := []struct{ name, command, scenario string }{
		{"why-deny-no-grant", "why", "deny-no-grant"},
		{"why-allowed", "why", "allowed"},
		{"why-sts-redis-down", "why", "sts-redis-down"},
		{"status", "status", ""},
		{"trace", "trace", "deny-no-grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := commandstest.ScenarioReply(t, "discord", tc.command, tc.scenario)
			golden.Check(t, tc.name+".golden", renderingJSON(t, r))
			assertWithinLimits(t, r)
			assertDeliverable(t, r)
		})
	}
}

// assertDeliverable delivers r through the real Poster to the fake, every
// way it goes out (an ephemeral reply as the one followup it is): the fake
// fails the test on anything Discord would refuse.
func assertDeliverable(t *testing.T, r chat.Reply) {
	t.Helper()
	e := newPosterEnv(t)
	if r.Ephemeral {
		require.NoError(t, e.deliver(t, e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource), r))
	} else {
		deliverEveryWay(t, e, r)
	}
	assert.Empty(t, e.srv.Violations())
}

// assertWithinLimits checks every message of every rendering of r against
// Discord's limits.
func assertWithinLimits(t *testing.T, r chat.Reply) {
	t.Helper()
	out := Render(r, nil)
	msgs := append([]Message{out.Root, RenderSingle(r)}, out.Thread...)
	msgs = append(msgs, renderIntoThread(r)...)
	for _, m := range msgs {
		assertMessageWithinLimits(t, m)
	}
}

func assertMessageWithinLimits(t *testing.T, m Message) {
	t.Helper()
	assert.True(t, m.Content != "" || len(m.Embeds) > 0 || len(m.Files) > 0, "no empty message")
	assert.LessOrEqual(t, utf8.RuneCountInString(m.Content), discordapi.MaxContent)
	total := 0
	for _, e := range m.Embeds {
		total += embedSize(e)
		assert.LessOrEqual(t, utf8.RuneCountInString(e.Description), discordapi.MaxEmbedDescription)
		assert.LessOrEqual(t, len(e.Fields), discordapi.MaxEmbedFields)
		for _, f := range e.Fields {
			assert.NotEmpty(t, f.Name)
			assert.NotEmpty(t, f.Value)
			assert.LessOrEqual(t, utf8.RuneCountInString(f.Name), discordapi.MaxFieldName)
			assert.LessOrEqual(t, utf8.RuneCountInString(f.Value), discordapi.MaxFieldValue)
		}
	}
	assert.LessOrEqual(t, total, discordapi.MaxEmbedTotal)
	assert.LessOrEqual(t, len(m.Components), discordapi.MaxActionRows)
	seen := map[string]bool{}
	for _, row := range m.Components {
		r, ok := row.(discordgo.ActionsRow)
		require.True(t, ok)
		assert.LessOrEqual(t, len(r.Components), discordapi.MaxButtonsPerRow)
		for _, c := range r.Components {
			b := c.(discordgo.Button)
			assert.LessOrEqual(t, len(b.CustomID), discordapi.MaxCustomID)
			assert.False(t, seen[b.CustomID], "duplicate custom_id %q", b.CustomID)
			seen[b.CustomID] = true
		}
	}
	size := 0
	for _, f := range m.Files {
		size += len(f.Data)
	}
	assert.LessOrEqual(t, len(m.Files), discordapi.MaxFiles)
	assert.LessOrEqual(t, size, discordapi.MaxUploadBytes)
}
