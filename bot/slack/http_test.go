package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
	"github.com/caracal-bot/caracal-bot/chat"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// httpEnv is the HTTP handler on a loopback server with fakes around it.
type httpEnv struct {
	srv     *httptest.Server
	sub     *bottest.Submitter
	resp    *fakeResponders
	metrics *bot.Metrics
	now     time.Time // the injected clock; real time, as slack-go checks that too
}

func newHTTPEnv(t *testing.T) *httpEnv {
	e := &httpEnv{sub: bottest.NewSubmitter(), resp: newFakeResponders(),
		metrics: bot.NewMetrics(prometheus.NewRegistry()), now: time.Now().Truncate(time.Second)}
	e.srv = httptest.NewServer(NewHTTPHandler(InboundOptions{SigningSecret: testSecret, Responders: e.resp,
		Inbound: platform.Inbound{Dispatcher: e.sub, Metrics: e.metrics, Now: func() time.Time { return e.now }}}))
	t.Cleanup(e.srv.Close)
	return e
}

func sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	_, _ = io.WriteString(mac, "v0:"+strconv.FormatInt(ts, 10)+":"+body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends body to path signed at ts (0: the clock's now).
func (e *httpEnv) post(t *testing.T, path, body string, ts int64, header http.Header) (int, string) {
	t.Helper()
	if ts == 0 {
		ts = e.now.Unix()
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", sign(testSecret, ts, body))
	for k, v := range header {
		req.Header[k] = v
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func slashForm(text, trigger string) string {
	return url.Values{"command": {"/caracal"}, "text": {text}, "user_id": {"U1"}, "user_name": {"ana"},
		"channel_id": {"C1"}, "trigger_id": {trigger}, "response_url": {"https://hooks.slack.com/commands/x"}}.Encode()
}

func actionPayload(action, value, user string) string {
	b, _ := json.Marshal(map[string]any{"type": "block_actions", "response_url": "https://hooks.slack.com/actions/y",
		"user": map[string]string{"id": user, "username": "ana"}, "channel": map[string]string{"id": "C1"},
		"container": map[string]any{"type": "message", "message_ts": "1700000000.000100", "channel_id": "C1"},
		"actions":   []map[string]string{{"action_id": action, "block_id": "b", "value": value, "type": "button"}}})
	return string(b)
}

func mentionEvent(id, text, threadTS, botID string) string {
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": id,
		"authorizations": []map[string]string{{"user_id": "UBOT"}},
		"event": map[string]string{"type": "app_mention", "user": "U1", "text": text, "ts": "1700000001.000200",
			"thread_ts": threadTS, "channel": "C1", "bot_id": botID}})
	return string(b)
}

func TestHTTP_SlashCommand(t *testing.T) {
	e := newHTTPEnv(t)
	status, body := e.post(t, PathCommands, slashForm("why req-1", "T1"), 0, nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"response_type":"ephemeral","text":"Working on it: running why…"}`, body)
	want := bot.Request{
		Invocation: chat.Invocation{Platform: "slack", Command: "why", Text: "req-1", UserID: "U1", UserName: "ana", ChannelID: "C1", TriggeredAt: e.now},
		DedupKey:   "slack:cmd:T1",
		Responder:  fakeResponder{Target{ChannelID: "C1", UserID: "U1", ResponseURL: "https://hooks.slack.com/commands/x"}},
	}
	assert.Equal(t, []bot.Request{want}, e.sub.Submitted())
	assert.Equal(t, 1, testutil.CollectAndCount(e.metrics.AckLatency, "caracal_bot_ack_latency_seconds"))

	// The same trigger delivered again (signed anew) is a duplicate: empty 200.
	status, body = e.post(t, PathCommands, slashForm("why req-1", "T1"), e.now.Unix()-1, nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, body)
	assert.Len(t, e.sub.Dispatched(), 1)
}

func TestHTTP_Refused(t *testing.T) {
	form := slashForm("why req-1", "T1")
	tests := []struct {
		name   string
		mutate func(e *httpEnv, r *http.Request)
		status int
	}{
		{"bad signature", func(e *httpEnv, r *http.Request) {
			r.Header.Set("X-Slack-Signature", sign("wrong-secret", e.now.Unix(), form))
		}, 401},
		{"missing signature", func(_ *httpEnv, r *http.Request) { r.Header.Del("X-Slack-Signature") }, 401},
		{"missing timestamp", func(_ *httpEnv, r *http.Request) { r.Header.Del("X-Slack-Request-Timestamp") }, 401},
		{"no headers", func(_ *httpEnv, r *http.Request) { r.Header = http.Header{} }, 401},
		{"six minutes old", func(e *httpEnv, r *http.Request) { resign(r, e.now.Add(-6*time.Minute).Unix(), form) }, 401},
		{"six minutes ahead", func(e *httpEnv, r *http.Request) { resign(r, e.now.Add(6*time.Minute).Unix(), form) }, 401},
		{"garbage timestamp", func(_ *httpEnv, r *http.Request) { r.Header.Set("X-Slack-Request-Timestamp", "soon") }, 401},
		{"not v0", func(_ *httpEnv, r *http.Request) {
			r.Header.Set("X-Slack-Signature", strings.Replace(r.Header.Get("X-Slack-Signature"), "v0=", "v1=", 1))
		}, 401},
		{"body altered", func(_ *httpEnv, r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(form, "req-1", "req-2", 1)))
		}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newHTTPEnv(t)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+PathCommands, strings.NewReader(form))
			require.NoError(t, err)
			resign(req, e.now.Unix(), form)
			tt.mutate(e, req)
			status, _ := do(t, req)
			assert.Equal(t, tt.status, status)
			assert.Empty(t, e.sub.Submitted())
			assert.Equal(t, 0, testutil.CollectAndCount(e.metrics.AckLatency))
		})
	}
}

func resign(r *http.Request, ts int64, body string) {
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(testSecret, ts, body))
}

// A request already handled that comes again byte for byte (Slack's retry,
// a replay) is answered an empty 200 and runs nothing: a 401 would make
// Slack retry it and count a failure.
func TestHTTP_AlreadyHandled(t *testing.T) {
	for _, tc := range []struct{ name, path, body string }{
		{"slash command", PathCommands, slashForm("why req-1", "T1")},
		{"interaction", PathInteractions, url.Values{"payload": {actionPayload(chat.ActionTrace, "req-1", "U1")}}.Encode()},
		{"event", PathEvents, mentionEvent("Ev1", "<@UBOT> why req-1", "", "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newHTTPEnv(t)
			status, _ := e.post(t, tc.path, tc.body, 0, nil)
			require.Equal(t, http.StatusOK, status)

			retry := http.Header{"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}
			status, body := e.post(t, tc.path, tc.body, 0, retry)
			assert.Equal(t, http.StatusOK, status, "Slack's retry")
			assert.Empty(t, body)
			status, body = e.post(t, tc.path, tc.body, 0, nil)
			assert.Equal(t, http.StatusOK, status, "the very same signed request")
			assert.Empty(t, body)
			// The signature with upper-case hex digits is the same signature.
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			resign(req, e.now.Unix(), tc.body)
			req.Header.Set("X-Slack-Signature", "v0="+strings.ToUpper(strings.TrimPrefix(req.Header.Get("X-Slack-Signature"), "v0=")))
			status, body = do(t, req)
			assert.Equal(t, http.StatusOK, status, "the same signature in upper case")
			assert.Empty(t, body)

			assert.Len(t, e.sub.Submitted(), 1, "run once, never submitted again")
		})
	}
}

func TestHTTP_OversizedBody(t *testing.T) {
	e := newHTTPEnv(t)
	big := slashForm(strings.Repeat("x", int(signedhttp.DefaultMaxBody)), "T1")
	status, _ := e.post(t, PathCommands, big, 0, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)

	// Without a Content-Length the limit applies while reading.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+PathCommands, io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	resign(req, e.now.Unix()-1, big)
	status, _ = do(t, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Empty(t, e.sub.Submitted())
}

func TestHTTP_Routes(t *testing.T) {
	e := newHTTPEnv(t)
	res, err := http.Get(e.srv.URL + PathCommands)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	status, _ := e.post(t, "/slack/other", "x=1", 0, nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Empty(t, e.sub.Submitted())
}

func TestHTTP_URLVerification(t *testing.T) {
	e := newHTTPEnv(t)
	status, body := e.post(t, PathEvents, `{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, 0, nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, body)
	assert.Empty(t, e.sub.Submitted())
}

func TestHTTP_MentionRetriesRunOnce(t *testing.T) {
	e := newHTTPEnv(t)
	ev := mentionEvent("Ev1", "<@UBOT> why req-1", "", "")
	status, _ := e.post(t, PathEvents, ev, 0, nil)
	require.Equal(t, http.StatusOK, status)
	// Slack's retry is signed anew and carries X-Slack-Retry-Num; a repeated
	// event_id without it (e.g. from a second subscription) is the same.
	status, _ = e.post(t, PathEvents, ev, e.now.Unix()-1, http.Header{"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}})
	assert.Equal(t, http.StatusOK, status)
	status, _ = e.post(t, PathEvents, ev, e.now.Unix()-2, nil)
	assert.Equal(t, http.StatusOK, status)

	calls := e.sub.Submitted()
	require.Len(t, calls, 3)
	for _, c := range calls {
		assert.Equal(t, "slack:event:Ev1", c.DedupKey)
	}
	want := bot.Request{
		Invocation: chat.Invocation{Platform: "slack", Command: "why", Text: "req-1", UserID: "U1", ChannelID: "C1", TriggeredAt: e.now},
		DedupKey:   "slack:event:Ev1",
		Responder:  fakeResponder{Target{ChannelID: "C1", UserID: "U1", ThreadTS: "1700000001.000200", NewThread: true}},
	}
	assert.Equal(t, []bot.Request{want}, e.sub.Dispatched())
	ack := e.resp.next(t)
	assert.Equal(t, chat.Reply{Summary: "Working on it: running why…", Severity: chat.SeverityInfo, Ephemeral: true}, ack.r)
	e.resp.none(t) // duplicates are acknowledged silently
}

func TestHTTP_MentionInThread(t *testing.T) {
	e := newHTTPEnv(t)
	status, _ := e.post(t, PathEvents, mentionEvent("Ev2", "<@UBOT|caracal-bot> status", "1699999999.000001", ""), 0, nil)
	require.Equal(t, http.StatusOK, status)
	got := e.sub.Dispatched()
	require.Len(t, got, 1)
	assert.Equal(t, "status", got[0].Invocation.Command)
	assert.Equal(t, "1699999999.000001", got[0].Invocation.ThreadID)
	assert.Equal(t, fakeResponder{Target{ChannelID: "C1", UserID: "U1", ThreadTS: "1699999999.000001"}}, got[0].Responder)
}

func TestHTTP_MentionIgnoredOrUsage(t *testing.T) {
	e := newHTTPEnv(t)
	status, _ := e.post(t, PathEvents, mentionEvent("Ev3", "<@UBOT> why r", "", "B0BOT"), 0, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = e.post(t, PathEvents, `{"type":"event_callback","event_id":"Ev4","event":{"type":"reaction_added","user":"U1"}}`, 0, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, e.sub.Submitted(), "bot messages and other events are ignored")
	e.resp.none(t)

	status, _ = e.post(t, PathEvents, mentionEvent("Ev5", "<@UBOT>", "", ""), 0, nil)
	require.Equal(t, http.StatusOK, status)
	usage := e.resp.next(t)
	assert.Equal(t, chat.Usage, usage.r.Summary)
	assert.True(t, usage.r.Ephemeral)
	assert.Equal(t, Target{ChannelID: "C1", UserID: "U1", ThreadTS: "1700000001.000200", NewThread: true}, usage.t, "the usage is shown in the channel, where a thread without replies hides it")
	assert.Empty(t, e.sub.Submitted())
}

func TestHTTP_EventsBadPayload(t *testing.T) {
	e := newHTTPEnv(t)
	status, _ := e.post(t, PathEvents, `{"type":`, 0, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = e.post(t, PathInteractions, "payload=%7B", 0, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = e.post(t, PathInteractions, "nothing=here", 0, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Empty(t, e.sub.Submitted())
}
