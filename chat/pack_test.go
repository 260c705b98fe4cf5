package chat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bytePacker counts bytes and cuts at any character boundary.
var bytePacker = Packer{Len: func(s string) int { return len(s) }, Cut: CutBytes}

// charPacker counts characters and cuts after max of them.
var charPacker = Packer{Len: utf8.RuneCountInString, Cut: func(line string, max int) int {
	i := 0
	for n := 0; n < max && i < len(line); n++ {
		_, w := utf8.DecodeRuneInString(line[i:])
		i += w
	}
	return i
}}

func TestPackerLines(t *testing.T) {
	assert.Equal(t, []string{"aa\nbb", "cc"}, bytePacker.Lines([]string{"aa", "bb", "cc"}, 5), "lines are joined up to the limit")
	assert.Equal(t, []string{"abcd", "ef\nx"}, bytePacker.Lines([]string{"abcdef", "x"}, 4), "a line alone too long is cut; its rest packs on")
	assert.Equal(t, []string{"éé\néé"}, charPacker.Lines([]string{"éé", "éé"}, 5), "characters, not bytes, for Discord")
	assert.Equal(t, []string{"éé", "éé"}, bytePacker.Lines([]string{"éé", "éé"}, 5), "bytes for Slack")
	assert.Nil(t, bytePacker.Lines(nil, 10))

	stuck := Packer{Len: func(s string) int { return len(s) }, Cut: func(string, int) int { return 0 }}
	assert.Equal(t, []string{"a", "b", "c"}, stuck.Lines([]string{"abc"}, 1), "a Cut of 0 still makes progress")
}

func TestPackerCodeBlocks(t *testing.T) {
	lines := []string{"ID  NAME", "1   one", "2   two", "3   three"}
	blocks := bytePacker.CodeBlocks(lines, true, 32)
	require.Len(t, blocks, 2)
	for _, b := range blocks {
		assert.LessOrEqual(t, len(b), 32)
		assert.True(t, strings.HasPrefix(b, "```\nID  NAME\n"), "the header heads every block: %q", b)
		assert.True(t, strings.HasSuffix(b, "\n```"))
	}
	assert.Equal(t, []string{"```\nID  NAME\n```"}, bytePacker.CodeBlocks(lines[:1], true, 30), "a header alone")
	assert.Equal(t, []string{"```\n1   one\n```"}, bytePacker.CodeBlocks(lines[1:2], false, 30))
	assert.Nil(t, bytePacker.CodeBlocks(nil, true, 30))
}

func TestCodeCellAndCutBytes(t *testing.T) {
	assert.Equal(t, "a`\u200bb", CodeCell("a`b"), "no backtick run can close the block")
	assert.Equal(t, "a b", CodeCell("a\nb"))
	assert.Equal(t, 1, CutBytes("aé", 2), "never inside a character")
	assert.Equal(t, 3, CutBytes("aé", 9))
	assert.Equal(t, 0, CutBytes("é", 1))
}

// FuzzPackerLines: every chunk is within the limit, and the chunks hold
// the lines' text in order.
func FuzzPackerLines(f *testing.F) {
	f.Add("alpha\nbeta gamma\n\ndelta", 7, false)
	f.Add(strings.Repeat("é", 40), 3, true)
	f.Add("", 1, false)
	f.Fuzz(func(t *testing.T, text string, max int, chars bool) {
		if max < 4 || max > 1000 || !utf8.ValidString(text) {
			return
		}
		p := bytePacker
		if chars {
			p = charPacker
		}
		lines := strings.Split(text, "\n")
		chunks := p.Lines(lines, max)
		for _, c := range chunks {
			if p.Len(c) > max {
				t.Fatalf("chunk %q is %d long, limit %d", c, p.Len(c), max)
			}
		}
		strip := func(s string) string { return strings.ReplaceAll(s, "\n", "") }
		if got, want := strip(strings.Join(chunks, "")), strip(text); got != want {
			t.Fatalf("text changed: %q, want %q", got, want)
		}
	})
}

func TestClipCountsCharacters(t *testing.T) {
	assert.Equal(t, "Re-run", Clip("Re-run", 6), "what fits is kept whole")
	assert.Equal(t, "Re-r…", Clip("Re-run", 5))
	assert.Equal(t, "été…", Clip("étéé long", 4), "characters, not bytes")
}
