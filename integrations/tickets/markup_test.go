package tickets_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// planted is a Caracal name that tries every markup of both targets: Jira
// macros, mentions and links, GitHub references, mentions and HTML,
// emphasis, code and a backslash.
const planted = "{color:red}x{color} [~admin] [click|http://evil] #123 @org/team <img src=x> GH-7 acme/ops#9 a\\b *b* _i_ `c`"

// plantedDoc echoes planted in a heading, a code span and a numbered item,
// next to the bot's own formatting: labels, a docs link, a rule, and a
// link that is not http(s).
func plantedDoc() tickets.Doc {
	var d tickets.Doc
	d.Heading(2, tickets.Text("Verdict: "), tickets.Text(planted))
	d.Bullet(tickets.Strong("Application:"), tickets.Text(" "), tickets.Code(planted))
	d.Bullet(tickets.Strong("Zone:"), tickets.Text(" "), tickets.Code("zone-a"))
	d.Numbered(1, tickets.Text(planted), tickets.Text(" ("), tickets.Link("docs", "https://docs.caracal.run/x"), tickets.Text(")"))
	d.Rule()
	d.Paragraph(tickets.Link("evil", "javascript:alert(1)"), tickets.Text("\nline two"))
	return d
}

func TestMarkdownNeutralisesEchoedText(t *testing.T) {
	text := `{color:red}x{color} \[\~admin\] \[click\|http:\//evil\] #` + "\u200b" + `123 @` + "\u200b" + `org/team \<img src=x\> GH-` +
		"\u200b" + `7 acme/ops#` + "\u200b" + `9 a\\b \*b\* \_i\_ \` + "`c\\`"
	want := strings.Join([]string{
		"## Verdict: " + text,
		"",
		"- **Application:** `{color:red}x{color} [~admin] [click|http://evil] #123 @org/team <img src=x> GH-7 acme/ops#9 a\\b *b* _i_ 'c'`",
		"- **Zone:** `zone-a`",
		"",
		"1. " + text + " ([docs](https://docs.caracal.run/x))",
		"",
		"---",
		"",
		"evil line two",
	}, "\n")
	assert.Equal(t, want, tickets.Markdown(plantedDoc()))
}

func TestJiraWikiNeutralisesEchoedText(t *testing.T) {
	text := `\{color:red\}x\{color\} \[\~admin\] \[click\|http://evil\] \#123 @org/team <img src=x> GH-7 acme/ops#9 a&#92;b \*b\* \_i\_ ` + "`c`"
	want := strings.Join([]string{
		"h2. Verdict: " + text,
		"",
		"* *Application:* {{" + text + "}}",
		"* *Zone:* {{zone-a}}",
		"",
		"# " + text + " ([docs|https://docs.caracal.run/x])",
		"",
		"----",
		"",
		"evil line two",
	}, "\n")
	assert.Equal(t, want, tickets.JiraWiki(plantedDoc()))

	// Only what Jira could read as markup is escaped: identifiers keep
	// their _ and -, and no markdown escape (\_ \. \/) is ever written.
	var ids tickets.Doc
	ids.Paragraph(tickets.Text("sts_policy/resource_not_granted in zone-a at 2026-08-22T10:01:13.311Z: app_ids, 1. https://x.example/a_b"))
	assert.Equal(t, "sts_policy/resource_not_granted in zone-a at 2026-08-22T10:01:13.311Z: app_ids, 1. https://x.example/a_b", tickets.JiraWiki(ids))
	var effects tickets.Doc
	effects.Paragraph(tickets.Text("-struck- +ins+ ^sup^ ~sub~ ??cite?? !img.png! a -- b #1"))
	assert.Equal(t, `\-struck\- \+ins\+ \^sup\^ \~sub\~ \?\?cite\?\? \!img.png\! a \-\- b \#1`, tickets.JiraWiki(effects))
}

func TestHeadingLevelsAreClamped(t *testing.T) {
	d := tickets.Doc{Blocks: []tickets.Block{{Kind: tickets.BlockHeading, Level: 0, Spans: []tickets.Span{tickets.Text("a")}},
		{Kind: tickets.BlockHeading, Level: 9, Spans: []tickets.Span{tickets.Text("b")}}}}
	assert.Equal(t, "# a\n\n###### b", tickets.Markdown(d))
	assert.Equal(t, "h1. a\n\nh6. b", tickets.JiraWiki(d))
}
