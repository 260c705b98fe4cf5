// Package platform is what a chat platform is to the bot: the Platform
// interface every adapter (bot/slack, bot/discord) implements, and the
// Registry of them the composition root builds from the configuration, so
// that serve, the scheduler and `digest --post` name platforms only
// through it.
package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/ops"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Platform is one chat platform the bot is connected to.
type Platform interface {
	// Name is the platform's name: its configuration section, its
	// <name>_channels lists, the Invocation's Platform, the metrics label.
	Name() string
	// Start serves the platform's users until ctx ends: it mounts its HTTP
	// endpoints on h.Mux and runs its connections (Socket Mode, the
	// gateway) with h.Go, each handing commands to h.Inbound's dispatcher.
	// It returns the readiness checks of what it started.
	Start(ctx context.Context, h Host) ([]ops.Check, error)
	// Post posts a reply to a channel unprompted (a digest, a readiness
	// change): the root message, its thread and files, retried for a
	// bounded time.
	Post(ctx context.Context, channelID string, r chat.Reply) error
}

// Deps are what every platform is built with.
type Deps struct {
	// Scrubber is the egress scrubber: every HTTP client a platform uses
	// comes from egress with it.
	Scrubber *redact.Scrubber
	Logger   *slog.Logger // Open fills in one that discards when nil
	Metrics  *bot.Metrics // optional
	// Buttons keeps the values of buttons too long for the platform (nil:
	// each platform keeps them in its process's memory).
	Buttons ButtonStore
}

// Host is what serve lends the platforms to serve their users.
type Host struct {
	// Mux is the public listener's: platforms mount their HTTP endpoints on it.
	Mux *http.ServeMux
	// Go runs a connection for as long as the bot serves; an error it
	// returns stops the bot.
	Go func(func() error)
	// Inbound is where the platforms' events go, and how.
	Inbound Inbound
}

// Submitter takes a request and decides at once what happens to it;
// *bot.Dispatcher satisfies it. Submit must not block on the command.
type Submitter interface {
	Submit(ctx context.Context, req bot.Request) bot.Outcome
}

// Adapter is one line of the registry: a platform's name and how to build
// it from a configuration that enables it.
type Adapter struct {
	Name string
	New  func(cfg *config.Config, deps Deps) (Platform, error)
}

// Registry holds the chat platforms the configuration enables, in the
// configuration's order.
type Registry struct {
	platforms []Platform
}

// Open builds the platforms cfg enables from adapters. Each platform of
// the configuration (config.ChatPlatforms) needs exactly one adapter of
// its name, and each adapter a platform of the configuration: a channel
// list could otherwise name a platform nothing posts to.
func Open(cfg *config.Config, deps Deps, adapters ...Adapter) (*Registry, error) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	byName := map[string]Adapter{}
	for _, a := range adapters {
		if _, dup := byName[a.Name]; dup {
			return nil, fmt.Errorf("platform: two adapters named %q", a.Name)
		}
		byName[a.Name] = a
	}
	r := &Registry{}
	for _, p := range cfg.ChatPlatforms() {
		a, ok := byName[p.Name]
		if !ok {
			return nil, fmt.Errorf("platform: the configuration has a %s section but no adapter serves it", p.Name)
		}
		delete(byName, p.Name)
		if !p.Enabled {
			continue
		}
		built, err := a.New(cfg, deps)
		if err != nil {
			return nil, err
		}
		if built.Name() != p.Name {
			return nil, fmt.Errorf("platform: the %s adapter built a platform named %q", p.Name, built.Name())
		}
		if deps.Metrics != nil {
			deps.Metrics.InitPlatform(p.Name)
		}
		r.platforms = append(r.platforms, built)
	}
	for _, a := range adapters {
		if _, left := byName[a.Name]; left {
			return nil, fmt.Errorf("platform: adapter %q has no section in the configuration", a.Name)
		}
	}
	return r, nil
}

// Len is the number of platforms the bot is connected to.
func (r *Registry) Len() int { return len(r.platforms) }

// Start starts every platform (see Platform.Start) and returns their
// readiness checks.
func (r *Registry) Start(ctx context.Context, h Host) ([]ops.Check, error) {
	var checks []ops.Check
	for _, p := range r.platforms {
		c, err := p.Start(ctx, h)
		if err != nil {
			return nil, err
		}
		checks = append(checks, c...)
	}
	return checks, nil
}

// Post posts reply to a channel of the named platform.
func (r *Registry) Post(ctx context.Context, name, channelID string, reply chat.Reply) error {
	for _, p := range r.platforms {
		if p.Name() == name {
			return p.Post(ctx, channelID, reply)
		}
	}
	return fmt.Errorf("no %s connection to post to channel %s", name, channelID)
}

// CallTimeout bounds one call to a chat platform's API.
const CallTimeout = 30 * time.Second

// ConnectionCheck is the readiness check of a platform's connection, named
// name: it fails while connected reports false.
func ConnectionCheck(name string, connected func() bool) ops.Check {
	return ops.Check{Name: name, Run: func(context.Context) error {
		if !connected() {
			return errors.New("not connected (reconnecting)")
		}
		return nil
	}}
}

// Poster is an adapter's poster: it delivers a reply to a target of the
// adapter's kind, and a private message to the user behind it.
type Poster[T any] interface {
	Deliver(ctx context.Context, t T, r chat.Reply) error
	Ephemeral(ctx context.Context, t T, r chat.Reply) error
}

// Responder is the bot.Responder of one request: Deliver delivers its
// reply to t, Note the notes that accompany it, privately.
func Responder[T any](p Poster[T], t T) bot.Responder { return responder[T]{p: p, t: t} }

type responder[T any] struct {
	p Poster[T]
	t T
}

func (r responder[T]) Deliver(ctx context.Context, reply chat.Reply) error {
	return r.p.Deliver(ctx, r.t, reply)
}

func (r responder[T]) Note(ctx context.Context, note chat.Reply) error {
	return r.p.Ephemeral(ctx, r.t, note)
}
