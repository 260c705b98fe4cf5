package slack

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
)

func TestDeliver_RateLimitedWaitsRetryAfter(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.RateLimit("chat.postMessage", 2, 7)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Deny()))
	assert.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, e.clock.Sleeps())
	assert.Len(t, e.srv.Messages(posterChannel), 5)
	assert.Equal(t, 2.0, counter(t, e.metrics.RateLimited, "slack", "chat.postMessage"))
	assert.Equal(t, 0.0, counter(t, e.metrics.PlatformErrors, "slack", "chat.postMessage"))
}

// TestDeliver_RealRetryAfter waits a real one-second Retry-After once.
func TestDeliver_RealRetryAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("waits one real second")
	}
	srv := slackfake.Start(t)
	p := NewPoster(srv.Client(posterToken), PosterOptions{})
	srv.RateLimit("chat.postMessage", 1, 1)
	start := time.Now()
	require.NoError(t, p.Deliver(context.Background(), inChannel(), chattest.Allow()))
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	assert.Len(t, srv.Messages(posterChannel), 2)
}

func TestDeliver_ServerErrorsRetriedWithBackoff(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP("chat.postMessage", 500, 3)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Allow()))
	sleeps := e.clock.Sleeps()
	require.Len(t, sleeps, 3)
	for i, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
		assert.True(t, sleeps[i] >= want/2 && sleeps[i] <= want, "sleep %d = %s, want within [%s, %s]", i, sleeps[i], want/2, want)
	}
	assert.Len(t, e.srv.Messages(posterChannel), 2)
	assert.Equal(t, 3.0, counter(t, e.metrics.PlatformErrors, "slack", "chat.postMessage"))
}

func TestDeliver_GivesUpAfterMaxDeliveryTime(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP("chat.postMessage", 503, 0)
	start := e.clock.Now()
	err := e.deliver(t, inChannel(), chattest.Deny())
	require.ErrorContains(t, err, "chat.postMessage")
	require.ErrorContains(t, err, "giving up")
	assert.LessOrEqual(t, e.clock.Now().Sub(start), bot.DefaultMaxDeliveryTime)
	assert.Greater(t, e.clock.Now().Sub(start), bot.DefaultMaxDeliveryTime/2, "retried for most of the budget")
	assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "slack"))
	assert.Empty(t, e.srv.Messages(posterChannel))

	log := e.log.String()
	assert.Contains(t, log, `level=ERROR msg="slack: reply not delivered" channel=C0DIAG request_id=01a028ea-d354-7443-96e4-46e5643d943c method=chat.postMessage`)
	assert.NotContains(t, log, "xoxb", "no token in the logs")
	assert.NotContains(t, log, "secret")
}

func TestDeliver_ContextCanceledStops(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP("chat.postMessage", 500, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := e.poster.Deliver(ctx, inChannel(), chattest.Allow())
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, e.clock.Sleeps())
}

func TestDeliver_OneFailedThreadMessageLosesNothingElse(t *testing.T) {
	e := newPosterEnv(t)
	// The second post (the first thread reply) fails for good; a later one
	// fails twice transiently.
	e.srv.Inject(slackfake.Fault{Method: "chat.postMessage", After: 1, Times: 1, Error: "msg_too_long"})
	e.srv.Inject(slackfake.Fault{Method: "chat.postMessage", After: 2, Times: 2, Status: 502})
	err := e.deliver(t, inChannel(), chattest.Deny())
	require.ErrorContains(t, err, "msg_too_long")
	root := e.srv.Roots(posterChannel)[0]
	thread := e.srv.Thread(posterChannel, root.TS)
	require.Len(t, thread, 3, "Steps, Next actions and Missing evidence still posted")
	assert.Contains(t, thread[0].BlocksJSON, "*Steps*")
	assert.Contains(t, thread[2].BlocksJSON, "*Missing evidence*")
	assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "slack"))
	assert.Contains(t, e.log.String(), "method=chat.postMessage")
}

func TestDeliver_NotInChannelFallsBackToResponseURL(t *testing.T) {
	e := newPosterEnv(t, slackfake.WithChannel(slackfake.Channel{ID: posterChannel, NotMember: true}))
	target := Target{ChannelID: posterChannel, UserID: posterUser, ResponseURL: e.srv.ResponseURL("cmd")}
	require.NoError(t, e.deliver(t, target, chattest.Outage()))

	assert.Empty(t, e.srv.Messages(posterChannel))
	posts := e.srv.ResponseURLPosts()
	require.Len(t, posts, 2)
	assert.Equal(t, "in_channel", posts[0].ResponseType)
	assert.Contains(t, posts[0].BlocksJSON, "STS is not ready")
	assert.Contains(t, posts[0].BlocksJSON, "*What is down*", "the thread's sections are in the one message")
	assert.Contains(t, posts[0].BlocksJSON, "Not attached here: caracal-bundle-01a21f00.zip")
	assert.Equal(t, "ephemeral", posts[1].ResponseType)
	assert.Contains(t, posts[1].BlocksJSON, "/invite @caracal-bot")
	assert.Contains(t, posts[1].BlocksJSON, "not_in_channel")
	assert.Equal(t, 1.0, counter(t, e.metrics.PlatformErrors, "slack", "chat.postMessage"))
	assert.Equal(t, 0.0, counter(t, e.metrics.Undelivered, "slack"))
}

func TestDeliver_ChannelErrorsWithoutResponseURL(t *testing.T) {
	tests := []struct {
		channel slackfake.Channel
		want    []string
	}{
		{slackfake.Channel{ID: posterChannel, NotMember: true}, []string{"not_in_channel", "/invite @caracal-bot"}},
		{slackfake.Channel{ID: posterChannel, Private: true, NotMember: true}, []string{"channel_not_found", "/invite @caracal-bot"}},
		{slackfake.Channel{ID: posterChannel, Archived: true}, []string{"is_archived", "archived"}},
	}
	for _, tc := range tests {
		t.Run(tc.want[0], func(t *testing.T) {
			e := newPosterEnv(t, slackfake.WithChannel(tc.channel))
			err := e.deliver(t, inChannel(), chattest.Deny())
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
			assert.Equal(t, 1, e.srv.Calls("chat.postMessage"), "not retried")
			assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "slack"))
		})
	}
	t.Run("restricted_action", func(t *testing.T) {
		e := newPosterEnv(t)
		e.srv.FailChannel("chat.postMessage", posterChannel, "restricted_action")
		target := Target{ChannelID: posterChannel, UserID: posterUser, ResponseURL: e.srv.ResponseURL("c")}
		require.NoError(t, e.deliver(t, target, chattest.Deny()))
		posts := e.srv.ResponseURLPosts()
		require.Len(t, posts, 2)
		assert.Contains(t, posts[1].BlocksJSON, "ask a workspace admin")
	})
}

func TestDeliver_ResponseURLRetriedAndNeverLogged(t *testing.T) {
	e := newPosterEnv(t, slackfake.WithChannel(slackfake.Channel{ID: posterChannel, NotMember: true}))
	e.srv.FailHTTP("response_url", 500, 1)
	e.srv.RateLimit("response_url", 1, 3)
	target := Target{ChannelID: posterChannel, ResponseURL: e.srv.ResponseURL("T0/123/secret-hook")}
	require.NoError(t, e.deliver(t, target, chattest.Allow()))
	assert.Len(t, e.srv.ResponseURLPosts(), 2)
	assert.Equal(t, 1.0, counter(t, e.metrics.RateLimited, "slack", "response_url"))
	assert.NotContains(t, e.log.String(), "secret-hook")
}

func TestDeliver_UploadStepsRetriedEachOnItsOwn(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP("files.upload", 500, 1)
	e.srv.RateLimit("files.completeUploadExternal", 1, 2)
	require.NoError(t, e.deliver(t, inChannel(), chattest.Outage()))
	files := e.srv.Files()
	require.Len(t, files, 1)
	assert.Len(t, files[0].Data, 12_634, "the retried POST sends the bytes again")
	assert.Equal(t, 1, e.srv.Calls("files.getUploadURLExternal"))
	assert.Equal(t, 2, e.srv.Calls("files.upload"))
	assert.Equal(t, 2, e.srv.Calls("files.completeUploadExternal"))
}
