package slack

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// fakeResponder stands for the Poster's responder for one target.
type fakeResponder struct{ t Target }

func (fakeResponder) Deliver(context.Context, chat.Reply) error { return nil }
func (fakeResponder) Note(context.Context, chat.Reply) error    { return nil }

type ephemeralCall struct {
	t Target
	r chat.Reply
}

// fakeResponders records ephemeral messages (dropping them when its buffer
// is full, as fuzzing makes many).
type fakeResponders struct{ ephemerals chan ephemeralCall }

func newFakeResponders() *fakeResponders {
	return &fakeResponders{ephemerals: make(chan ephemeralCall, 64)}
}

func (f *fakeResponders) Responder(t Target) bot.Responder { return fakeResponder{t} }

func (f *fakeResponders) Ephemeral(_ context.Context, t Target, r chat.Reply) error {
	select {
	case f.ephemerals <- ephemeralCall{t, r}:
	default:
	}
	return nil
}

func (f *fakeResponders) next(t *testing.T) ephemeralCall {
	t.Helper()
	select {
	case c := <-f.ephemerals:
		return c
	case <-time.After(2 * time.Second):
		t.Fatal("no ephemeral message")
		return ephemeralCall{}
	}
}

func (f *fakeResponders) none(t *testing.T) {
	t.Helper()
	select {
	case c := <-f.ephemerals:
		t.Fatalf("unexpected ephemeral message %+v", c)
	default:
	}
}

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestInbound() (*inbound, *bottest.Submitter, *fakeResponders) {
	sub, resp := bottest.NewSubmitter(), newFakeResponders()
	in := newInbound(InboundOptions{Inbound: platform.Inbound{Dispatcher: sub, Now: func() time.Time { return testNow }}, Responders: resp})
	return in, sub, resp
}

func TestSlashCommand_Mapping(t *testing.T) {
	in, sub, _ := newTestInbound()
	ack := in.slashCommand(t.Context(), slashCommandFromForm(url.Values{"text": {"why req-1 --zone z"},
		"user_id": {"U1"}, "user_name": {"ana"}, "channel_id": {"C1"}, "trigger_id": {"T1"}, "response_url": {"https://hooks/x"}}))
	require.NotNil(t, ack)
	assert.Equal(t, ackMessage{ResponseType: "ephemeral", Text: "Working on it: running why…"}, *ack)
	want := bot.Request{
		Invocation: chat.Invocation{Platform: "slack", Command: "why", Text: "req-1 --zone z", UserID: "U1", UserName: "ana", ChannelID: "C1", TriggeredAt: testNow},
		DedupKey:   "slack:cmd:T1",
		Responder:  fakeResponder{Target{ChannelID: "C1", UserID: "U1", ResponseURL: "https://hooks/x"}},
	}
	assert.Equal(t, []bot.Request{want}, sub.Dispatched())
}

func TestSlashCommand_UsageAndErrorsAreEscaped(t *testing.T) {
	in, sub, _ := newTestInbound()
	form := url.Values{"user_id": {"U1"}, "channel_id": {"C1"}, "trigger_id": {"T1"}}
	ack := in.slashCommand(t.Context(), slashCommandFromForm(form))
	require.NotNil(t, ack)
	assert.Contains(t, ack.Text, "/caracal &lt;command&gt;")

	form.Set("text", "<!channel> <https://evil.example|click>")
	ack = in.slashCommand(t.Context(), slashCommandFromForm(form))
	require.NotNil(t, ack)
	assert.Contains(t, ack.Text, "is not a command")
	assert.NotContains(t, ack.Text, "<!channel>")
	assert.NotContains(t, ack.Text, "<")
	assert.Empty(t, sub.Submitted())
}

func TestMention_ThreadsAndSelf(t *testing.T) {
	tests := []struct{ name, text, self, want string }{
		{"leading", "<@UBOT> why x", "UBOT", " why x"},
		{"named", "hey <@UBOT|caracal> why x", "UBOT", " why x"},
		{"other user first", "<@UANA> <@UBOT> status", "UBOT", " status"},
		{"no self known", "<@UBOT> why x", "", "<@UBOT> why x"},
		{"prefix only", "<@UBOTX> why", "UBOT", "<@UBOTX> why"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, afterMention(tt.text, tt.self))
		})
	}
}

func FuzzSlashCommandForm(f *testing.F) {
	f.Add([]byte("text=why+r1&user_id=U1&channel_id=C1&trigger_id=T1"))
	f.Add([]byte("text=&user_id=U1&channel_id=C1"))
	f.Add([]byte("text=%3C%21channel%3E&user_id=U1&channel_id=C1"))
	f.Add([]byte("%zz&&=;"))
	in, _, _ := newTestInbound()
	f.Fuzz(func(t *testing.T, body []byte) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return
		}
		if ack := in.slashCommand(t.Context(), slashCommandFromForm(form)); ack != nil {
			assert.NotContains(t, ack.Text, "<")
		}
	})
}

func FuzzInteractionPayload(f *testing.F) {
	f.Add([]byte(actionPayload("why", "r1", "U1")))
	f.Add([]byte(actionPayload("ticket", "r1", "U1")))
	f.Add([]byte(`{"type":"block_actions","actions":[{}],"user":{"id":"U"}}`))
	f.Add([]byte(`{"type":"block_actions","actions":null}`))
	f.Add([]byte(`[]`))
	in, _, _ := newTestInbound()
	f.Fuzz(func(t *testing.T, payload []byte) {
		_ = in.interaction(t.Context(), payload)
	})
}

func FuzzEventsPayload(f *testing.F) {
	f.Add([]byte(mentionEvent("Ev1", "<@UBOT> why r1", "", "")))
	f.Add([]byte(mentionEvent("Ev2", "<@UBOT>", "1700000000.000100", "")))
	f.Add([]byte(mentionEvent("Ev3", "<@UBOT|x", "", "B1")))
	f.Add([]byte(`{"type":"url_verification","challenge":"c"}`))
	f.Add([]byte(`{"type":"event_callback","event":null,"authorizations":[]}`))
	in, _, _ := newTestInbound()
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, _ = in.event(t.Context(), payload, 0)
	})
}

func TestHTTP_Buttons(t *testing.T) {
	const ts = "1700000000.000100"
	tests := []struct {
		action string
		want   bot.Request
	}{
		{"why", bot.Request{
			Invocation: chat.Invocation{Platform: "slack", Command: "why", Text: "req-1 --zone z", UserID: "U1", UserName: "ana", ChannelID: "C1", ThreadID: ts},
			DedupKey:   "slack:action:" + ts + ":why:U1", DedupFor: actionDedupFor,
			Responder: fakeResponder{Target{ChannelID: "C1", UserID: "U1", UpdateTS: ts, ThreadTS: ts, ResponseURL: "https://hooks.slack.com/actions/y"}},
		}},
		{"trace", bot.Request{
			Invocation: chat.Invocation{Platform: "slack", Command: "trace", Text: "req-1 --zone z", UserID: "U1", UserName: "ana", ChannelID: "C1", ThreadID: ts},
			DedupKey:   "slack:action:" + ts + ":trace:U1", DedupFor: actionDedupFor,
			Responder: fakeResponder{Target{ChannelID: "C1", UserID: "U1", ThreadTS: ts, ResponseURL: "https://hooks.slack.com/actions/y"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			e := newHTTPEnv(t)
			tt.want.Invocation.TriggeredAt = e.now
			form := url.Values{"payload": {actionPayload(tt.action, "req-1 --zone z", "U1")}}.Encode()
			status, body := e.post(t, PathInteractions, form, 0, nil)
			require.Equal(t, http.StatusOK, status)
			assert.Empty(t, body)
			// A double click: the second delivery has the same key and is dropped.
			status, _ = e.post(t, PathInteractions, form, e.now.Unix()-1, nil)
			require.Equal(t, http.StatusOK, status)
			calls := e.sub.Submitted()
			require.Len(t, calls, 2)
			assert.Equal(t, calls[0].DedupKey, calls[1].DedupKey)
			assert.Equal(t, []bot.Request{tt.want}, e.sub.Dispatched())
			ack := e.resp.next(t)
			assert.Equal(t, "Working on it: running why…", ack.r.Summary)
			assert.Equal(t, Target{ChannelID: "C1", UserID: "U1", ResponseURL: "https://hooks.slack.com/actions/y"}, ack.t)
			e.resp.none(t)
		})
	}
}

func TestHTTP_TicketButtonAndUnknownActions(t *testing.T) {
	e := newHTTPEnv(t)
	status, _ := e.post(t, PathInteractions, url.Values{"payload": {actionPayload("ticket", "req-1", "U1")}}.Encode(), 0, nil)
	require.Equal(t, http.StatusOK, status)
	c := e.resp.next(t)
	assert.Equal(t, chat.Reply{Summary: platform.TicketNotConfigured, Severity: chat.SeverityInfo, Ephemeral: true}, c.r)
	assert.Equal(t, Target{ChannelID: "C1", UserID: "U1", ResponseURL: "https://hooks.slack.com/actions/y"}, c.t)

	for i, p := range []string{actionPayload("bogus", "x", "U1"), `{"type":"view_submission","user":{"id":"U1"}}`, `{"type":"block_actions","actions":[]}`} {
		status, _ = e.post(t, PathInteractions, url.Values{"payload": {p}}.Encode(), e.now.Unix()-int64(i+1), nil)
		assert.Equal(t, http.StatusOK, status)
	}
	assert.Empty(t, e.sub.Submitted())
	e.resp.none(t)
}

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"curl -v lines", "&gt; X-Request-Id: junk\n&lt; X-Request-Id: d08e", "> X-Request-Id: junk\n< X-Request-Id: d08e"},
		{"an escaped ampersand stays one", "a &amp;lt; b &amp; c", "a &lt; b & c"},
		{"a formatted link is its text", "curl <http://localhost:8081/v1/refunds> and <https://x.example/a|x.example/a>", "curl http://localhost:8081/v1/refunds and x.example/a"},
		{"mentions, channels and special mentions stay", "<@UBOT> <#C1|ops> <!here> why", "<@UBOT> <#C1|ops> <!here> why"},
		{"a lone bracket", "a < b > c <", "a < b > c <"},
		{"nothing to do", "why r1 --zone z", "why r1 --zone z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, plainText(tt.in))
		})
	}
}

// TestSlashCommand_PastedTranscriptArrivesWhole: a curl -v transcript typed
// into a slash command reaches the command with its newlines and its "<"
// and ">" lines as the user pasted them.
func TestSlashCommand_PastedTranscriptArrivesWhole(t *testing.T) {
	in, sub, _ := newTestInbound()
	text := "why the job fails\n---\n```\n&gt; X-Request-Id: refund retry #2\n&lt; HTTP/1.1 401 Unauthorized\n&lt; X-Request-Id: d08e\n```"
	in.slashCommand(t.Context(), slashCommandFromForm(url.Values{"text": {text}, "user_id": {"U1"}, "channel_id": {"C1"}, "trigger_id": {"T2"}}))
	reqs := sub.Dispatched()
	require.Len(t, reqs, 1)
	assert.Equal(t, "the job fails\n---\n```\n> X-Request-Id: refund retry #2\n< HTTP/1.1 401 Unauthorized\n< X-Request-Id: d08e\n```", reqs[0].Invocation.Text)
}
