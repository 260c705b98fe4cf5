package slack

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	slackapi "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
)

const (
	posterToken   = "xoxb-0000-secret-poster-token"
	posterChannel = "C0DIAG"
	posterUser    = "U0ALICE"
)

// posterEnv is a Poster wired to a fake Slack, with a fake clock, metrics and a log.

type posterEnv struct {
	srv     *slackfake.Server
	poster  *Poster
	clock   *bottest.Clock
	metrics *bot.Metrics
	log     *syncbuf.Buffer
}

func newPosterEnv(t *testing.T, fakeOpts ...slackfake.Option) *posterEnv {
	t.Helper()
	srv := slackfake.Start(t, append([]slackfake.Option{slackfake.WithToken(posterToken)}, fakeOpts...)...)
	e := &posterEnv{srv: srv, clock: bottest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
		metrics: bot.NewMetrics(prometheus.NewRegistry()), log: &syncbuf.Buffer{}}
	e.poster = NewPoster(srv.Client(posterToken), PosterOptions{DeliveryOptions: bot.DeliveryOptions{
		Logger:  slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: e.metrics, Now: e.clock.Now, Sleep: e.clock.Sleep,
	}})
	return e
}

func (e *posterEnv) deliver(t *testing.T, target Target, r chat.Reply) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.poster.Responder(target).Deliver(ctx, r)
}

func counter(t *testing.T, c *prometheus.CounterVec, labels ...string) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.WithLabelValues(labels...).Write(&m))
	return m.GetCounter().GetValue()
}

// messageText is every text of a posted message: fallback and blocks JSON.

func messageText(m slackfake.Message) string { return m.Text + "\n" + m.BlocksJSON }

func inChannel() Target { return Target{ChannelID: posterChannel, UserID: posterUser} }

func TestDeliver_RootThenThreadInOrder(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Outage()))

	roots := e.srv.Roots(posterChannel)
	require.Len(t, roots, 1)
	root := roots[0]
	assert.Contains(t, messageText(root), "STS is not ready")
	assert.Contains(t, root.BlocksJSON, `"action_id":"why.rerun"`)
	assert.Equal(t, "false", root.Params.Get("unfurl_links"))

	thread := e.srv.Thread(posterChannel, root.TS)
	require.Len(t, thread, 2)
	assert.Contains(t, thread[0].BlocksJSON, "*What is down*")
	assert.Contains(t, thread[1].BlocksJSON, "*Next actions*")
	assert.Len(t, e.srv.Messages(posterChannel), 3, "nothing posted outside the thread")

	files := e.srv.Files()
	require.Len(t, files, 1, "the bundle is uploaded with files upload v2")
	assert.Equal(t, "caracal-bundle-01a21f00.zip", files[0].Name)
	assert.Equal(t, posterChannel, files[0].Channel)
	assert.Equal(t, root.TS, files[0].ThreadTS)
	assert.Len(t, files[0].Data, 12_634)
	for _, m := range []string{"files.getUploadURLExternal", "files.upload", "files.completeUploadExternal"} {
		assert.Equal(t, 1, e.srv.Calls(m), m)
	}
	assert.Empty(t, e.clock.Sleeps())
}

func TestDeliver_RerunUpdatesRootAndPostsNewThread(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Deny()))
	rootTS := e.srv.Roots(posterChannel)[0].TS

	again := chattest.Allow()
	require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser, UpdateTS: rootTS, ThreadTS: rootTS}, again))

	updates := e.srv.Updates()
	require.Len(t, updates, 1)
	assert.Equal(t, rootTS, updates[0].TS)
	roots := e.srv.Roots(posterChannel)
	require.Len(t, roots, 1, "the root is replaced, not duplicated")
	assert.True(t, roots[0].Edited)
	assert.Contains(t, roots[0].BlocksJSON, "request was allowed")
	thread := e.srv.Thread(posterChannel, rootTS)
	require.Len(t, thread, 5, "the first run's four sections, then the re-run's one")
	assert.Contains(t, thread[4].BlocksJSON, "Every check passed.")
}

func TestDeliver_RerunOfDeletedRootPostsANewOne(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UpdateTS: "1699999999.000001"}, chattest.Allow()))
	roots := e.srv.Roots(posterChannel)
	require.Len(t, roots, 1)
	assert.Len(t, e.srv.Thread(posterChannel, roots[0].TS), 1)
	assert.Equal(t, 0, int(counter(t, e.metrics.Undelivered, "slack")))
}

func TestDeliver_ShowTraceIntoExistingThread(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Deny()))
	rootTS := e.srv.Roots(posterChannel)[0].TS

	require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser, ThreadTS: rootTS}, chattest.Trace()))
	assert.Len(t, e.srv.Roots(posterChannel), 1, "no new root in the channel")
	thread := e.srv.Thread(posterChannel, rootTS)
	require.Len(t, thread, 6)
	assert.Contains(t, thread[4].BlocksJSON, "trace of 01a028c5", "the trace's root goes into the thread")
	assert.Contains(t, thread[5].BlocksJSON, "```\\nTime")
}

func TestDeliver_EphemeralReply(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser, ThreadTS: "1700000000.000009"}, chattest.EphemeralError()))
	eph := e.srv.Ephemerals()
	require.Len(t, eph, 1)
	assert.Equal(t, posterUser, eph[0].User)
	assert.Equal(t, "1700000000.000009", eph[0].ThreadTS)
	assert.Contains(t, eph[0].BlocksJSON, "Only visible to you")
	assert.Contains(t, eph[0].BlocksJSON, "*Usage*", "sections are in the one message")
	assert.Empty(t, e.srv.Messages(posterChannel))
}

// TestDeliver_IntoAMessagesThread: a diagnosis of someone's message (the
// message shortcut) is rooted in that message's thread: the verdict with
// its buttons first, then the rest, all under the message; nothing in the
// channel.
func TestDeliver_IntoAMessagesThread(t *testing.T) {
	const pasted = "1699999999.000042" // a user's message, not the bot's
	for name, target := range map[string]Target{
		"a channel message starts its thread": {ChannelID: posterChannel, UserID: posterUser, ThreadTS: pasted, NewThread: true},
		"a message inside a thread":           {ChannelID: posterChannel, UserID: posterUser, ThreadTS: pasted},
	} {
		t.Run(name, func(t *testing.T) {
			e := newPosterEnv(t)
			require.NoError(t, e.deliver(t, target, chattest.Deny()))
			assert.Empty(t, e.srv.Roots(posterChannel), "nothing in the channel")
			thread := e.srv.Thread(posterChannel, pasted)
			require.Len(t, thread, 5)
			assert.Contains(t, thread[0].BlocksJSON, "Request ID", "the verdict comes first")
			assert.Contains(t, thread[0].BlocksJSON, `"Re-run"`, "with its buttons")
			for _, m := range thread[1:] {
				assert.NotContains(t, m.BlocksJSON, `"action_id"`)
			}
		})
	}
}

// TestEphemeral_NewThreadGoesToTheChannel: Slack shows an ephemeral in a
// thread only once the thread is active, so an answer about a channel
// message without replies goes to the channel; inside a thread it stays
// there.
func TestEphemeral_NewThreadGoesToTheChannel(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser, ThreadTS: "1699999999.000042", NewThread: true},
		chattest.EphemeralError()))
	require.NoError(t, e.poster.Ephemeral(t.Context(), Target{ChannelID: posterChannel, UserID: posterUser, ThreadTS: "1699999999.000042"},
		chattest.EphemeralError()))
	eph := e.srv.Ephemerals()
	require.Len(t, eph, 2)
	assert.Empty(t, eph[0].ThreadTS)
	assert.Equal(t, "1699999999.000042", eph[1].ThreadTS)
	assert.Empty(t, e.srv.Messages(posterChannel))
}

func TestEphemeral_ResponseURL(t *testing.T) {
	t.Run("no channel", func(t *testing.T) {
		e := newPosterEnv(t)
		require.NoError(t, e.poster.Ephemeral(context.Background(), Target{ResponseURL: e.srv.ResponseURL("cmd1")}, chattest.EphemeralError()))
		posts := e.srv.ResponseURLPosts()
		require.Len(t, posts, 1)
		assert.Equal(t, "cmd1", posts[0].ID)
		assert.Equal(t, "ephemeral", posts[0].ResponseType)
		assert.False(t, posts[0].ReplaceOriginal)
		assert.Contains(t, posts[0].BlocksJSON, "has a space at position 4")
		assert.Equal(t, 0, e.srv.Calls("chat.postEphemeral"))
	})
	t.Run("postEphemeral refused", func(t *testing.T) {
		e := newPosterEnv(t, slackfake.WithChannel(slackfake.Channel{ID: posterChannel, Private: true, NotMember: true}))
		target := Target{ChannelID: posterChannel, UserID: posterUser, ResponseURL: e.srv.ResponseURL("cmd2")}
		require.NoError(t, e.poster.Ephemeral(context.Background(), target, chattest.EphemeralError()))
		assert.Equal(t, 1, e.srv.Calls("chat.postEphemeral"))
		require.Len(t, e.srv.ResponseURLPosts(), 1)
		assert.Equal(t, "ephemeral", e.srv.ResponseURLPosts()[0].ResponseType)
	})
	t.Run("nowhere to answer", func(t *testing.T) {
		e := newPosterEnv(t)
		err := e.poster.Ephemeral(context.Background(), Target{UserID: posterUser}, chattest.EphemeralError())
		require.ErrorContains(t, err, "without a channel and user or a response_url")
		assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "slack"))
	})
}

func TestDeliver_HugeTableUploadedAsFile(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, inChannel(), hugeTrace(600)))
	root := e.srv.Roots(posterChannel)[0]
	thread := e.srv.Thread(posterChannel, root.TS)
	require.Len(t, thread, 1)
	assert.Contains(t, thread[0].BlocksJSON, "attached below as `request-trace.txt`")
	files := e.srv.Files()
	require.Len(t, files, 1)
	assert.Equal(t, "request-trace.txt", files[0].Name)
	assert.Equal(t, root.TS, files[0].ThreadTS)
	assert.Equal(t, 600, strings.Count(string(files[0].Data), " resource=resource://pipernet"))
}

func TestDeliver_LongSectionsSplitUnderLimits(t *testing.T) {
	e := newPosterEnv(t)
	var items []chat.Item
	for i := range 150 {
		items = append(items, chat.Item{Text: strings.Repeat("evidence ", 8) + string(rune('a'+i%26))})
	}
	r := chat.Reply{Summary: "many findings", Sections: []chat.Section{{Title: "Evidence", Items: items}}}
	require.NoError(t, e.deliver(t, inChannel(), r))
	root := e.srv.Roots(posterChannel)[0]
	thread := e.srv.Thread(posterChannel, root.TS)
	require.Len(t, thread, 2, "about 11,400 characters take two messages")
	assert.Equal(t, "Evidence (continued)", thread[1].Text)
	require.Greater(t, len(thread[0].Blocks.BlockSet), 2)
	for _, m := range thread {
		for _, b := range m.Blocks.BlockSet {
			assert.LessOrEqual(t, len(b.(*slackapi.SectionBlock).Text.Text), 3000)
		}
	}
	assert.Empty(t, e.srv.Files())
}

func TestDeliver_HostileTextArrivesInert(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Hostile()))
	var all strings.Builder
	for _, m := range e.srv.Messages(posterChannel) {
		all.WriteString(messageText(m))
	}
	for _, bad := range []string{"<!channel>", "<@U024BE7LH>", "<@&123>", "https://evil", "<script>"} {
		assert.NotContains(t, all.String(), bad)
	}
	assert.Contains(t, all.String(), "<https://docs.caracal.run/reference/errors/?q=a%29b|docs>")
}
