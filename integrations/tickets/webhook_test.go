package tickets_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

func TestWebhookSignedCreateAndComment(t *testing.T) {
	srv := ticketstest.StartWebhook(t, hookSecret) // verifies every call
	wh := tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL + "/hooks/caracal", Secret: hookSecret}, fastClient(nil))
	tk := sampleTicket()
	ref, err := wh.Create(ctxT(t), tk)
	require.NoError(t, err)
	assert.Equal(t, tickets.Ref{System: "webhook", ID: "WH-001", URL: "https://tickets.example/WH-001"}, ref)

	is := srv.Issues()[0]
	assert.Equal(t, tk.Title, is.Title)
	assert.Equal(t, tickets.Markdown(tk.Body), is.Body)
	assert.Equal(t, tk.Key, is.Extra["key"])
	assert.Equal(t, tickets.Marker(tk.Key), is.Extra["idempotency_key"])
	require.Len(t, is.Attachments, 1)
	assert.Equal(t, tk.Attachment.Data, is.Attachments[0].Data)

	// The receiver can verify what it got with the shared secret, and only with it.
	r := srv.Requests()[0]
	assert.Equal(t, tickets.EventCreate, r.Header.Get(tickets.HeaderEvent))
	require.NoError(t, tickets.VerifyWebhook(hookSecret, r.Header, r.Body, time.Now(), time.Minute))
	assert.Error(t, tickets.VerifyWebhook("other-secret", r.Header, r.Body, time.Now(), time.Minute))
	assert.Error(t, tickets.VerifyWebhook(hookSecret, r.Header, append(r.Body, 'x'), time.Now(), time.Minute), "a tampered body fails")
	assert.Error(t, tickets.VerifyWebhook(hookSecret, r.Header, r.Body, time.Now().Add(time.Hour), time.Minute), "a replay outside the tolerance fails")
	assert.NotContains(t, srv.Received(), hookSecret)

	require.NoError(t, wh.Comment(ctxT(t), ref, tickets.Update{Body: note("changed")}))
	assert.Equal(t, []string{"changed"}, srv.Issues()[0].Comments)
	assert.Equal(t, tickets.EventComment, srv.Requests()[1].Header.Get(tickets.HeaderEvent))
}

func TestWebhookSignatureFormat(t *testing.T) {
	// echo -n '1700000000.{}' | openssl dgst -sha256 -hmac s3cret
	assert.Equal(t, "sha256=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf",
		tickets.SignWebhook("s3cret", "1700000000", []byte("{}")))
	h := http.Header{}
	h.Set(tickets.HeaderTimestamp, strconv.FormatInt(1700000000, 10))
	h.Set(tickets.HeaderSignature, tickets.SignWebhook("s3cret", "1700000000", []byte("{}")))
	assert.NoError(t, tickets.VerifyWebhook("s3cret", h, []byte("{}"), time.Unix(1700000060, 0), 5*time.Minute))
}

func TestWebhookWrongSecretAndUnreachable(t *testing.T) {
	srv := ticketstest.StartWebhook(t, hookSecret)
	_, err := tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL + "/hooks/abc123capability", Secret: "not-the-secret"}, fastClient(nil)).Create(ctxT(t), sampleTicket())
	var te *tickets.Error
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 401, te.Status)

	down := tickets.NewWebhook(tickets.WebhookConfig{URL: "http://127.0.0.1:1/hooks/abc123capability"}, fastClient(nil))
	_, err = down.Create(ctxT(t), sampleTicket())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "abc123capability", "a webhook URL's path stays out of errors")
}

// TestWebhookAnyAnswerIsDelivered: receivers answer 2xx in every shape.
// Each ticket is delivered once: nothing is spooled, and a second click
// sends nothing again (whatever the answer, the key is recorded).
func TestWebhookAnyAnswerIsDelivered(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		id, url    string // "" id: the marker
	}{
		{name: "no body", status: http.StatusOK},
		{name: "no content", status: http.StatusNoContent},
		{name: "accepted, not JSON", status: http.StatusAccepted, body: "queued"},
		{name: "JSON without id", status: http.StatusOK, body: `{"ok":true}`},
		{name: "id and url", status: http.StatusCreated, body: `{"id":"INC-7","url":"https://tickets.example/INC-7"}`, id: "INC-7", url: "https://tickets.example/INC-7"},
		{name: "numeric id, url not http", status: http.StatusOK, body: `{"id":42,"url":"javascript:alert(1)"}`, id: "42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ticketstest.StartWebhookAnswering(t, hookSecret, func(string) (int, string) { return tc.status, tc.body })
			svc := newService(t, tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL, Secret: hookSecret}, fastClient(nil)), tickets.Options{})
			o, err := svc.Submit(ctxT(t), click(hash("1")))
			require.NoError(t, err)
			require.True(t, o.Created, "%+v", o)
			assert.False(t, o.Spooled)
			want := tickets.Ref{System: "webhook", ID: tc.id, URL: tc.url}
			if want.ID == "" {
				want.ID = tickets.Marker(o.Key)
			}
			assert.Equal(t, want, o.Ref)

			again, err := svc.Submit(ctxT(t), click(hash("1")))
			require.NoError(t, err)
			assert.True(t, again.Existing)
			rep, err := svc.RetrySpooled(ctxT(t))
			require.NoError(t, err)
			assert.Empty(t, rep.Delivered)
			assert.Empty(t, rep.Failed)
			assert.Equal(t, 1, srv.Attempts(""), "one call: never sent again")

			require.Len(t, srv.Issues(), 1)
			if tc.id == "" {
				changed, err := svc.Submit(ctxT(t), click(hash("2")))
				require.NoError(t, err)
				assert.True(t, changed.Commented, "the comment names the ticket by its marker: %+v", changed)
				assert.Len(t, srv.Issues()[0].Comments, 1)
			}
		})
	}
}

func TestWebhookIdempotencyKeyHeader(t *testing.T) {
	srv := ticketstest.StartWebhook(t, "")
	tk := sampleTicket()
	tk.Key = tickets.Key("019f1ce8-1680-793b-b480-86d4734b60a7", "01a028ea-d354-7443-96e4-46e5643d943c", "router-rules/1 (ROUTER.md rows 1-22)")
	_, err := tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL}, fastClient(nil)).Create(ctxT(t), tk)
	require.NoError(t, err)
	assert.Equal(t, "caracal-bot-4bad0232ba330d69897f", srv.Requests()[0].Header.Get(tickets.HeaderIdempotency))
}
