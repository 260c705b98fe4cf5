package slack

import (
	"context"
	"slices"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/ops"
)

// Name is the platform's name: its configuration section, slack_channels,
// the Invocation's Platform and the metrics label.
const Name = "slack"

// groupsTTL is how long the members of a user group are cached.
const groupsTTL = 5 * time.Minute

// adapter is the Slack platform: a Web API client and the Poster on it.
type adapter struct {
	cfg    config.Slack
	groups []string // the user groups named in permission rules
	api    *slackapi.Client
	poster *Poster
	deps   platform.Deps
}

// New builds the Slack platform of cfg. Its HTTP clients come from egress
// with deps.Scrubber: they refuse redirects to another origin and remove
// every configured secret but the Slack tokens (which slack-go sends in
// the form body) from what they post.
func New(cfg *config.Config, deps platform.Deps) (platform.Platform, error) {
	sc := cfg.Slack
	hc := egress.New(platform.CallTimeout, deps.Scrubber, sc.BotToken.Reveal(), sc.AppToken.Reveal())
	api := slackapi.New(sc.BotToken.Reveal(), slackapi.OptionAPIURL(sc.APIURL), slackapi.OptionAppLevelToken(sc.AppToken.Reveal()),
		slackapi.OptionHTTPClient(hc))
	poster := NewPoster(api, PosterOptions{DeliveryOptions: bot.DeliveryOptions{Logger: deps.Logger, Metrics: deps.Metrics},
		HTTPClient: egress.New(platform.CallTimeout, deps.Scrubber)})
	return &adapter{cfg: sc, groups: ruleGroups(cfg.Permissions), api: api, poster: poster, deps: deps}, nil
}

func (a *adapter) Name() string { return Name }

// Start mounts the HTTP endpoints (when a signing secret is set) and runs
// Socket Mode (when an app token is set).
func (a *adapter) Start(ctx context.Context, h platform.Host) ([]ops.Check, error) {
	inbound := InboundOptions{Inbound: h.Inbound, SigningSecret: a.cfg.SigningSecret.Reveal(), Responders: a.poster}
	if len(a.groups) > 0 {
		inbound.GroupsOf = NewUserGroups(a.api, a.groups, groupsTTL, a.deps.Logger).Of
	}
	if a.cfg.SigningSecret.IsSet() {
		handler := NewHTTPHandler(inbound)
		for _, p := range []string{PathCommands, PathInteractions, PathEvents} {
			h.Mux.Handle(p, handler)
		}
	}
	if !a.cfg.AppToken.IsSet() {
		return nil, nil
	}
	runner := NewSocketRunner(socketmode.New(a.api), inbound)
	h.Go(func() error { return runner.Run(ctx) })
	return []ops.Check{platform.ConnectionCheck("slack socket mode", runner.Connected)}, nil
}

// Post posts r to a channel: the root message, its thread and files.
func (a *adapter) Post(ctx context.Context, channelID string, r chat.Reply) error {
	return a.poster.Deliver(ctx, Target{ChannelID: channelID}, r)
}

// ruleGroups lists every group named in a command rule, once.
func ruleGroups(p config.Permissions) []string {
	var out []string
	for _, r := range p.Commands {
		for _, g := range r.Groups {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}
