package tickets_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

// finderSystems are the ticket systems the bot can ask for a ticket: Jira
// Cloud, Jira Data Center (whose search is the older endpoint) and GitHub.
var finderSystems = []struct {
	name  string
	start func(t *testing.T) (*ticketstest.Server, tickets.Ticketer)
}{
	{"jira cloud", func(t *testing.T) (*ticketstest.Server, tickets.Ticketer) {
		srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
		return srv, newJira(srv, jiraToken)
	}},
	{"jira data center", func(t *testing.T) (*ticketstest.Server, tickets.Ticketer) {
		srv := ticketstest.StartJiraDataCenter(t, jiraEmail, jiraToken)
		return srv, newJira(srv, jiraToken)
	}},
	{"github", func(t *testing.T) (*ticketstest.Server, tickets.Ticketer) {
		srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
		return srv, newGitHub(srv, nil)
	}},
}

// TestRestartsFileOneTicket clicks four times, each in a fresh process (a
// new Service with an empty memory and spool): only the ticket system's
// lookup prevents a second ticket, and the diagnosis marker it keeps in the
// ticket and the bot's comments prevents a second comment.
func TestRestartsFileOneTicket(t *testing.T) {
	for _, sys := range finderSystems {
		t.Run(sys.name, func(t *testing.T) {
			srv, tk := sys.start(t)
			fresh := func() *tickets.Service { return newService(t, tk, tickets.Options{}) }

			first, err := fresh().Submit(ctxT(t), click(hash("1")))
			require.NoError(t, err)
			require.True(t, first.Created, "%+v", first)

			same, err := fresh().Submit(ctxT(t), click(hash("1")))
			require.NoError(t, err)
			assert.True(t, same.Existing, "%+v", same)
			assert.Equal(t, first.Ref, same.Ref)

			for i, h := range []string{hash("2"), hash("2")} {
				o, err := fresh().Submit(ctxT(t), click(h))
				require.NoError(t, err)
				assert.True(t, o.Existing, "%+v", o)
				assert.Equal(t, i == 0, o.Commented, "click %d: a comment only when the diagnosis changed", i+3)
			}

			issues := srv.Issues()
			require.Len(t, issues, 1, "one ticket for four runs")
			require.Len(t, issues[0].Comments, 1, "one comment for one change")
			assert.Contains(t, issues[0].Comments[0], "Diagnosis changed: "+hash("2"))
			assert.Contains(t, issues[0].Labels, tickets.Marker(first.Key))
		})
	}
}

// hash is a well-formed diagnosis hash (32 hex digits) made from s.
func hash(s string) string { return strings.Repeat(s, 32)[:32] }

func TestFirstClickFindsTheTicketAndItsDiagnosis(t *testing.T) {
	for _, sys := range finderSystems {
		t.Run(sys.name, func(t *testing.T) {
			srv, tk := sys.start(t)
			ref, err := tk.Create(ctxT(t), withHash(sampleTicket(), hash("a")))
			require.NoError(t, err)
			f, ok := tk.(tickets.Finder)
			require.True(t, ok)

			rec, found, err := f.Find(ctxT(t), sampleTicket().Key)
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, tickets.Record{Ref: ref, DiagnosisHash: hash("a")}, rec, "the body's marker")

			require.NoError(t, tk.Comment(ctxT(t), ref, tickets.Update{Body: note("changed"), DiagnosisHash: hash("b")}))
			require.NoError(t, tk.Comment(ctxT(t), ref, tickets.Update{Body: note("a person's comment")}))
			rec, _, err = f.Find(ctxT(t), sampleTicket().Key)
			require.NoError(t, err)
			assert.Equal(t, hash("b"), rec.DiagnosisHash, "the newest bot comment's marker")

			_, found, err = f.Find(ctxT(t), tickets.Key("zone-a", "req-2", tickets.RulesetVersion))
			require.NoError(t, err)
			assert.False(t, found, "another key has no ticket")
			assert.Len(t, srv.Issues(), 1)
		})
	}
}

// withHash returns t reporting the diagnosis hash h.
func withHash(t tickets.Ticket, h string) tickets.Ticket {
	t.DiagnosisHash = h
	return t
}

func TestJiraSearchFallsBackToDataCenterOnceAndRemembers(t *testing.T) {
	srv := ticketstest.StartJiraDataCenter(t, jiraEmail, jiraToken)
	j := newJira(srv, jiraToken)
	for range 2 {
		_, found, err := j.Find(ctxT(t), sampleTicket().Key)
		require.NoError(t, err)
		assert.False(t, found)
	}
	assert.Equal(t, 1, srv.Attempts("/rest/api/2/search/jql"), "404 once, then not asked again")
	assert.Equal(t, 2, srv.Attempts("/rest/api/2/search"))
	r := srv.Requests()[1]
	assert.Equal(t, http.MethodGet, r.Method)

	cloud := ticketstest.StartJira(t, jiraEmail, jiraToken)
	j = newJira(cloud, jiraToken)
	for range 2 {
		_, _, err := j.Find(ctxT(t), sampleTicket().Key)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, cloud.Attempts("/rest/api/2/search/jql"))
	assert.Zero(t, cloud.Attempts("/rest/api/2/search"), "Cloud's retired search is never asked")
}

func TestJiraSearchAsksForTheMarkerLabelInTheProject(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	_, _, err := newJira(srv, jiraToken).Find(ctxT(t), sampleTicket().Key)
	require.NoError(t, err)
	var got *ticketstest.Request
	for _, r := range srv.Requests() {
		if r.Path == "/rest/api/2/search/jql" {
			got = &r
		}
	}
	require.NotNil(t, got)
	q := got.Query
	assert.Equal(t, `project = "OPS" AND labels = "`+tickets.Marker(sampleTicket().Key)+`" ORDER BY created ASC`, q.Get("jql"))
	assert.Equal(t, "description", q.Get("fields"))
	assert.Equal(t, "1", q.Get("maxResults"))
}

func TestGitHubLookupSkipsPullRequests(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	gh := newGitHub(srv, nil)
	marker := tickets.Marker(sampleTicket().Key)
	srv.AddPullRequest("a pull request someone labelled", marker) // #1, listed first

	_, found, err := gh.Find(ctxT(t), sampleTicket().Key)
	require.NoError(t, err)
	assert.False(t, found, "a pull request is not the ticket")

	o, err := newService(t, gh, tickets.Options{}).Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	require.True(t, o.Created)
	assert.Equal(t, "2", o.Ref.ID)
	o, err = newService(t, gh, tickets.Options{}).Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o.Existing)
	assert.Equal(t, "2", o.Ref.ID, "the issue, not the pull request")

	var list *ticketstest.Request
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && r.Path == "/repos/"+githubRepo+"/issues" {
			list = &r
		}
	}
	require.NotNil(t, list, "the labelled issue list, not the search API")
	assert.Equal(t, marker, list.Query.Get("labels"))
	assert.Equal(t, "all", list.Query.Get("state"), "closed issues count too")
}

// TestFailingLookupSpoolsNeverCreatesBlindly: the ticket system cannot
// say whether the ticket exists, so the ticket waits in the spool; the
// retry asks again, then files it, or finds the one another process filed.
func TestFailingLookupSpoolsNeverCreatesBlindly(t *testing.T) {
	for _, sys := range finderSystems {
		t.Run(sys.name, func(t *testing.T) {
			srv, tk := sys.start(t)
			svc := newService(t, tk, tickets.Options{})
			srv.Inject(ticketstest.Fault{Status: http.StatusBadGateway, Times: tickets.DefaultMaxAttempts})

			o, err := svc.Submit(ctxT(t), click("h"))
			require.NoError(t, err)
			assert.True(t, o.Spooled, "%+v", o)
			assert.Contains(t, o.Err.Error(), "look up ticket: HTTP 502")
			assert.Empty(t, srv.Issues())
			for _, r := range srv.Requests() {
				assert.Equal(t, http.MethodGet, r.Method, "nothing was created")
			}

			rep, err := svc.RetrySpooled(ctxT(t))
			require.NoError(t, err)
			require.Len(t, rep.Delivered, 1)
			require.Len(t, srv.Issues(), 1)

			// A second process whose lookup fails spools too; its retry
			// finds the first one's ticket rather than filing another.
			other := newService(t, tk, tickets.Options{})
			srv.Inject(ticketstest.Fault{Status: http.StatusServiceUnavailable, Times: tickets.DefaultMaxAttempts})
			o, err = other.Submit(ctxT(t), click("h"))
			require.NoError(t, err)
			require.True(t, o.Spooled)
			rep, err = other.RetrySpooled(ctxT(t))
			require.NoError(t, err)
			require.Len(t, rep.Delivered, 1)
			assert.Equal(t, srv.Issues()[0].ID, rep.Delivered[0].Ref.ID)
			assert.Len(t, srv.Issues(), 1)
		})
	}
}
