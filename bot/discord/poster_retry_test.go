package discord

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
)

func TestDeliver_RateLimitedWaitsRetryAfter(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.RateLimit(discordfake.RouteCreateMessage, 2, 1.5)
	root := e.rootOf(t, chattest.Deny())

	assert.Equal(t, []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond}, e.clock.Sleeps())
	assert.Len(t, e.srv.Thread(root.ID), 4)
	assert.Equal(t, 6, e.srv.Calls(discordfake.RouteCreateMessage), "discordgo did not retry on its own")
	assert.Equal(t, 2.0, counter(t, e.metrics.RateLimited, "discord", methodSend))
	assert.Equal(t, 0.0, counter(t, e.metrics.PlatformErrors, "discord", methodSend))
}

// TestDeliver_RealRetryAfter waits a real (short) retry_after once.
func TestDeliver_RealRetryAfter(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(posterChannel))
	s, err := NewSession(discordfake.DefaultBotToken, srv.URL(), nil)
	require.NoError(t, err)
	p := NewPoster(s, PosterOptions{})
	srv.RateLimit(discordfake.RouteEditOriginal, 1, 0.2)
	id, token := srv.NewInteraction(posterChannel, posterGuild, posterUser)
	require.NoError(t, s.InteractionRespond(&discordgo.Interaction{ID: id, Token: token},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}))

	start := time.Now()
	require.NoError(t, p.Deliver(context.Background(), Target{AppID: srv.AppID(), InteractionToken: token, ChannelID: posterChannel}, chattest.Allow()))
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
	assert.Equal(t, 2, srv.Calls(discordfake.RouteEditOriginal))
	_, ok := srv.Original(token)
	assert.True(t, ok)
}

func TestDeliver_ServerErrorsRetriedWithBackoff(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP(discordfake.RouteEditOriginal, 500, 1)
	e.srv.FailHTTP(discordfake.RouteStartThread, 502, 2)
	root := e.rootOf(t, chattest.Allow())

	sleeps := e.clock.Sleeps()
	require.Len(t, sleeps, 3)
	for i, want := range []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		assert.True(t, sleeps[i] >= want/2 && sleeps[i] <= want, "sleep %d = %s, want within [%s, %s]", i, sleeps[i], want/2, want)
	}
	assert.Equal(t, 2, e.srv.Calls(discordfake.RouteEditOriginal))
	assert.Equal(t, 3, e.srv.Calls(discordfake.RouteStartThread), "a 502 is not retried by discordgo itself")
	assert.Len(t, e.srv.Thread(root.ID), 1)
	assert.Equal(t, 1.0, counter(t, e.metrics.PlatformErrors, "discord", methodEditOriginal))
	assert.Equal(t, 2.0, counter(t, e.metrics.PlatformErrors, "discord", methodStartThread))
	assert.Equal(t, 0.0, counter(t, e.metrics.Undelivered, "discord"))
}

func TestDeliver_GivesUpAfterMaxDeliveryTime(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP(discordfake.RouteEditOriginal, 503, 0)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	start := e.clock.Now()
	err := e.deliver(t, target, chattest.Deny())
	require.ErrorContains(t, err, methodEditOriginal)
	require.ErrorContains(t, err, "giving up")
	assert.LessOrEqual(t, e.clock.Now().Sub(start), bot.DefaultMaxDeliveryTime)
	assert.Greater(t, e.clock.Now().Sub(start), bot.DefaultMaxDeliveryTime/2, "retried for most of the budget")
	assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "discord"))
	assert.Equal(t, 0, e.srv.Calls(discordfake.RouteStartThread))

	log := e.log.String()
	assert.Contains(t, log, `level=ERROR msg="discord: reply not delivered" channel=`+posterChannel+
		` request_id=`+denyRequestID+` method=`+methodEditOriginal)
	assert.NotContains(t, log, target.InteractionToken, "the interaction token is never logged")
	assert.NotContains(t, err.Error(), target.InteractionToken)
	assert.NotContains(t, log, "secret-bot-token")
}

func TestDeliver_RateLimitTooLongForTheDeadline(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.RateLimit(discordfake.RouteEditOriginal, 0, 100)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	err := e.deliver(t, target, chattest.Deny())
	require.ErrorContains(t, err, "giving up after 2 attempts")
	require.ErrorContains(t, err, "Rate limit exceeded on ")
	assert.Equal(t, []time.Duration{100 * time.Second}, e.clock.Sleeps(), "the second 100 s wait would pass the 2 min deadline")
	assert.NotContains(t, err.Error(), target.InteractionToken, "discordgo's URL in the error is redacted")
	assert.Contains(t, err.Error(), "/webhooks/"+e.srv.AppID()+"/[redacted]/messages/@original")
	assert.NotContains(t, e.log.String(), target.InteractionToken)
	assert.Equal(t, 2.0, counter(t, e.metrics.RateLimited, "discord", methodEditOriginal))
	assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "discord"))
}

func TestDeliver_OneFailedThreadMessageLosesNothingElse(t *testing.T) {
	e := newPosterEnv(t)
	// The first thread message is refused for good; a later one fails twice transiently.
	e.srv.Inject(discordfake.Fault{Route: discordfake.RouteCreateMessage, Status: 400, Code: discordfake.CodeInvalidFormBody, Times: 1})
	e.srv.Inject(discordfake.Fault{Route: discordfake.RouteCreateMessage, After: 1, Status: 500, Times: 2})
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	err := e.deliver(t, target, chattest.Deny())
	require.ErrorContains(t, err, "Invalid Form Body")

	root, ok := e.srv.Original(target.InteractionToken)
	require.True(t, ok)
	thread := e.srv.Thread(root.ID)
	require.Len(t, thread, 3, "Steps, Next actions and Missing evidence still posted")
	assert.True(t, strings.HasPrefix(thread[0].Content, "**Steps**"))
	assert.True(t, strings.HasPrefix(thread[2].Content, "**Missing evidence**"))
	assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "discord"))
	assert.Contains(t, e.log.String(), "method="+methodSend)
}

func TestDeliver_WaitsForTheAck(t *testing.T) {
	e := newPosterEnv(t)
	id, token := e.srv.NewInteraction(posterChannel, posterGuild, posterUser)
	acked := make(chan struct{})
	target := Target{AppID: e.srv.AppID(), InteractionToken: token, ChannelID: posterChannel, Acked: acked}
	done := make(chan error, 1)
	go func() { done <- e.deliver(t, target, chattest.Allow()) }()

	select {
	case err := <-done:
		t.Fatalf("Deliver returned before the ack: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	assert.Equal(t, 0, e.srv.Calls(discordfake.RouteEditOriginal), "nothing sent before the ack")
	require.NoError(t, e.session.InteractionRespond(&discordgo.Interaction{ID: id, Token: token},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}))
	close(acked)
	require.NoError(t, <-done)
	_, ok := e.srv.Original(token)
	assert.True(t, ok)
}

func TestDeliver_NeverAckedGivesUp(t *testing.T) {
	e := newPosterEnv(t)
	e.poster.opts.MaxDeliveryTime = 30 * time.Millisecond
	target := Target{AppID: e.srv.AppID(), InteractionToken: "tok", ChannelID: posterChannel, Acked: make(chan struct{})}
	err := e.deliver(t, target, chattest.Allow())
	require.ErrorContains(t, err, "interaction not acknowledged")
	assert.Equal(t, 1.0, counter(t, e.metrics.Undelivered, "discord"))
	assert.Contains(t, e.log.String(), "method=ack")
}

func TestDeliver_ContextCanceledStops(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailHTTP(discordfake.RouteEditOriginal, 500, 0)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := e.poster.Deliver(ctx, target, chattest.Allow())
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, e.clock.Sleeps())
}
