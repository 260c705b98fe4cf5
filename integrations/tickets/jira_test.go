package tickets_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

func newJira(srv *ticketstest.Server, token string) *tickets.Jira {
	return tickets.NewJira(tickets.JiraConfig{BaseURL: srv.URL + "/", Email: jiraEmail, APIToken: token, Project: "OPS", IssueType: "Task"}, fastClient(nil))
}

func TestJiraCreatesAndAttaches(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	ref, err := newJira(srv, jiraToken).Create(ctxT(t), sampleTicket())
	require.NoError(t, err)
	assert.Equal(t, tickets.Ref{System: "jira", ID: "OPS-1", URL: srv.URL + "/browse/OPS-1"}, ref)

	issues := srv.Issues()
	require.Len(t, issues, 1)
	is := issues[0]
	assert.Equal(t, map[string]string{"project": "OPS", "issuetype": "Task"}, is.Extra)
	assert.Equal(t, []string{"caracal-bot", "sts-policy", tickets.Marker(sampleTicket().Key)}, is.Labels, "Jira labels cannot hold spaces")
	assert.Contains(t, is.Body, "h2. Verdict", "markdown becomes Jira wiki markup")
	assert.Contains(t, is.Body, "* *Surface:* sts_policy")
	assert.Contains(t, is.Body, "[docs|https://docs.caracal.run/x]")
	assert.Contains(t, is.Body, "# {{runtime healthy}} pass")
	require.Len(t, is.Attachments, 1, "the bundle arrives as a multipart file")
	assert.Equal(t, "caracal-bundle-req-1.zip", is.Attachments[0].Name)
	assert.Equal(t, "application/zip", is.Attachments[0].ContentType)
	assert.Equal(t, []byte("PK\x03\x04 fake zip"), is.Attachments[0].Data)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/rest/api/2/issue/OPS-1/attachments", reqs[1].Path)
	assert.Equal(t, "no-check", reqs[1].Header.Get("X-Atlassian-Token"))
	for _, r := range reqs {
		user, pass, ok := basicAuth(r.Header.Get("Authorization"))
		require.True(t, ok)
		assert.Equal(t, jiraEmail, user)
		assert.Equal(t, jiraToken, pass)
	}

	var changed tickets.Doc
	changed.Paragraph(tickets.Text("The diagnosis "), tickets.Strong("changed"), tickets.Text("."))
	require.NoError(t, newJira(srv, jiraToken).Comment(ctxT(t), ref, tickets.Update{Body: changed}))
	assert.Equal(t, []string{"The diagnosis *changed*."}, srv.Issues()[0].Comments)
}

func TestJiraWrongTokenIsATypedErrorWithoutTheToken(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	wrong := "wrong-token-Abc123"
	_, err := newJira(srv, wrong).Create(ctxT(t), sampleTicket())
	var te *tickets.Error
	require.True(t, errors.As(err, &te), "%T %v", err, err)
	assert.Equal(t, 401, te.Status)
	assert.Equal(t, 1, te.Attempts, "401 is not retried")
	assert.False(t, te.Temporary())
	assert.NotContains(t, err.Error(), wrong)
	assert.Empty(t, srv.Issues())
}

func TestJiraAttachmentFailureStillReturnsTheTicket(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	j := newJira(srv, jiraToken)
	arrived, release := srv.Hold()
	done := make(chan error, 1)
	go func() {
		_, err := j.Create(ctxT(t), sampleTicket())
		done <- err
	}()
	<-arrived // the create is in flight: the next call (the attachment) fails
	srv.Inject(ticketstest.Fault{Status: 413})
	release()
	err := <-done
	var ae *tickets.AttachError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "OPS-1", ae.Ref.ID)
	assert.Len(t, srv.Issues(), 1)
}

func basicAuth(h string) (string, string, bool) {
	return (&http.Request{Header: http.Header{"Authorization": {h}}}).BasicAuth()
}
