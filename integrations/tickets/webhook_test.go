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
	assert.Equal(t, tk.Markdown, is.Body)
	assert.Equal(t, tk.Key, is.Extra["key"])
	assert.Equal(t, tk.Key, is.Extra["idempotency_key"])
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

	require.NoError(t, wh.Comment(ctxT(t), ref, "changed"))
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

func TestWebhookWrongSecretAndMissingID(t *testing.T) {
	srv := ticketstest.StartWebhook(t, hookSecret)
	_, err := tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL + "/hooks/abc123capability", Secret: "not-the-secret"}, fastClient(nil)).Create(ctxT(t), sampleTicket())
	var te *tickets.Error
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 401, te.Status)

	srv.Inject(ticketstest.Fault{Status: 200, Body: `{"url":"https://x.example/1"}`})
	_, err = tickets.NewWebhook(tickets.WebhookConfig{URL: srv.URL, Secret: hookSecret}, fastClient(nil)).Create(ctxT(t), sampleTicket())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no "id"`)

	down := tickets.NewWebhook(tickets.WebhookConfig{URL: "http://127.0.0.1:1/hooks/abc123capability"}, fastClient(nil))
	_, err = down.Create(ctxT(t), sampleTicket())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "abc123capability", "a webhook URL's path stays out of errors")
}
