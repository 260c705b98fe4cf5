package chat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestEscapeSlack_FormattingCharacters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bold", "policy *bold*", "policy ∗bold∗"},
		{"italic", "app _it_ here", "app ˍitˍ here"},
		{"strikethrough", "~strike~", "∼strike∼"},
		{"code", "`code`", "ˋcodeˋ"},
		{"code fence", "```x```", "ˋˋˋxˋˋˋ"},
		{"all at once", "*a* _b_ ~c~ `d`", "∗a∗ ˍbˍ ∼c∼ ˋdˋ"},
		{"snake_case stays", "resource_not_granted", "resource_not_granted"},
		{"request ID stays", "incident-2026-08-22:research-pipeline.batch_1", "incident-2026-08-22:research-pipeline.batch_1"},
		{"underscore at a word's edge", "_private name_", "ˍprivate nameˍ"},
		{"underscore beside punctuation", "a-_b_-c", "a-ˍbˍ-c"},
		{"double underscore", "__init__", "ˍˍinitˍˍ"},
		{"underscore beside non-ASCII", "é_x", "éˍx"},
		{"quote", "> quoted", "&gt; quoted"},
		{"wildcard scope", "read:*", "read:∗"},
		{"with a mention", "*@here*", "∗@\u200bhere∗"},
		{"with a link", "_https://evil_", "ˍhttps:\u200b//evilˍ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, EscapeSlack(tt.in))
		})
	}
}

func TestFromSlackLookalike(t *testing.T) {
	for _, c := range []byte(slackMarkup) {
		escaped := EscapeSlack(" " + string(c) + " ")
		r, _ := utf8.DecodeRuneInString(escaped[1:])
		got, ok := FromSlackLookalike(r)
		assert.True(t, ok, "%q", c)
		assert.Equal(t, c, got)
	}
	_, ok := FromSlackLookalike('*')
	assert.False(t, ok)
}

// FuzzEscapeSlack holds EscapeSlack to what Slack needs: no entity-free
// "<" or ">", no formatting character but an underscore inside an ASCII
// word, and the text's characters otherwise kept in order.
func FuzzEscapeSlack(f *testing.F) {
	for _, seed := range []string{"", "*bold*", "_it_", "~s~", "`c`", "snake_case", "a__b", "<@U1> _x_", "&amp;_", "é_x", "\xff_"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := EscapeSlack(in)
		if strings.ContainsAny(out, "*~`<>") {
			t.Fatalf("formatting survived: %q -> %q", in, out)
		}
		for i := 0; i < len(out); i++ {
			if out[i] == '_' && (i == 0 || i+1 == len(out) || !isASCIIAlnum(out[i-1]) || !isASCIIAlnum(out[i+1])) {
				t.Fatalf("an underscore at a word's edge survived: %q -> %q", in, out)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q -> %q", in, out)
		}
	})
}
