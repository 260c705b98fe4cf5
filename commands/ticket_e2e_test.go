package commands_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

const (
	jiraEmail = "oncall@acme.example"
	jiraToken = "jira-api-token-7Hq2"
	ghToken   = "ghp_commandTestToken0000000000000000"
	ghRepo    = "acme/incidents"
	whSecret  = "webhook-secret-Xy9"
)

func jiraFor(srv *ticketstest.Server) *tickets.Jira {
	return tickets.NewJira(tickets.JiraConfig{BaseURL: srv.URL, Email: jiraEmail, APIToken: jiraToken, Project: "OPS"}, noWait())
}

func TestTicketCreatesJiraIssueWithBundle(t *testing.T) {
	sc := denyNoGrant(t)
	jira := ticketstest.StartJira(t, jiraEmail, jiraToken)
	reg, _ := ticketEnv(t, sc, newTicketService(t, jiraFor(jira)))

	// The planted token is in the diagnosis the ticket is made from.
	_, d, err := reg.BuildBundle(context.Background(), sc.ID, sc.Zone)
	require.NoError(t, err)
	require.Contains(t, stepsText(d.Steps), plantedToken, "the test plants the token where the summary reads")

	res, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	data := ticketData(t, res)
	assert.True(t, data.Created)
	assert.False(t, data.Spooled)
	require.NotNil(t, data.Ticket)
	assert.Equal(t, tickets.Ref{System: "jira", ID: "OPS-1", URL: jira.URL + "/browse/OPS-1"}, *data.Ticket)
	assert.True(t, res.OK)
	assert.Equal(t, "Ticket OPS-1 created in Jira for request "+sc.ID, res.Reply.Summary)
	assert.Equal(t, []string{jira.URL + "/browse/OPS-1"}, itemURLs(res.Reply))
	require.Len(t, res.Reply.Files, 1, "the thread gets the bundle")
	assert.Equal(t, data.Bundle, res.Reply.Files[0].Name)

	issues := jira.Issues()
	require.Len(t, issues, 1)
	is := issues[0]
	assert.Contains(t, is.Title, "sts_policy/resource_not_granted")
	assert.Contains(t, is.Body, "h3. Steps")
	assert.Contains(t, is.Body, "h3. Next actions")
	assert.Contains(t, is.Labels, "caracal-bot")
	assert.Contains(t, is.Labels, "caracal-sts_policy")
	require.Len(t, is.Attachments, 1)
	assert.Equal(t, res.Reply.Files[0].Data, is.Attachments[0].Data, "the zip attached is the one posted in the thread")

	assertNoToken(t, jira, plantedToken, jiraToken)
}

func TestTicketDoubleClickAndChangedDiagnosis(t *testing.T) {
	sc := denyNoGrant(t)
	gh := ticketstest.StartGitHub(t, ghToken, ghRepo)
	reg, src := ticketEnv(t, sc, newTicketService(t, tickets.NewGitHub(tickets.GitHubConfig{APIURL: gh.URL, Token: ghToken, Repo: ghRepo}, noWait())))

	first, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	require.True(t, ticketData(t, first).Created)
	body := gh.Issues()[0].Body
	assert.Contains(t, body, "is attached in the chat thread where this ticket was requested", "GitHub issues say where the bundle is")
	assert.Contains(t, body, "spool directory")
	assert.Contains(t, first.Reply.Sections[len(first.Reply.Sections)-1].Text, "a copy is kept in the bot's spool directory (kept/")

	second, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	d2 := ticketData(t, second)
	assert.False(t, d2.Created)
	assert.False(t, d2.Commented)
	assert.Equal(t, ticketData(t, first).Ticket, d2.Ticket)
	assert.Contains(t, second.Reply.Summary, "already exists")
	assert.Equal(t, []string{"https://github.example/acme/incidents/issues/1"}, itemURLs(second.Reply))
	assert.Empty(t, second.Reply.Files, "same diagnosis: the thread already has the bundle")

	src.setSuffix("-v2") // the diagnosis changes
	third, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	assert.True(t, ticketData(t, third).Commented)
	fourth, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	assert.False(t, ticketData(t, fourth).Commented)

	issues := gh.Issues()
	require.Len(t, issues, 1, "one ticket for four clicks")
	require.Len(t, issues[0].Comments, 1, "one comment for one change")
	assert.Contains(t, issues[0].Comments[0], "changed")
	assertNoToken(t, gh, plantedToken, ghToken)
}

func TestTicketConcurrentClicksOneTicket(t *testing.T) {
	sc := denyNoGrant(t)
	hook := ticketstest.StartWebhook(t, whSecret)
	reg, _ := ticketEnv(t, sc, newTicketService(t, tickets.NewWebhook(tickets.WebhookConfig{URL: hook.URL, Secret: whSecret}, noWait())))
	arrived, release := hook.Hold()

	var wg sync.WaitGroup
	results := make([]commands.Result, 2)
	wg.Add(1)
	go func() { defer wg.Done(); results[0], _ = click(t, reg, buttonText(sc)) }()
	<-arrived // the first replica's click is creating the ticket
	wg.Add(1)
	go func() { defer wg.Done(); results[1], _ = click(t, reg, buttonText(sc)) }()
	time.Sleep(200 * time.Millisecond) // let the second click build its bundle and find the key locked
	release()
	wg.Wait()

	require.Len(t, hook.Issues(), 1)
	created := 0
	for _, r := range results {
		d := ticketData(t, r)
		if d.Created {
			created++
		}
		require.NotNil(t, d.Ticket, "%+v", d)
		assert.Equal(t, "WH-001", d.Ticket.ID)
	}
	assert.Equal(t, 1, created)
	is := hook.Issues()[0]
	assert.True(t, strings.HasPrefix(is.Extra["key"], "caracal-bot:ticket:v1:"+sc.Zone+":"+sc.ID+":"))
	assertNoToken(t, hook, plantedToken, whSecret)
}

func TestTicketSystemDownIsSpooledThenRetried(t *testing.T) {
	sc := denyNoGrant(t)
	jira := ticketstest.StartJira(t, jiraEmail, jiraToken)
	jira.SetDown(true)
	svc := newTicketService(t, jiraFor(jira))
	reg, _ := ticketEnv(t, sc, svc)

	res, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	data := ticketData(t, res)
	assert.True(t, data.Spooled)
	assert.Nil(t, data.Ticket)
	assert.False(t, res.OK)
	assert.Contains(t, res.Reply.Summary, "could not be created in Jira")
	assert.Contains(t, res.Reply.Summary, "HTTP 503")
	assert.Contains(t, res.Reply.Summary, "attached to this thread and spooled; it will be retried")
	require.Len(t, res.Reply.Files, 1, "nothing lost: the thread has the bundle")
	spooled, err := filepath.Glob(filepath.Join(svc.Spool().Dir(), "*"))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{data.SpoolFile, strings.TrimSuffix(data.SpoolFile, ".json") + ".zip"}, spooled)
	zipData, err := os.ReadFile(strings.TrimSuffix(data.SpoolFile, ".json") + ".zip")
	require.NoError(t, err)
	assert.Equal(t, res.Reply.Files[0].Data, zipData)

	jira.SetDown(false)
	retry, err := click(t, reg, "--retry-spooled")
	require.NoError(t, err)
	assert.True(t, retry.OK)
	assert.Equal(t, "Spooled tickets: 1 delivered, 0 still waiting", retry.Reply.Summary)
	assert.Equal(t, []string{jira.URL + "/browse/OPS-1"}, itemURLs(retry.Reply))
	require.Len(t, jira.Issues(), 1)
	assert.Equal(t, zipData, jira.Issues()[0].Attachments[0].Data)
	left, _ := filepath.Glob(filepath.Join(svc.Spool().Dir(), "*.json"))
	assert.Empty(t, left)

	again, err := click(t, reg, buttonText(sc))
	require.NoError(t, err)
	assert.Equal(t, "OPS-1", ticketData(t, again).Ticket.ID, "the delivered ticket answers the next click")
	assert.Len(t, jira.Issues(), 1)
	assertNoToken(t, jira, plantedToken, jiraToken)
}

func TestTicketRateLimitIsHonoured(t *testing.T) {
	sc := denyNoGrant(t)
	hook := ticketstest.StartWebhook(t, "")
	hook.Inject(ticketstest.Fault{Status: 429, RetryAfter: "0", Times: 2})
	reg, _ := ticketEnv(t, sc, newTicketService(t, tickets.NewWebhook(tickets.WebhookConfig{URL: hook.URL}, tickets.ClientOptions{})))
	res, err := click(t, reg, sc.ID)
	require.NoError(t, err)
	assert.True(t, ticketData(t, res).Created)
	assert.Equal(t, 3, hook.Attempts(""), "two 429s, then the ticket")
}

func TestTicketUsageAndConfiguration(t *testing.T) {
	sc := denyNoGrant(t)
	reg, _ := ticketEnv(t, sc, nil)
	_, err := click(t, reg, sc.ID)
	var unavailable *commands.UnavailableError
	require.True(t, errors.As(err, &unavailable), "%v", err)
	assert.Contains(t, err.Error(), "tickets are not configured: set JIRA_URL")
	assert.Contains(t, err.Error(), "GITHUB_REPO")
	assert.Contains(t, err.Error(), "TICKET_WEBHOOK_URL")

	gh := ticketstest.StartGitHub(t, ghToken, ghRepo)
	reg, _ = ticketEnv(t, sc, newTicketService(t, tickets.NewGitHub(tickets.GitHubConfig{APIURL: gh.URL, Token: ghToken, Repo: ghRepo}, noWait())))
	for text, want := range map[string]string{
		"":                         "ticket needs exactly one request ID",
		"a b":                      "ticket needs exactly one request ID",
		sc.ID + " --to servicenow": `--to must be jira, github or webhook, got "servicenow"`,
		sc.ID + " --to jira":       "--to jira: that ticket system is not configured (configured: github)",
		"--retry-spooled " + sc.ID: "ticket --retry-spooled takes no request ID",
		sc.ID + " --zone bad/zone": "--zone must be a Caracal zone id",
	} {
		_, err := click(t, reg, text)
		var usage *commands.UsageError
		require.True(t, errors.As(err, &usage), "%q: %v", text, err)
		assert.Contains(t, err.Error(), want, text)
	}
	assert.Empty(t, gh.Requests(), "no ticket for a malformed command")

	res, err := click(t, reg, "--retry-spooled")
	require.NoError(t, err)
	assert.Equal(t, "No spooled tickets: every ticket was delivered", res.Reply.Summary)
}

// assertNoToken checks that none of the secrets reached the ticket system:
// not in any header (but Authorization), body, or file inside a zip.
func assertNoToken(t *testing.T, srv *ticketstest.Server, secrets ...string) {
	t.Helper()
	seen := srv.Received()
	for _, is := range srv.Issues() {
		seen += is.Title + is.Body + strings.Join(is.Comments, "\n")
		for _, f := range is.Attachments {
			seen += unzipAll(t, f.Data)
		}
	}
	for _, s := range secrets {
		assert.NotContains(t, seen, s)
	}
	assert.NotContains(t, seen, "PlantedTokenValue", "not even a part of the planted token")
}

func stepsText(steps []diagnose.Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.Detail + "\n")
	}
	return b.String()
}

func unzipAll(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		content, err := io.ReadAll(rc)
		require.NoError(t, err)
		_ = rc.Close()
		b.Write(content)
	}
	return b.String()
}
