package console

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

func render(t *testing.T, r chat.Reply, opt Options) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, r, opt))
	return buf.String()
}

func TestRender_Golden(t *testing.T) {
	for _, s := range chattest.Samples() {
		t.Run(s.Name, func(t *testing.T) {
			golden.Check(t, s.Name+".golden", []byte(render(t, s.Reply, Options{})))
		})
	}
}

func TestRender_GoldenVariants(t *testing.T) {
	tests := []struct {
		name  string
		reply chat.Reply
		opt   Options
	}{
		{"deny-color", chattest.Deny(), Options{Color: true}},
		{"outage-color", chattest.Outage(), Options{Color: true}},
		{"table-color", chattest.Trace(), Options{Color: true}},
		{"ephemeral-error-color", chattest.EphemeralError(), Options{Color: true}},
		{"deny-narrow", chattest.Deny(), Options{Width: 60}},
		{"table-narrow", chattest.Trace(), Options{Width: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.Check(t, tt.name+".golden", []byte(render(t, tt.reply, tt.opt)))
		})
	}
}

func TestRender_NoANSIWithoutColor(t *testing.T) {
	for _, s := range chattest.Samples() {
		out := render(t, s.Reply, Options{})
		assert.NotContains(t, out, "\x1b", s.Name)
		assert.NotContains(t, out, "\u202e", s.Name)
	}
}

func TestRender_ColorOnlyAddsSGR(t *testing.T) {
	for _, s := range chattest.Samples() {
		colored := render(t, s.Reply, Options{Color: true})
		plain := render(t, s.Reply, Options{})
		stripped := sgr.ReplaceAllString(colored, "")
		assert.Equal(t, plain, stripped, s.Name)
	}
}

func TestRender_Width(t *testing.T) {
	long := chat.Reply{
		Summary: strings.Repeat("word ", 60),
		Fields:  []chat.Field{{Label: "Request ID", Value: strings.Repeat("x", 128)}},
		Sections: []chat.Section{{Title: "T", Text: strings.Repeat("para ", 80),
			Items: []chat.Item{{Mark: chat.MarkFail, Text: strings.Repeat("item ", 50)}}}},
	}
	for _, width := range []int{0, 40, 60, 100, 160} {
		limit := width
		if limit == 0 {
			limit = defaultWidth
		}
		for _, l := range strings.Split(strings.TrimRight(render(t, long, Options{Width: width}), "\n"), "\n") {
			assert.LessOrEqual(t, chat.DisplayWidth(l), limit, "width %d: %q", width, l)
		}
	}
}

func TestRender_WidthBelowMinimum(t *testing.T) {
	out := render(t, chattest.Deny(), Options{Width: 5})
	assert.Equal(t, render(t, chattest.Deny(), Options{Width: minWidth}), out)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRender_WriteError(t *testing.T) {
	assert.EqualError(t, Render(failWriter{}, chattest.Allow(), Options{}), "disk full")
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"fits", "a b c", 10, []string{"a b c"}},
		{"breaks at spaces", "aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"long word cut", strings.Repeat("x", 25), 10, []string{"xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"}},
		{"wide runes", "✅✅✅✅✅✅ ok", 10, []string{"✅✅✅✅✅", "✅ ok"}},
		{"empty", "", 10, []string{""}},
		{"spaces collapse", "a    b", 10, []string{"a b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, wrap(tt.in, tt.width))
		})
	}
}
