package discord

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// httpEnv is the HTTP handler on a loopback server with fakes around it.
type httpEnv struct {
	srv     *httptest.Server
	sub     *bottest.Submitter
	metrics *bot.Metrics
	clock   *bottest.Clock
}

// newHTTPEnv serves the handler with sub and responders (nil: fakes);
// configure, if given, changes its options first.
func newHTTPEnv(t *testing.T, sub platform.Submitter, responders ResponderFactory, configure ...func(*InboundOptions)) *httpEnv {
	e := &httpEnv{metrics: bot.NewMetrics(prometheus.NewRegistry()), clock: bottest.NewClock(time.Unix(1_700_000_000, 0))}
	if sub == nil {
		e.sub = bottest.NewSubmitter()
		sub = e.sub
	}
	if responders == nil {
		responders = fakeResponders{}
	}
	opts := InboundOptions{PublicKey: testPublicKey(), AppID: "A1", Responders: responders,
		Inbound: platform.Inbound{Dispatcher: sub, Metrics: e.metrics, Now: e.clock.Now, MaxBody: 4 << 10}}
	for _, c := range configure {
		c(&opts)
	}
	e.srv = httptest.NewServer(NewHTTPHandler(opts))
	t.Cleanup(e.srv.Close)
	return e
}

// post sends body signed at ts (0: the clock's now) and returns the status
// and the response body.
func (e *httpEnv) post(t *testing.T, body string, ts int64) (int, string) {
	t.Helper()
	if ts == 0 {
		ts = e.clock.Now().Unix()
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+PathInteractions, strings.NewReader(body))
	require.NoError(t, err)
	s := strconv.FormatInt(ts, 10)
	req.Header.Set("X-Signature-Timestamp", s)
	req.Header.Set("X-Signature-Ed25519", signature(s, body))
	status, answer := do(t, req)
	if status == http.StatusOK {
		require.NoError(t, discordfake.CheckInteractionResponse([]byte(answer)), "Discord would refuse the answer %s", answer)
	}
	return status, answer
}

func (e *httpEnv) interact(t *testing.T, i *discordgo.Interaction) (int, string) {
	t.Helper()
	return e.interactAt(t, i, 0)
}

// interactAt posts i signed at ts (0: now).
func (e *httpEnv) interactAt(t *testing.T, i *discordgo.Interaction, ts int64) (int, string) {
	t.Helper()
	b, err := json.Marshal(i)
	require.NoError(t, err)
	return e.post(t, string(b), ts)
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

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		require.FailNow(t, what+" never closed")
	}
}

// assertEphemeral checks body is an immediate ephemeral message with text
// (escaped) that pings nobody.
func assertEphemeral(t *testing.T, text, body string) {
	t.Helper()
	var r discordgo.InteractionResponse
	require.NoError(t, json.Unmarshal([]byte(body), &r), body)
	assert.Equal(t, discordgo.InteractionResponseChannelMessageWithSource, r.Type)
	require.NotNil(t, r.Data)
	assert.Equal(t, chat.EscapeDiscord(text), r.Data.Content)
	assert.Equal(t, discordgo.MessageFlagsEphemeral, r.Data.Flags)
	require.NotNil(t, r.Data.AllowedMentions)
	assert.Empty(t, r.Data.AllowedMentions.Parse)
	assert.Contains(t, body, `"parse":[]`)
}

func TestHTTP_Ping(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	status, body := e.post(t, `{"id":"P1","type":1,"application_id":"A1","token":"t","version":1}`, 0)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":1}`, body)
	assert.Empty(t, e.sub.Submitted())
}

func TestHTTP_ApplicationCommand(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	i := commandInteraction("I1", "why", str("request_id", "req-1"), str("zone", "z"), num("status", 403),
		str("error", "access_denied"), str("symptom", "no-audit"))
	status, body := e.interact(t, i)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body)

	reqs := e.sub.Dispatched()
	require.Len(t, reqs, 1)
	assert.Equal(t, chat.Invocation{Platform: "discord", Command: "why", Text: "req-1 --zone z --status 403 --error access_denied --symptom no-audit",
		UserID: "U1", UserName: "ana", ChannelID: "C1", TriggeredAt: e.clock.Now()}, reqs[0].Invocation)
	assert.Equal(t, "discord:interaction:I1", reqs[0].DedupKey)
	assert.Zero(t, reqs[0].DedupFor)
	assert.Equal(t, []string{"R1", "R2"}, reqs[0].Groups)
	tg, acked := targetOf(t, reqs[0])
	assert.Equal(t, Target{AppID: "A1", InteractionToken: "tok-I1", ChannelID: "C1", GuildID: "G1", UserID: "U1"}, tg)
	waitClosed(t, acked, "Acked")
	// The ack is timed once its answer is written: the client may read it first.
	assert.Eventually(t, func() bool {
		return testutil.CollectAndCount(e.metrics.AckLatency, "caracal_bot_ack_latency_seconds") == 1
	}, 5*time.Second, 5*time.Millisecond)

	// The same interaction again (signed anew) is a duplicate: deferred
	// again, which is idempotent, and not dispatched.
	status, body = e.interactAt(t, i, e.clock.Now().Unix()-1)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body)
	assert.Len(t, e.sub.Dispatched(), 1)
}

// dm moves an interaction to a DM: no guild, and the user without member.
func dm(i *discordgo.Interaction) *discordgo.Interaction {
	i.GuildID, i.Member, i.User = "", nil, &discordgo.User{ID: "U9", Username: "bo"}
	return i
}

// inGuild moves an interaction to another guild.
func inGuild(i *discordgo.Interaction, guild string) *discordgo.Interaction {
	i.GuildID = guild
	return i
}

func TestHTTP_DMsAllowed(t *testing.T) {
	e := newHTTPEnv(t, nil, nil, func(o *InboundOptions) { o.AllowDMs = true })
	status, body := e.interact(t, dm(commandInteraction("I2", "status")))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body)
	req := e.sub.Next(t)
	assert.Equal(t, chat.Invocation{Platform: "discord", Command: "status", UserID: "U9", UserName: "bo", ChannelID: "C1",
		TriggeredAt: e.clock.Now()}, req.Invocation)
	assert.Nil(t, req.Groups, "in a DM the user comes without member: no roles")
	tg, _ := targetOf(t, req)
	assert.Equal(t, Target{AppID: "A1", InteractionToken: "tok-I2", ChannelID: "C1", UserID: "U9"}, tg)

	status, body = e.interact(t, inGuild(commandInteraction("I3", "status"), "G-any"))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body, "without configured guilds every guild is served")
	assert.Len(t, e.sub.Submitted(), 2)
}

// TestHTTP_ClosedByDefault: a guild that is not configured and a DM get an
// ephemeral refusal that shows no data, for commands (the message command
// too) and buttons alike, and nothing reaches the dispatcher.
func TestHTTP_ClosedByDefault(t *testing.T) {
	e := newHTTPEnv(t, nil, nil, func(o *InboundOptions) { o.Guilds = []string{"G0", "G1"} })
	rerun := buttonID(chat.ActionRerun, "req-1 --zone z")
	for _, tc := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"command from another guild", inGuild(commandInteraction("I1", "why", str("request_id", "req-1")), "G2"), NotThisServer},
		{"button from another guild", inGuild(buttonInteraction("B1", rerun, "U1"), "G2"), NotThisServer},
		{"command in a DM", dm(commandInteraction("I2", "audit")), NoDMs},
		{"button in a DM", dm(buttonInteraction("B2", rerun, "U9")), NoDMs},
		{"help in a DM", dm(commandInteraction("I3", "help")), NoDMs},
		{"message command from another guild", inGuild(messageInteraction("M1", "req-1"), "G2"), NotThisServer},
		{"message command in a DM", dm(messageInteraction("M2", "req-1")), NoDMs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.interact(t, tc.i)
			require.Equal(t, http.StatusOK, status)
			assertEphemeral(t, tc.want, body)
		})
	}
	assert.Empty(t, e.sub.Submitted(), "nothing refused reaches the dispatcher")

	status, body := e.interact(t, commandInteraction("I4", "why", str("request_id", "req-1")))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":5}`, body, "a configured guild is served")
	status, body = e.interact(t, buttonInteraction("B3", rerun, "U1"))
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"type":6}`, body)
	require.Len(t, e.sub.Submitted(), 2)
	tg, _ := targetOf(t, e.sub.Submitted()[1])
	assert.Equal(t, "G1", tg.GuildID)
}

func TestHTTP_Refused(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	b, err := json.Marshal(commandInteraction("I1", "status"))
	require.NoError(t, err)
	body := string(b)
	now := e.clock.Now().Unix()

	status, _ := e.post(t, body, now-6*60)
	assert.Equal(t, http.StatusUnauthorized, status, "stale timestamp")
	status, _ = e.post(t, body, now+6*60)
	assert.Equal(t, http.StatusUnauthorized, status, "timestamp from the future")

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+PathInteractions, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Signature-Timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("X-Signature-Ed25519", signature(strconv.FormatInt(now, 10), body+" "))
	status, _ = do(t, req)
	assert.Equal(t, http.StatusUnauthorized, status, "bad signature")

	req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+PathInteractions, strings.NewReader(body))
	require.NoError(t, err)
	status, _ = do(t, req)
	assert.Equal(t, http.StatusUnauthorized, status, "no signature")

	big := `{"type":1,"pad":"` + strings.Repeat("x", 5<<10) + `"}`
	status, _ = e.post(t, big, 0)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status, "oversized body")

	assert.Empty(t, e.sub.Submitted(), "nothing refused reaches the dispatcher")

	// A valid request is never refused for having come before.
	status, _ = do(t, signedHTTP(t, e, body, now))
	assert.Equal(t, http.StatusOK, status)
	status, _ = do(t, signedHTTP(t, e, body, now))
	assert.Equal(t, http.StatusOK, status, "the same signed request again")
	assert.Len(t, e.sub.Submitted(), 1)

	status, _ = do(t, mustRequest(t, http.MethodGet, e.srv.URL+PathInteractions))
	assert.Equal(t, http.StatusMethodNotAllowed, status)
	status, _ = do(t, mustRequest(t, http.MethodPost, e.srv.URL+"/discord/other"))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, 1, testutil.CollectAndCount(e.metrics.AckLatency, "caracal_bot_ack_latency_seconds"))
}

// An interaction already handled that comes again byte for byte is given
// the idempotent answer it got and runs nothing.
func TestHTTP_AlreadyHandled(t *testing.T) {
	for _, tc := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"ping", &discordgo.Interaction{ID: "P1", AppID: "A1", Type: discordgo.InteractionPing, Token: "t"}, `{"type":1}`},
		{"command", commandInteraction("I1", "status"), `{"type":5}`},
		{"button", buttonInteraction("I2", buttonID(chat.ActionTrace, "req-1"), "U1"), `{"type":6}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newHTTPEnv(t, nil, nil)
			b, err := json.Marshal(tc.i)
			require.NoError(t, err)
			for range 3 {
				status, body := e.post(t, string(b), 0)
				require.Equal(t, http.StatusOK, status)
				assert.JSONEq(t, tc.want, body)
			}
			if tc.i.Type == discordgo.InteractionPing {
				assert.Empty(t, e.sub.Submitted())
				return
			}
			assert.Len(t, e.sub.Submitted(), 1, "run once, never submitted again")
			_, acked := targetOf(t, e.sub.Next(t))
			waitClosed(t, acked, "Acked")
		})
	}
}

func signedHTTP(t *testing.T, e *httpEnv, body string, ts int64) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+PathInteractions, strings.NewReader(body))
	require.NoError(t, err)
	s := strconv.FormatInt(ts, 10)
	req.Header.Set("X-Signature-Timestamp", s)
	req.Header.Set("X-Signature-Ed25519", signature(s, body))
	return req
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	return req
}

func TestHTTP_NotAccepted(t *testing.T) {
	for _, out := range []bot.Outcome{
		{Status: bot.Busy, Ack: "caracal-bot is busy with other diagnoses; try again in a minute."},
		{Status: bot.Forbidden, Ack: "you may not run bundle here; <@&123> @everyone"},
		{Status: bot.Stopping, Ack: "caracal-bot is restarting; try again in a few seconds."},
	} {
		t.Run(string(out.Status), func(t *testing.T) {
			e := newHTTPEnv(t, nil, nil)
			e.sub.SetOutcome(out)
			status, body := e.interact(t, commandInteraction("I1", "bundle", str("request_id", "r1")))
			require.Equal(t, http.StatusOK, status)
			assertEphemeral(t, out.Ack, body)
			assert.NotContains(t, body, "@everyone", "mentions are defanged")
			req := e.sub.Next(t)
			_, acked := targetOf(t, req)
			waitClosed(t, acked, "Acked")
		})
	}
}

func TestHTTP_Unhandled(t *testing.T) {
	e := newHTTPEnv(t, nil, nil)
	status, _ := e.post(t, `{"id":"X","type":4,"token":"t","data":{"name":"caracal"}}`, 0)
	assert.Equal(t, http.StatusBadRequest, status, "autocomplete is not used")
	status, _ = e.post(t, `{"id":"X","type":99,"token":"t"}`, 0)
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = e.post(t, `{"type":`, 0)
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = e.post(t, `{"id":"X","type":2,"data":{"name":"caracal"}}`, 0)
	assert.Equal(t, http.StatusBadRequest, status, "no token to answer with")

	i := commandInteraction("I3", "why")
	i.Data = discordgo.ApplicationCommandInteractionData{Name: CommandName}
	status, body := e.interact(t, i)
	assert.Equal(t, http.StatusOK, status)
	assertEphemeral(t, chat.Usage, body)

	i = commandInteraction("I4", "why")
	i.Member = nil
	status, body = e.interact(t, i)
	assert.Equal(t, http.StatusOK, status)
	assertEphemeral(t, NoUser, body)
	assert.Empty(t, e.sub.Submitted())
}
