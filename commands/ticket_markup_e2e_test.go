package commands_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

// renamingSource renames the application and the resource of every audit
// row of a trace, and every policy set, that Caracal returns, as a hostile
// or careless admin could name them.
type renamingSource struct {
	collect.Source
	name func(old string) string
}

func (r renamingSource) Explain(ctx context.Context, zoneID, requestID string) (*caracal.Explain, error) {
	ex, err := r.Source.Explain(ctx, zoneID, requestID)
	if ex != nil {
		for _, row := range ex.Events {
			for _, k := range []string{"application_name", "resource"} {
				if v, ok := row.MetadataJSON[k].(string); ok {
					row.MetadataJSON[k] = r.name(v)
				}
			}
		}
	}
	return ex, err
}

func (r renamingSource) PolicySets(ctx context.Context, zoneID string) ([]caracal.PolicySet, error) {
	sets, err := r.Source.PolicySets(ctx, zoneID)
	for i := range sets {
		sets[i].Name = r.name(sets[i].Name)
	}
	return sets, err
}

func renaming(name func(string) string) func(collect.Source) collect.Source {
	return func(s collect.Source) collect.Source { return renamingSource{Source: s, name: name} }
}

// hostileMarkup tries the markup of both targets in a Caracal name.
const hostileMarkup = "{color:red}x{color} [~admin] [click|http://evil] #123 GH-7 acme/ops#9 @org/team <img src=x>"

// TestTicketNeutralisesMarkupInCaracalNames files the deny-no-grant
// ticket, whose verdict names the application, the resource and the policy
// set, to Jira and GitHub with hostile names: the bodies the fakes record
// keep the bot's headings and lists, and not one of the names' markups.
func TestTicketNeutralisesMarkupInCaracalNames(t *testing.T) {
	sc := denyNoGrant(t)
	name := func(old string) string { return old + " " + hostileMarkup }

	jira := ticketstest.StartJira(t, jiraEmail, jiraToken)
	reg := ticketEnvReading(t, sc, newTicketService(t, jiraFor(jira)), renaming(name))
	_, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	require.Len(t, jira.Issues(), 1)
	body := jira.Issues()[0].Body
	escaped := `\{color:red\}x\{color\} \[\~admin\] \[click\|http://evil\] \#123 GH-7 acme/ops#9 @org/team <img src=x>`
	for _, named := range []string{"application billing-bot ", "resource resource://pipernet ", "policy set research-access "} {
		assert.Contains(t, body, named+escaped, "the name, escaped")
	}
	for _, live := range []string{"{color:red}", "x{color}", "[~admin]", "[click|"} {
		assert.False(t, regexp.MustCompile(`(^|[^\\])`+regexp.QuoteMeta(live)).MatchString(body), "%q unescaped in Jira", live)
	}
	for _, own := range []string{"\nh3. Steps\n", "\n* *Request ID:* {{" + sc.ID + "}}\n", "\n# ❌ *grant and policy*: ", "\nh3. Next actions\n"} {
		assert.Contains(t, body, own, "the bot's own markup")
	}

	gh := ticketstest.StartGitHub(t, ghToken, ghRepo)
	reg = ticketEnvReading(t, sc, newTicketService(t, tickets.NewGitHub(tickets.GitHubConfig{APIURL: gh.URL, Token: ghToken, Repo: ghRepo}, noWait())), renaming(name))
	_, err = click(t, reg, buttonText(sc))
	require.NoError(t, err)
	require.Len(t, gh.Issues(), 1)
	is := gh.Issues()[0]
	for _, s := range []string{is.Body, is.Title} {
		for _, live := range []string{"#123", "GH-7", "ops#9", "@org"} {
			assert.NotContains(t, s, live, "no reference, no mention")
		}
	}
	escaped = `{color:red}x{color} \[\~admin\] \[click\|http:\//evil\] #` + "\u200b" + `123 GH-` + "\u200b" + `7 acme/ops#` + "\u200b" +
		`9 @` + "\u200b" + `org/team \<img src=x\>`
	for _, named := range []string{"application billing-bot ", "resource resource://pipernet ", "policy set research-access "} {
		assert.Contains(t, is.Body, named+escaped, "the name, escaped")
	}
	assert.False(t, regexp.MustCompile(`(^|[^\\])<img`).MatchString(is.Body), "no HTML")
	for _, own := range []string{"\n### Steps\n", "\n- **Request ID:** `" + sc.ID + "`\n", "\n4. ❌ **grant and policy**: ", "\n### Next actions\n"} {
		assert.Contains(t, is.Body, own, "the bot's own markup")
	}
}

// TestTicketOverLimitsSaysTheRestIsInTheBundle names the application with
// 40,000 characters: the Jira and GitHub texts are cut to their limits,
// with a note, and the bundle has the whole diagnosis.
func TestTicketOverLimitsSaysTheRestIsInTheBundle(t *testing.T) {
	sc := denyNoGrant(t)
	long := strings.Repeat("app-name-", 40000/9)
	name := func(string) string { return long }

	jira := ticketstest.StartJira(t, jiraEmail, jiraToken)
	reg := ticketEnvReading(t, sc, newTicketService(t, jiraFor(jira)), renaming(name))
	res, err := clickWithin(t, reg, buttonText(sc), 2*time.Minute)
	require.NoError(t, err)
	require.True(t, ticketData(t, res).Created)
	is := jira.Issues()[0]
	assert.LessOrEqual(t, len(utf16.Encode([]rune(is.Title))), 255)
	assert.LessOrEqual(t, len(utf16.Encode([]rune(is.Body))), 32767)
	assert.Contains(t, is.Body, "\n\n… the rest is in the attached bundle ({{"+res.Reply.Files[0].Name+"}}).")
	require.Len(t, is.Attachments, 1)
	assert.Contains(t, zipFile(t, is.Attachments[0].Data, "diagnosis.md"), long, "the whole diagnosis is in the bundle")

	gh := ticketstest.StartGitHub(t, ghToken, ghRepo)
	reg = ticketEnvReading(t, sc, newTicketService(t, tickets.NewGitHub(tickets.GitHubConfig{APIURL: gh.URL, Token: ghToken, Repo: ghRepo}, noWait())), renaming(name))
	res, err = clickWithin(t, reg, buttonText(sc), 2*time.Minute)
	require.NoError(t, err)
	is = gh.Issues()[0]
	assert.LessOrEqual(t, utf8.RuneCountInString(is.Title), 256)
	assert.LessOrEqual(t, utf8.RuneCountInString(is.Body), 65536)
	assert.Contains(t, is.Body, "… the rest is in the diagnostic bundle (`"+res.Reply.Files[0].Name+"`); see below for where it is.")
	assert.Contains(t, zipFile(t, res.Reply.Files[0].Data, "diagnosis.md"), long)
}

// zipFile returns the content of the file name in a zip.
func zipFile(t *testing.T, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	f, err := zr.Open(name)
	require.NoError(t, err)
	defer f.Close()
	content, err := io.ReadAll(f)
	require.NoError(t, err)
	return string(content)
}
