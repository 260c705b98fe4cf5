package main

import (
	"log/slog"
	"strings"

	"github.com/caracal-bot/caracal-bot/bot"
	discordbot "github.com/caracal-bot/caracal-bot/bot/discord"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	slackbot "github.com/caracal-bot/caracal-bot/bot/slack"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/redact"
)

// adapters are the chat platforms the bot knows, one line each.
func adapters() []platform.Adapter {
	return []platform.Adapter{
		{Name: slackbot.Name, New: slackbot.New},
		{Name: discordbot.Name, New: discordbot.New},
	}
}

// openPlatforms builds the chat platforms cfg enables; metrics and buttons
// (the shared button store; nil: each platform's memory) may be nil.
func openPlatforms(cfg *config.Config, logger *slog.Logger, metrics *bot.Metrics, scrub *redact.Scrubber, buttons platform.ButtonStore) (*platform.Registry, error) {
	return platform.Open(cfg, platform.Deps{Scrubber: scrub, Logger: logger, Metrics: metrics, Buttons: buttons}, adapters()...)
}

// platformTokens names the settings that enable a chat platform:
// "SLACK_BOT_TOKEN or DISCORD_BOT_TOKEN".
func platformTokens(cfg *config.Config) string {
	var envs []string
	for _, p := range cfg.ChatPlatforms() {
		envs = append(envs, p.TokenEnv)
	}
	return strings.Join(envs, " or ")
}
