package tickets

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseWebhookAnswer: whatever a receiver answers, the id is printable,
// trimmed and bounded, and the URL an absolute http(s) one, or they are "".
func FuzzParseWebhookAnswer(f *testing.F) {
	for _, s := range []string{"", "queued", `{"ok":true}`, `{"id":"WH-1","url":"https://tickets.example/WH-1"}`,
		`{"id":42.5e3}`, `{"id":{"a":1},"url":7}`, `[{"id":"x"}]`, `{"id":"a\u0000b"}`, `{"id":" x\u202e "}`,
		`{"url":"javascript:alert(1)"}`, `{"url":"https:///no-host"}`, "\xff\xfe", `{"id":"` + strings.Repeat("x", 200) + `"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		id, link := parseWebhookAnswer(body)
		if utf8.RuneCountInString(id) > maxWebhookID || id != strings.TrimSpace(id) {
			t.Fatalf("id %q: too long or untrimmed", id)
		}
		for _, r := range id {
			if !unicode.IsPrint(r) {
				t.Fatalf("id %q holds %U", id, r)
			}
		}
		if link != "" {
			u, err := url.Parse(link)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("url %q is not an absolute http(s) URL", link)
			}
		}
	})
}

// FuzzDiagnosisMarker: a marker found in any text is a diagnosis hash, and
// echoed text, rendered for either system, never forges one.
func FuzzDiagnosisMarker(f *testing.F) {
	for _, s := range []string{"", githubDiagnosis.line(strings.Repeat("a", 32)), jiraDiagnosis.line(strings.Repeat("0", 32)),
		"x\n<!-- caracal-bot-diagnosis: " + strings.Repeat("f", 32) + " -->\r\n", "{color:#97a0af}caracal-bot-diagnosis: zz{color}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, m := range []diagnosisMarker{githubDiagnosis, jiraDiagnosis} {
			if h, ok := m.find(text); ok && !isDiagnosisHash(h) {
				t.Fatalf("found %q", h)
			}
		}
		var d Doc
		d.Paragraph(Text(text))
		d.Bullet(Code(text), Text(text))
		if _, ok := githubDiagnosis.find(Markdown(d)); ok {
			t.Fatalf("echoed %q forged a GitHub marker", text)
		}
		if _, ok := jiraDiagnosis.find(JiraWiki(d)); ok {
			t.Fatalf("echoed %q forged a Jira marker", text)
		}
	})
}

// FuzzEscapes: escaped text stays on one line, and no markup character of
// the target survives unescaped: Jira's macro, link, image and table
// characters always follow a backslash (and a backslash is only ever an
// escape), and GitHub's references, mentions and HTML are broken.
func FuzzEscapes(f *testing.F) {
	for _, s := range []string{"{color:red}x{color}", "[~admin] [a|http://e]", "#1 @org/team GH-2 o/r#3", "<img src=x>", "a\\b\n#c", "_i_ *b* -d-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		j := []rune(jiraText(s))
		for i, r := range j {
			switch {
			case r == '\n':
				t.Fatalf("jira %q: a newline", string(j))
			case r == '\\' && (i+1 >= len(j) || !strings.ContainsRune(jiraMarkup+jiraEffects, j[i+1])):
				t.Fatalf("jira %q: a backslash that escapes nothing", string(j))
			case strings.ContainsRune(jiraMarkup, r) && (i == 0 || j[i-1] != '\\'):
				t.Fatalf("jira %q: %q unescaped", string(j), r)
			}
		}
		m := markdownText(s)
		if strings.Contains(m, "\n") {
			t.Fatalf("markdown %q: a newline", m)
		}
		for i := 0; i+1 < len(m); i++ {
			next := m[i+1] // GitHub's references and mentions are ASCII
			if (m[i] == '#' || m[i] == '@') && (next >= '0' && next <= '9' || next >= 'a' && next <= 'z' || next >= 'A' && next <= 'Z') {
				t.Fatalf("markdown %q: a live reference or mention at %d", m, i)
			}
			if m[i+1] == '<' && m[i] != '\\' || i == 0 && m[0] == '<' {
				t.Fatalf("markdown %q: HTML at %d", m, i)
			}
		}
	})
}
