package bot_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
)

// runnerFunc adapts a function to bot.Runner.
type runnerFunc func(ctx context.Context, inv chat.Invocation) chat.Reply

func (f runnerFunc) Handle(ctx context.Context, inv chat.Invocation) chat.Reply { return f(ctx, inv) }

// inbox is a Responder that records deliveries on a channel.
type inbox struct{ got chan chat.Reply }

func newInbox() *inbox { return &inbox{got: make(chan chat.Reply, 16)} }

func (b *inbox) Deliver(_ context.Context, r chat.Reply) error { b.got <- r; return nil }

func (b *inbox) Note(_ context.Context, r chat.Reply) error { b.got <- r; return nil }

func (b *inbox) next(t *testing.T) chat.Reply {
	t.Helper()
	select {
	case r := <-b.got:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no reply delivered")
		return chat.Reply{}
	}
}

func echo() bot.Runner {
	return runnerFunc(func(_ context.Context, inv chat.Invocation) chat.Reply {
		return chat.Reply{Summary: inv.Command + " " + inv.Text, Severity: chat.SeverityOK}
	})
}

func request(cmd, key string, r bot.Responder) bot.Request {
	return bot.Request{Invocation: chat.Invocation{Platform: "test", Command: cmd, Text: "x", ChannelID: "C1", UserID: "U1"}, DedupKey: key, Responder: r}
}

func TestAcceptedRequestRunsAndIsDelivered(t *testing.T) {
	d := bot.NewDispatcher(bot.Options{Runner: echo()})
	defer d.Shutdown(context.Background())
	box := newInbox()
	out := d.Submit(context.Background(), request("why", "k1", box))
	assert.Equal(t, bot.Accepted, out.Status)
	assert.Contains(t, out.Ack, "Working on it")
	assert.Equal(t, "why x", box.next(t).Summary)
}

func TestDuplicateDeliveryRunsOnce(t *testing.T) {
	d := bot.NewDispatcher(bot.Options{Runner: echo()})
	box := newInbox()
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", "same", box)).Status)
	dup := d.Submit(context.Background(), request("why", "same", box))
	assert.Equal(t, bot.Duplicate, dup.Status)
	assert.Empty(t, dup.Ack, "duplicates are acknowledged silently")
	require.NoError(t, d.Shutdown(context.Background()))
	assert.Len(t, box.got, 1)
}

func TestFullPoolAnswersBusyAndForgetsTheKey(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 8)
	blocking := runnerFunc(func(context.Context, chat.Invocation) chat.Reply {
		started <- struct{}{}
		<-release
		return chat.Reply{Summary: "done"}
	})
	d := bot.NewDispatcher(bot.Options{Runner: blocking, Workers: 1, Queue: 1})
	box := newInbox()
	require.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", "a", box)).Status)
	<-started                                                                                       // the worker is busy
	require.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", "b", box)).Status) // queued
	busy := d.Submit(context.Background(), request("why", "c", box))
	assert.Equal(t, bot.Busy, busy.Status)
	assert.Contains(t, busy.Ack, "busy")
	close(release)
	box.next(t)
	box.next(t)
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", "c", box)).Status, "a busy request can be retried with the same key")
	require.NoError(t, d.Shutdown(context.Background()))
}

func TestPolicyRefusesWithAReason(t *testing.T) {
	policy := bot.Policy{Channels: []string{"C1", "C2"}, Commands: map[string]bot.Rule{"bundle": {Users: []string{"U9"}, Groups: []string{"S-oncall"}}}}
	d := bot.NewDispatcher(bot.Options{Runner: echo(), Policy: policy})
	defer d.Shutdown(context.Background())
	box := newInbox()

	other := request("why", "", box)
	other.Invocation.ChannelID = "C7"
	out := d.Submit(context.Background(), other)
	assert.Equal(t, bot.Forbidden, out.Status)
	assert.Contains(t, out.Ack, "not enabled in this channel")

	out = d.Submit(context.Background(), request("bundle", "", box))
	assert.Equal(t, bot.Forbidden, out.Status)
	assert.Contains(t, out.Ack, "not allowed to run bundle")

	oncall := request("bundle", "", box)
	oncall.Groups = []string{"S-oncall"}
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), oncall).Status)
	named := request("bundle", "", box)
	named.Invocation.UserID = "U9"
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), named).Status)
	terminal := request("why", "", box)
	terminal.Invocation.ChannelID = ""
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), terminal).Status, "terminal invocations have no channel")
}

func TestPanickingCommandBecomesAnErrorReply(t *testing.T) {
	boom := runnerFunc(func(context.Context, chat.Invocation) chat.Reply { panic("boom") })
	d := bot.NewDispatcher(bot.Options{Runner: boom})
	defer d.Shutdown(context.Background())
	box := newInbox()
	d.Submit(context.Background(), request("why", "", box))
	r := box.next(t)
	assert.True(t, r.Ephemeral)
	assert.Contains(t, r.Summary, "internal error running why")
}

type panickyResponder struct{}

func (p *panickyResponder) Deliver(context.Context, chat.Reply) error { panic("adapter bug") }

func (p *panickyResponder) Note(context.Context, chat.Reply) error { panic("adapter bug") }

func TestPanickingResponderDoesNotKillTheWorker(t *testing.T) {
	d := bot.NewDispatcher(bot.Options{Runner: echo(), Workers: 1})
	d.Submit(context.Background(), request("why", "", &panickyResponder{}))
	box := newInbox()
	d.Submit(context.Background(), request("status", "", box))
	assert.Equal(t, "status x", box.next(t).Summary)
	require.NoError(t, d.Shutdown(context.Background()))
}

func TestShutdownDrainsAndThenRefuses(t *testing.T) {
	d := bot.NewDispatcher(bot.Options{Runner: echo(), Workers: 1, Queue: 8})
	box := newInbox()
	for _, k := range []string{"1", "2", "3"} {
		d.Submit(context.Background(), request("why", k, box))
	}
	require.NoError(t, d.Shutdown(context.Background()))
	assert.Len(t, box.got, 3, "queued work is finished and delivered")
	out := d.Submit(context.Background(), request("why", "4", box))
	assert.Equal(t, bot.Stopping, out.Status)
	assert.NotEmpty(t, out.Ack)
}

func TestMetricsCountOutcomes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := bot.NewMetrics(reg)
	d := bot.NewDispatcher(bot.Options{Runner: echo(), Metrics: m})
	box := newInbox()
	d.Submit(context.Background(), request("why", "k", box))
	d.Submit(context.Background(), request("why", "k", box))
	d.Submit(context.Background(), request("<script>", "", box))
	require.NoError(t, d.Shutdown(context.Background()))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.Commands.WithLabelValues("why", "accepted")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.Commands.WithLabelValues("why", "duplicate")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.Commands.WithLabelValues("why", "ok")))
	assert.Equal(t, 1.0, testutil.ToFloat64(m.Commands.WithLabelValues("other", "accepted")), "user-typed names never become labels")
}

func TestMemoryDeduperExpires(t *testing.T) {
	now := time.Unix(0, 0)
	dd := bot.NewMemoryDeduper(func() time.Time { return now })
	first, _ := dd.FirstSeen(context.Background(), "k", time.Minute)
	again, _ := dd.FirstSeen(context.Background(), "k", time.Minute)
	now = now.Add(2 * time.Minute)
	later, _ := dd.FirstSeen(context.Background(), "k", time.Minute)
	assert.True(t, first)
	assert.False(t, again)
	assert.True(t, later)
}

func TestPerUserRateLimit(t *testing.T) {
	d := bot.NewDispatcher(bot.Options{Runner: echo(), UserLimit: 2})
	defer d.Shutdown(context.Background())
	box := newInbox()
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", "1", box)).Status)
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", "2", box)).Status)
	out := d.Submit(context.Background(), request("why", "3", box))
	assert.Equal(t, bot.Throttled, out.Status)
	assert.Contains(t, out.Ack, "faster than caracal-bot allows")
	other := request("why", "4", box)
	other.Invocation.UserID = "U2"
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), other).Status, "limits are per user")
}

func TestPerChannelRateLimit(t *testing.T) {
	d := bot.NewDispatcher(bot.Options{Runner: echo(), UserLimit: 10, ChannelLimit: 3})
	defer d.Shutdown(context.Background())
	box := newInbox()
	for i, user := range []string{"U1", "U2", "U3"} {
		req := request("why", strconv.Itoa(i), box)
		req.Invocation.UserID = user
		assert.Equal(t, bot.Accepted, d.Submit(context.Background(), req).Status)
	}
	req := request("why", "3", box)
	req.Invocation.UserID = "U4"
	out := d.Submit(context.Background(), req)
	assert.Equal(t, bot.Throttled, out.Status, "a fourth user in the same channel is over the channel's limit")
	assert.Contains(t, out.Ack, "This channel has started 3 commands in the last minute")

	again := d.Submit(context.Background(), req)
	assert.Equal(t, bot.Throttled, again.Status, "a throttled delivery is forgotten, so its retry is judged again, not dropped as a duplicate")

	elsewhere := request("why", "5", box)
	elsewhere.Invocation.ChannelID = "C0OTHER"
	assert.Equal(t, bot.Accepted, d.Submit(context.Background(), elsewhere).Status, "limits are per channel")
}

func TestShutdownHandsBackWhatTheGracePeriodCannotFinish(t *testing.T) {
	started := make(chan struct{}, 1)
	slow := runnerFunc(func(ctx context.Context, inv chat.Invocation) chat.Reply {
		started <- struct{}{}
		<-ctx.Done() // a diagnosis still waiting on Caracal
		return chat.Reply{Summary: "half a diagnosis"}
	})
	d := bot.NewDispatcher(bot.Options{Runner: slow, Workers: 1, Queue: 8})
	box := newInbox()
	for _, k := range []string{"1", "2", "3"} {
		require.Equal(t, bot.Accepted, d.Submit(context.Background(), request("why", k, box)).Status)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := d.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "3 command(s) handed back")
	for range 3 {
		r := box.next(t)
		assert.Equal(t, "caracal-bot restarted before it could finish why; please run it again.", r.Summary,
			"the running command and the two queued ones are handed back, never half a diagnosis")
		assert.True(t, r.Ephemeral)
	}
}
