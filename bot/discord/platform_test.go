package discord

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/redact"
)

// discordOnly is a configuration that enables Discord on fake, over HTTP
// interactions only.
func discordOnly(fake *discordfake.Server) *config.Config {
	off := false
	cfg := config.Default()
	cfg.Discord = config.Discord{BotToken: config.Secret(fake.BotToken()), AppID: fake.AppID(), PublicKey: testPublicKey(),
		GuildIDs: "G1", APIURL: fake.URL(), Gateway: &off}
	return cfg
}

func openDiscord(t *testing.T, cfg *config.Config) platform.Platform {
	t.Helper()
	p, err := New(cfg, platform.Deps{Scrubber: redact.New(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return p
}

func TestPlatformPostsARootAndItsThreadToAChannel(t *testing.T) {
	fake := discordfake.Start(t, discordfake.WithChannel("123"))
	p := openDiscord(t, discordOnly(fake))
	reply := chat.Reply{Summary: "Caracal is ready again", Severity: chat.SeverityOK,
		Sections: []chat.Section{{Title: "Services", Text: "All five answer /ready."}}}
	require.NoError(t, p.Post(context.Background(), "123", reply))

	roots := fake.Messages("123")
	require.Len(t, roots, 1)
	assert.Contains(t, roots[0].Embeds[0].Description, "Caracal is ready again")
	thread := fake.Thread(roots[0].ID)
	require.NotEmpty(t, thread)
	assert.Contains(t, thread[0].Content, "All five answer /ready.")
}

func TestPlatformStartRegistersTheCommandAndServesInteractions(t *testing.T) {
	fake := discordfake.Start(t)
	p := openDiscord(t, discordOnly(fake))
	mux := http.NewServeMux()
	checks, err := p.Start(context.Background(), platform.Host{Mux: mux, Inbound: platform.Inbound{Dispatcher: bottest.NewSubmitter()},
		Go: func(func() error) { t.Error("no connection to run with the gateway off") }})
	require.NoError(t, err)
	assert.Empty(t, checks, "no gateway, nothing to be connected")
	cmds := fake.Commands()
	require.Len(t, cmds, 1)
	assert.Equal(t, "G1", cmds[0].GuildID, "registered in the configured guild")

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PathInteractions, nil))
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "the interactions endpoint is mounted, and verifies")
}

func TestWarnOpen(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	warnOpen(config.Discord{}, logger)
	assert.Contains(t, buf.String(), "level=WARN")
	assert.Contains(t, buf.String(), "any server the bot is invited to can use it")
	assert.Contains(t, buf.String(), "set DISCORD_GUILD_IDS")
	assert.Contains(t, buf.String(), "Public Bot")

	buf.Reset()
	warnOpen(config.Discord{GuildIDs: "G1"}, logger)
	assert.Empty(t, buf.String(), "no warning once the servers are listed")
}
