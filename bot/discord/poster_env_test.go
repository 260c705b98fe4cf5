package discord

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
)

const (
	posterBotToken = "MTEwMDAw.secret-bot-token"
	posterChannel  = "1200000000000000001"
	posterGuild    = "1200000000000000002"
	posterUser     = "1200000000000000003"
	denyRequestID  = "01a028ea-d354-7443-96e4-46e5643d943c"
)

// posterEnv is a Poster wired to a fake Discord over loopback HTTP, with a
// fake clock, metrics and a log.
type posterEnv struct {
	srv     *discordfake.Server
	session *discordgo.Session
	poster  *Poster
	clock   *bottest.Clock
	metrics *bot.Metrics
	log     *syncbuf.Buffer
}

func newPosterEnv(t *testing.T, opts ...discordfake.Option) *posterEnv {
	t.Helper()
	srv := discordfake.Start(t, append([]discordfake.Option{discordfake.WithBotToken(posterBotToken), discordfake.WithChannel(posterChannel)}, opts...)...)
	s, err := NewSession(posterBotToken, srv.URL(), nil)
	require.NoError(t, err)
	e := &posterEnv{srv: srv, session: s, clock: bottest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
		metrics: bot.NewMetrics(prometheus.NewRegistry()), log: &syncbuf.Buffer{}}
	e.poster = NewPoster(s, PosterOptions{DeliveryOptions: bot.DeliveryOptions{
		Logger:  slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: e.metrics, Now: e.clock.Now, Sleep: e.clock.Sleep,
	}})
	return e
}

// interaction registers an interaction and acknowledges it with the given
// response type (5 for a slash command, 6 for a button) through the real
// callback route; the Target is already acknowledged (Acked nil).
func (e *posterEnv) interaction(t *testing.T, ack discordgo.InteractionResponseType) Target {
	t.Helper()
	id, token := e.srv.NewInteraction(posterChannel, posterGuild, posterUser)
	require.NoError(t, e.session.InteractionRespond(&discordgo.Interaction{ID: id, Token: token},
		&discordgo.InteractionResponse{Type: ack}))
	return Target{AppID: e.srv.AppID(), InteractionToken: token, ChannelID: posterChannel, GuildID: posterGuild, UserID: posterUser}
}

// seed posts m in the channel with the bot token, as an earlier answer.
func (e *posterEnv) seed(t *testing.T, m Message) *discordgo.Message {
	t.Helper()
	var msg *discordgo.Message
	body, files := m.body(0)
	url := discordgo.EndpointChannelMessages(posterChannel)
	require.NoError(t, request(e.session, http.MethodPost, url, url, body, files, &msg))
	return msg
}

func (e *posterEnv) deliver(t *testing.T, target Target, r chat.Reply) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.poster.Responder(target).Deliver(ctx, r)
}

// rootOf delivers r for a slash command and returns the root message.
func (e *posterEnv) rootOf(t *testing.T, r chat.Reply) discordfake.Message {
	t.Helper()
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	require.NoError(t, e.deliver(t, target, r))
	root, ok := e.srv.Original(target.InteractionToken)
	require.True(t, ok)
	return root
}

func counter(t *testing.T, c *prometheus.CounterVec, labels ...string) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.WithLabelValues(labels...).Write(&m))
	return m.GetCounter().GetValue()
}

// assertNoMentions checks every message carries allowed_mentions {"parse":[]}.
func assertNoMentions(t *testing.T, msgs ...discordfake.Message) {
	t.Helper()
	for _, m := range msgs {
		if assert.NotNil(t, m.AllowedMentions, "message %s has no allowed_mentions", m.ID) {
			assert.Empty(t, m.AllowedMentions.Parse)
			assert.Contains(t, m.AllowedMentionsJSON, `"parse":[]`)
			assert.Empty(t, m.AllowedMentions.Users)
			assert.Empty(t, m.AllowedMentions.Roles)
		}
	}
}
