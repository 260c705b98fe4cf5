package tickets_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

// bigName is a 200-character Caracal name with an emoji outside the BMP
// (one character, two UTF-16 code units: Jira counts those).
var bigName = strings.Repeat("n", 198) + "😀" + "z"

// bigBody is a summary over every limit: 1,000 steps naming bigName.
func bigBody() tickets.Doc {
	var d tickets.Doc
	d.Heading(2, tickets.Text("Verdict"))
	for i := 1; i <= 1000; i++ {
		d.Numbered(i, tickets.Strong("step "+strconv.Itoa(i)), tickets.Text(": "+bigName))
	}
	return d
}

func bigTicket() tickets.Ticket {
	tk := sampleTicket()
	tk.Title, tk.Body, tk.DiagnosisHash = strings.Repeat("t", 300)+bigName, bigBody(), hash("a")
	return tk
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// assertWholeSteps checks that a cut text holds only whole step lines
// (those with "*step "), and some but not all of them.
func assertWholeSteps(t *testing.T, text string) {
	t.Helper()
	n := 0
	for l := range strings.Lines(text) {
		if strings.Contains(l, "*step ") {
			n++
			assert.True(t, strings.HasSuffix(strings.TrimRight(l, "\n"), bigName), "a step line is whole: %q", l)
		}
	}
	assert.Greater(t, n, 10)
	assert.Less(t, n, 1000)
}

func TestJiraTextsAreCutToJirasLimits(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	j := newJira(srv, jiraToken)
	ref, err := j.Create(ctxT(t), bigTicket())
	require.NoError(t, err)
	is := srv.Issues()[0]

	assert.LessOrEqual(t, utf16Len(is.Title), 255)
	assert.True(t, strings.HasSuffix(is.Title, "…"))
	assert.LessOrEqual(t, utf16Len(is.Body), 32767, "Jira counts UTF-16 code units")
	assert.Greater(t, utf16Len(is.Body), 32767-300, "as much as fits")
	assertWholeSteps(t, is.Body)
	assert.True(t, strings.HasSuffix(is.Body, "\n\n… the rest is in the attached bundle ({{caracal-bundle-req-1.zip}}).\n\n"+
		"{color:#97a0af}caracal-bot-diagnosis: "+hash("a")+"{color}"), "the note, then the marker: %q", is.Body[len(is.Body)-200:])
	require.Len(t, is.Attachments, 1)
	assert.Equal(t, sampleTicket().Attachment.Data, is.Attachments[0].Data, "the bundle, with everything, is attached")

	require.NoError(t, j.Comment(ctxT(t), ref, tickets.Update{Body: bigBody(), DiagnosisHash: hash("b"), BundleName: "caracal-bundle-req-1-b.zip"}))
	c := srv.Issues()[0].Comments[0]
	assert.LessOrEqual(t, utf16Len(c), 32767)
	assertWholeSteps(t, c)
	assert.Contains(t, c, "\n\n… the rest is in the new bundle ({{caracal-bundle-req-1-b.zip}}) posted in the chat thread.\n\n")
}

func TestGitHubTextsAreCutToGitHubsLimits(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	gh := newGitHub(srv, nil)
	ref, err := gh.Create(ctxT(t), bigTicket())
	require.NoError(t, err)
	is := srv.Issues()[0]

	assert.Equal(t, 256, utf8.RuneCountInString(is.Title))
	assert.LessOrEqual(t, utf8.RuneCountInString(is.Body), 65536, "GitHub counts characters")
	assert.Greater(t, utf8.RuneCountInString(is.Body), 65536-600, "as much as fits")
	assertWholeSteps(t, is.Body)
	assert.Contains(t, is.Body, "\n\n… the rest is in the diagnostic bundle (`caracal-bundle-req-1.zip`); see below for where it is.\n\n---\n\n"+
		"**Diagnostic bundle:** the diagnostic bundle `caracal-bundle-req-1.zip` is attached in the chat thread")
	assert.True(t, strings.HasSuffix(is.Body, "\n\n<!-- caracal-bot-diagnosis: "+hash("a")+" -->"))

	require.NoError(t, gh.Comment(ctxT(t), ref, tickets.Update{Body: bigBody(), DiagnosisHash: hash("b"), BundleName: "caracal-bundle-req-1-b.zip"}))
	c := srv.Issues()[0].Comments[0]
	assert.LessOrEqual(t, utf8.RuneCountInString(c), 65536)
	assert.Contains(t, c, "… the rest is in the new bundle (`caracal-bundle-req-1-b.zip`) posted in the chat thread.")
}

func TestAFirstLineOverTheLimitIsCut(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	tk := sampleTicket()
	tk.Body = tickets.Doc{}
	tk.Body.Heading(2, tickets.Text(strings.Repeat("v", 40000)))
	_, err := newJira(srv, jiraToken).Create(ctxT(t), tk)
	require.NoError(t, err)
	body := srv.Issues()[0].Body
	assert.LessOrEqual(t, utf16Len(body), 32767)
	assert.True(t, strings.HasPrefix(body, "h2. vvv"))
	assert.Contains(t, body, "v…\n\n… the rest is in the attached bundle")
}
