package chat

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStripControl(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"clean text unchanged", "policy denied (x) ✅ é", "policy denied (x) ✅ é"},
		{"newlines kept", "a\nb", "a\nb"},
		{"tab to space, CR dropped", "a\tb\r\n", "a b\n"},
		{"ANSI escape", "\x1b[31mred\x1b[0m", "\ufffd[31mred\ufffd[0m"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil\x07x", "\ufffd]8;;https://evil\ufffdx"},
		{"NUL and DEL", "a\x00b\x7f", "a\ufffdb\ufffd"},
		{"C1 control", "a\u009bb", "a\ufffdb"},
		{"bidi override", "a\u202eb\u2066c", "a\ufffdb\ufffdc"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, StripControl(tt.in))
		})
	}
}

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a b   c", OneLine("  a\nb \r\n c\n"))
}

func TestNeutralizeMentions(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text unchanged", "no mention here", "no mention here"},
		{"@everyone", "hi @everyone", "hi @\u200beveryone"},
		{"@here and @channel", "@here @channel", "@\u200bhere @\u200bchannel"},
		{"user handle", "ask @alice", "ask @\u200balice"},
		{"lone @ unchanged", "a @ b, x@", "a @ b, x@"},
		{"Slack user", "<@U024BE7LH>", "<\u200b@\u200bU024BE7LH>"},
		{"Slack special", "<!channel> <!subteam^S1>", "<\u200b!channel> <\u200b!subteam^S1>"},
		{"Slack channel", "<#C123|general>", "<\u200b#C123|general>"},
		{"Discord role", "<@&123>", "<\u200b@&123>"},
		{"Discord nick", "<@!123>", "<\u200b@!123>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NeutralizeMentions(tt.in))
		})
	}
}

func TestDefang(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"https URL", "see https://evil.example/x", "see https:\u200b//evil.example/x"},
		{"upper-case scheme", "HTTP://evil", "HTTP:\u200b//evil"},
		{"ftp URL", "ftp://evil", "ftp:\u200b//evil"},
		{"www host", "www.evil.example and WWW.x", "www\u200b.evil.example and WWW\u200b.x"},
		{"Caracal resource kept", "resource://pipernet", "resource://pipernet"},
		{"mention too", "@here https://x", "@\u200bhere https:\u200b//x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Defang(tt.in))
		})
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain words unchanged", "policy denied (role scope)", "policy denied (role scope)"},
		{"link syntax", "[click](https://evil)", `\[click\](https:\//evil)`},
		{"image syntax", "![x](y)", `!\[x\](y)`},
		{"autolink and HTML", "<https://evil> <b>x</b>", `\<https:\//evil\> \<b\>x\</b\>`},
		{"emphasis and code", "*a* _b_ `c` ~d~", "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~"},
		{"entity", "&lt;", `\&lt;`},
		{"table pipe and math", "a|b $x$", `a\|b \$x\$`},
		{"heading", "# title", `\# title`},
		{"quote", "> q", `\> q`},
		{"bullet list", "- a\n+ b", "\\- a\n\\+ b"},
		{"ordered list", "1. a\n2) b", "1\\. a\n2\\) b"},
		{"number mid-line unchanged", "step 1. done", "step 1. done"},
		{"setext underline", "x\n===", "x\n\\==="},
		{"indented code dropped", "    code", "code"},
		{"www auto-link", "www.evil.example", `www\.evil.example`},
		{"mention and e-mail", "@everyone bob@evil.example", "@\u200beveryone bob@\u200bevil.example"},
		{"Caracal resource kept", "resource://pipernet", "resource://pipernet"},
		{"backslash", `a\b`, `a\\b`},
		{"controls stripped", "a\x1b[2Jb", "a\ufffd\\[2Jb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, EscapeMarkdown(tt.in))
		})
	}
}

func TestEscapeSlack(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"special mention", "<!channel> hi", "&lt;!channel&gt; hi"},
		{"user mention", "<@U024BE7LH>", "&lt;@\u200bU024BE7LH&gt;"},
		{"link with label", "<https://evil|click>", "&lt;https:\u200b//evil|click&gt;"},
		{"ampersand", "a & b", "a &amp; b"},
		{"bare @here", "@here", "@\u200bhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, EscapeSlack(tt.in))
		})
	}
}

func TestEscapeDiscord(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"masked link", "[click](https://evil)", `\[click\]\(https:` + "\u200b" + `//evil\)`},
		{"everyone", "@everyone", "@\u200beveryone"},
		{"user mention", "<@123>", "<\u200b@\u200b123\\>"},
		{"formatting", "**b** ||spoiler|| `c`", `\*\*b\*\* \|\|spoiler\|\| ` + "\\`c\\`"},
		{"heading and list", "# h\n- l", "\\# h\n\\- l"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, EscapeDiscord(tt.in))
		})
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"docs page", "https://docs.caracal.run/guides/authorize-access/", "https://docs.caracal.run/guides/authorize-access/", true},
		{"http", "http://localhost:3000/x", "http://localhost:3000/x", true},
		{"parentheses encoded", "https://x.example/a)b(c", "https://x.example/a%29b%28c", true},
		{"javascript", "javascript:alert(1)", "", false},
		{"relative", "/guides/x/", "", false},
		{"credentials", "https://user:pw@x.example/", "", false},
		{"control character", "https://x.example/\x00", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := SafeURL(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"ASCII", "abc", 3},
		{"step marks are narrow", "✓✗⚠–•", 5},
		{"severity emoji are wide", "✅❌🔥", 6},
		{"emoji with variation selector", "ℹ️⚠️", 4},
		{"CJK", "日本", 4},
		{"combining accent", "e\u0301", 1},
		{"zero-width space", "a\u200bb", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DisplayWidth(tt.in))
		})
	}
}
