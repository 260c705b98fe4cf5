package discord

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/ops"
)

// Name is the platform's name: its configuration section,
// discord_channels, the Invocation's Platform and the metrics label.
const Name = "discord"

// registerTimeout bounds the registration of the commands at start.
const registerTimeout = 30 * time.Second

// adapter is the Discord platform: a REST session and the Poster on it.
type adapter struct {
	cfg     config.Discord
	session *discordgo.Session
	poster  *Poster
	deps    platform.Deps
}

// routeLogs sends discordgo's own log lines, which it writes to the
// standard logger unless told otherwise, through the bot's scrubbing
// logger. discordgo keeps the hook in a package variable, so it is set
// once, by the first platform built.
var routeLogs sync.Once

// New builds the Discord platform of cfg, on a session whose HTTP client
// comes from egress with deps.Scrubber (discordgo sends the token in a
// header, so no secret is exempt). Its buttons keep their long values in
// deps.Buttons (nil: in memory), which the Poster and the inbound side share.
func New(cfg *config.Config, deps platform.Deps) (platform.Platform, error) {
	routeLogs.Do(func() {
		discordgo.Logger = func(level, _ int, format string, a ...any) {
			msg := "discord: " + fmt.Sprintf(format, a...)
			if level <= discordgo.LogError {
				deps.Logger.Warn(msg)
			} else {
				deps.Logger.Debug(msg)
			}
		}
	})
	dc := cfg.Discord
	session, err := NewSession(dc.BotToken.Reveal(), dc.APIURL, egress.New(platform.CallTimeout, deps.Scrubber))
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	if deps.Buttons == nil {
		deps.Buttons = platform.NewMemoryButtons(platform.MemoryOptions{})
	}
	poster := NewPoster(session, PosterOptions{DeliveryOptions: bot.DeliveryOptions{Logger: deps.Logger, Metrics: deps.Metrics},
		Buttons: deps.Buttons})
	return &adapter{cfg: dc, session: session, poster: poster, deps: deps}, nil
}

func (a *adapter) Name() string { return Name }

// Start registers the commands (/caracal and Diagnose with Caracal),
// mounts the HTTP interactions endpoint (when a public key is set) and
// opens the gateway (unless turned off).
func (a *adapter) Start(ctx context.Context, h platform.Host) ([]ops.Check, error) {
	dc := a.cfg
	warnOpen(dc, a.deps.Logger)
	rctx, cancel := context.WithTimeout(ctx, registerTimeout)
	defer cancel()
	access := Access{AllowDMs: dc.AllowDMs, MemberPermissions: dc.MemberPermissions()}
	if err := Register(rctx, a.session, dc.AppID, dc.Guilds(), access); err != nil {
		return nil, fmt.Errorf("discord: register the commands: %w", err)
	}
	inbound := InboundOptions{Inbound: h.Inbound, PublicKey: dc.PublicKey, AppID: dc.AppID, Responders: a.poster,
		Guilds: dc.Guilds(), AllowDMs: dc.AllowDMs, Buttons: a.deps.Buttons}
	if dc.PublicKey != "" {
		h.Mux.Handle(PathInteractions, NewHTTPHandler(inbound))
	}
	if !dc.UseGateway() {
		return nil, nil
	}
	runner := NewGatewayRunner(a.session, inbound)
	h.Go(func() error { return runner.Run(ctx) })
	return []ops.Check{platform.ConnectionCheck("discord gateway", runner.Connected)}, nil
}

// Post posts r to a channel: the root message and a thread started on it.
func (a *adapter) Post(ctx context.Context, channelID string, r chat.Reply) error {
	return a.poster.Deliver(ctx, Target{ChannelID: channelID}, r)
}

// warnOpen warns, at start, when no guild list restricts Discord: then any
// server the bot is invited to can use it.
func warnOpen(dc config.Discord, logger *slog.Logger) {
	if len(dc.Guilds()) == 0 {
		logger.Warn("discord: DISCORD_GUILD_IDS is not set, so any server the bot is invited to can use it and see " +
			"diagnoses and audit data; set DISCORD_GUILD_IDS to your servers' IDs and turn off Public Bot on the " +
			"Bot page of the developer portal")
	}
}
