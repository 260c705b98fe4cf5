package platform_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
	"github.com/caracal-bot/caracal-bot/chat"
)

func TestClickRoutesTheButtonsUnderADiagnosis(t *testing.T) {
	for _, tc := range []struct {
		name, action string
		tickets      bool
		want         platform.Click
		refusal      string
	}{
		{"re-run replaces the message", chat.ActionRerun, false, platform.Click{Command: "why", Replace: true}, ""},
		{"show trace goes into the thread", chat.ActionTrace, false, platform.Click{Command: "trace"}, ""},
		{"ticket with a ticket system", chat.ActionTicket, true, platform.Click{Command: "ticket"}, ""},
		{"ticket without one is answered at once", chat.ActionTicket, false, platform.Click{}, platform.TicketNotConfigured},
		{"an unknown button runs nothing", "delete", true, platform.Click{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := platform.NewReceiver("chatx", platform.Inbound{Tickets: tc.tickets})
			click, refusal := r.Click(tc.action)
			assert.Equal(t, tc.want, click)
			assert.Equal(t, tc.refusal, refusal)
		})
	}
}

// verifier answers every request with its result.
type verifier struct {
	use signedhttp.Use
	err error
}

func (v verifier) Verify(http.ResponseWriter, *http.Request) ([]byte, signedhttp.Use, error) {
	if v.err != nil {
		return nil, signedhttp.First, v.err
	}
	return []byte("body"), v.use, nil
}

func TestVerifiedServesOnlyVerifiedRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v      verifier
		status int
		next   string // what next saw, "" when it was not called
	}{
		{"bad signature", verifier{err: signedhttp.ErrBadSignature}, http.StatusUnauthorized, ""},
		{"body too large", verifier{err: signedhttp.ErrBodyTooLarge}, http.StatusRequestEntityTooLarge, ""},
		{"replay memory away", verifier{err: signedhttp.ErrReplayUnavailable}, http.StatusServiceUnavailable, ""},
		{"first use", verifier{use: signedhttp.First}, http.StatusNoContent, "body first"},
		{"already handled", verifier{use: signedhttp.AlreadyHandled}, http.StatusNoContent, "body again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			metrics := bot.NewMetrics(prometheus.NewRegistry())
			r := platform.NewReceiver("chatx", platform.Inbound{Metrics: metrics})
			var saw string
			h := r.Verified(tc.v, func(w http.ResponseWriter, _ *http.Request, body []byte, use signedhttp.Use) {
				saw = string(body) + map[signedhttp.Use]string{signedhttp.First: " first", signedhttp.AlreadyHandled: " again"}[use]
				w.WriteHeader(http.StatusNoContent)
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/chatx", strings.NewReader("body")))
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.next, saw)
			acks := testutil.CollectAndCount(metrics.AckLatency, "caracal_bot_ack_latency_seconds")
			if tc.next == "" {
				assert.Zero(t, acks, "a refusal is no acknowledgement")
			} else {
				assert.Equal(t, 1, acks)
			}
		})
	}
}

func TestLinkReportsTheConnectionAndCountsReconnections(t *testing.T) {
	metrics := bot.NewMetrics(prometheus.NewRegistry())
	l := platform.NewLink("chatx", metrics)
	assert.False(t, l.Connected(), "down until connected")
	assert.Equal(t, 1, testutil.CollectAndCount(metrics.Connected), "the gauge reads 0 from the start")
	assert.Equal(t, 1, testutil.CollectAndCount(metrics.Reconnects), "the count exists from the start, at zero")
	assert.Zero(t, testutil.ToFloat64(metrics.Connected.WithLabelValues("chatx")))
	l.Connect()
	assert.True(t, l.Connected())
	assert.Equal(t, 1.0, testutil.ToFloat64(metrics.Connected.WithLabelValues("chatx")))
	assert.Zero(t, testutil.ToFloat64(metrics.Reconnects.WithLabelValues("chatx")), "the first connection is no reconnection")
	l.Set(false)
	assert.False(t, l.Connected())
	assert.Zero(t, testutil.ToFloat64(metrics.Connected.WithLabelValues("chatx")))
	l.Set(true) // a session resumed
	l.Connect()
	assert.Equal(t, 1.0, testutil.ToFloat64(metrics.Reconnects.WithLabelValues("chatx")))
}
