package tickets_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

func newService(t *testing.T, tk tickets.Ticketer, o tickets.Options) *tickets.Service {
	t.Helper()
	svc, err := tickets.NewService([]tickets.Ticketer{tk}, tk.Name(), t.TempDir(), o)
	require.NoError(t, err)
	return svc
}

func click(hash string) tickets.Request {
	return tickets.Request{Zone: "zone-a", RequestID: "req-1", Ticket: sampleTicket(), DiagnosisHash: hash, Comment: note("Diagnosis changed: " + hash)}
}

func TestDoubleClickFilesOneTicketAndCommentsOnlyOnChange(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	svc := newService(t, newJira(srv, jiraToken), tickets.Options{Labels: []string{"oncall", "caracal-bot"}})

	first, err := svc.Submit(ctxT(t), click("h1"))
	require.NoError(t, err)
	assert.True(t, first.Created)
	assert.Equal(t, "OPS-1", first.Ref.ID)
	assert.Equal(t, []string{"oncall", "caracal-bot", "sts-policy", tickets.Marker(first.Key)}, srv.Issues()[0].Labels)

	second, err := svc.Submit(ctxT(t), click("h1"))
	require.NoError(t, err)
	assert.True(t, second.Existing)
	assert.False(t, second.Commented)
	assert.Equal(t, first.Ref, second.Ref)

	third, err := svc.Submit(ctxT(t), click("h2"))
	require.NoError(t, err)
	assert.True(t, third.Existing)
	assert.True(t, third.Commented)
	fourth, err := svc.Submit(ctxT(t), click("h2"))
	require.NoError(t, err)
	assert.False(t, fourth.Commented, "the comment was recorded: same diagnosis, no second comment")

	issues := srv.Issues()
	require.Len(t, issues, 1)
	require.Len(t, issues[0].Comments, 1)
	assert.True(t, strings.HasPrefix(issues[0].Comments[0], "Diagnosis changed: h2"), issues[0].Comments[0])
	assert.Equal(t, 1, srv.Attempts("/rest/api/2/issue"))
}

func TestConcurrentClicksFileOneTicket(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	svc := newService(t, newGitHub(srv, nil), tickets.Options{LockWait: 5 * time.Second, PollEvery: 5 * time.Millisecond})
	arrived, release := srv.Hold()

	const clicks = 8
	outs := make([]tickets.Outcome, clicks)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); outs[0], _ = svc.Submit(ctxT(t), click("h")) }()
	<-arrived // the first click is creating the issue
	for i := 1; i < clicks; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i], _ = svc.Submit(ctxT(t), click("h")) }()
	}
	time.Sleep(20 * time.Millisecond) // let the others find the key locked
	release()
	wg.Wait()

	require.Len(t, srv.Issues(), 1)
	created := 0
	for _, o := range outs {
		if o.Created {
			created++
		}
		assert.True(t, o.Created || o.Existing, "%+v", o)
		assert.Equal(t, "1", o.Ref.ID)
	}
	assert.Equal(t, 1, created)
}

func TestConcurrentClickAnswersPendingWhenTheOtherIsSlow(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	svc := newService(t, newGitHub(srv, nil), tickets.Options{LockWait: 30 * time.Millisecond, PollEvery: 5 * time.Millisecond})
	arrived, release := srv.Hold()
	done := make(chan tickets.Outcome)
	go func() { o, _ := svc.Submit(ctxT(t), click("h")); done <- o }()
	<-arrived
	o, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o.Pending)
	release()
	assert.True(t, (<-done).Created)
	assert.Len(t, srv.Issues(), 1)
}

func TestSystemDownSpoolsThenRetryDelivers(t *testing.T) {
	srv := ticketstest.StartJira(t, jiraEmail, jiraToken)
	srv.SetDown(true)
	svc := newService(t, newJira(srv, jiraToken), tickets.Options{})

	o, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o.Spooled)
	var te *tickets.Error
	require.True(t, errors.As(o.Err, &te))
	assert.Equal(t, 503, te.Status)
	assert.FileExists(t, o.SpoolFile)
	zip := o.SpoolFile[:len(o.SpoolFile)-len(".json")] + ".zip"
	data, err := os.ReadFile(zip)
	require.NoError(t, err)
	assert.Equal(t, sampleTicket().Attachment.Data, data)

	// Another click while it is still down replaces the item: one spooled.
	o2, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o2.Spooled)
	items, _ := svc.Spool().Items()
	assert.Len(t, items, 1)

	rep, err := svc.RetrySpooled(ctxT(t))
	require.NoError(t, err)
	assert.Len(t, rep.Failed, 1, "still down: kept")

	srv.SetDown(false)
	rep, err = svc.RetrySpooled(ctxT(t))
	require.NoError(t, err)
	require.Len(t, rep.Delivered, 1)
	assert.Equal(t, "OPS-1", rep.Delivered[0].Ref.ID)
	items, _ = svc.Spool().Items()
	assert.Empty(t, items)
	require.Len(t, srv.Issues(), 1)
	assert.Len(t, srv.Issues()[0].Attachments, 1, "the spooled bundle is attached on delivery")

	o3, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o3.Existing, "the delivered ticket is recorded for the key")
	assert.Len(t, srv.Issues(), 1)
}

func TestClickAfterRecoveryDeliversAndClearsTheSpool(t *testing.T) {
	srv := ticketstest.StartWebhook(t, hookSecret)
	wh := tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL, Secret: hookSecret}, fastClient(nil))
	svc := newService(t, wh, tickets.Options{})
	srv.SetDown(true)
	o, _ := svc.Submit(ctxT(t), click("h"))
	require.True(t, o.Spooled)
	srv.SetDown(false)
	o, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o.Created)
	items, _ := svc.Spool().Items()
	assert.Empty(t, items)
	rep, _ := svc.RetrySpooled(ctxT(t))
	assert.Empty(t, rep.Delivered)
	assert.Len(t, srv.Issues(), 1)
}

func TestGitHubBundleIsKeptInTheSpool(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	svc := newService(t, newGitHub(srv, nil), tickets.Options{})
	o, err := svc.Submit(ctxT(t), click("h"))
	require.NoError(t, err)
	assert.True(t, o.Created)
	assert.FileExists(t, o.KeptBundle)
}

func TestUnknownSystem(t *testing.T) {
	srv := ticketstest.StartGitHub(t, githubToken, githubRepo)
	svc := newService(t, newGitHub(srv, nil), tickets.Options{})
	req := click("h")
	req.System = "jira"
	_, err := svc.Submit(ctxT(t), req)
	var se *tickets.SystemError
	require.True(t, errors.As(err, &se))
	assert.Equal(t, `ticket system "jira" is not configured (configured: github)`, err.Error())
	assert.Equal(t, []string{"github"}, svc.Systems())
	assert.Equal(t, "github", svc.Default())
}
