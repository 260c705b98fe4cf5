package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
	"golang.org/x/sync/errgroup"

	"github.com/caracal-bot/caracal-bot/bot"
	discordbot "github.com/caracal-bot/caracal-bot/bot/discord"
	slackbot "github.com/caracal-bot/caracal-bot/bot/slack"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/ops"
	"github.com/caracal-bot/caracal-bot/redact"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// ticketBudget is the time a command may take beyond a diagnosis: the
// ticket command builds a bundle and calls the ticket system (a deadline
// hit spools the ticket rather than losing it).
const ticketBudget = 35 * time.Second

// shutdownGrace is how long in-flight diagnoses get to finish and be
// delivered after SIGTERM; those still unfinished are then handed back
// within a few more seconds, inside Kubernetes' default 30 s.
const shutdownGrace = 20 * time.Second

// caracalProbeCache is how long /readyz reuses its Admin API /health probe.
const caracalProbeCache = 2 * time.Second

// runServe runs the bot: the chat adapters, the dispatcher and the ops
// endpoints, until the context ends (SIGINT/SIGTERM).
func runServe(ctx context.Context, args []string, s streams) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", "", "read the configuration from `FILE` (default ./caracal-bot.yaml when present)")
	if code, ok := parseFlags(fs, args, s); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.err, "caracal-bot serve: unexpected argument %q\nRun 'caracal-bot serve --help' for usage.\n", fs.Arg(0))
		return 2
	}
	cfg, err := loadConfig(*configPath, s)
	if err != nil {
		printConfigError(s.err, err)
		return 1
	}
	logger := newLogger(s.err, cfg, s.scrub)
	for _, e := range cfg.InsecureEndpoints() {
		logger.Warn("credential sent unencrypted: " + e.String())
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		logger.Error("cannot listen", "addr", cfg.ListenAddr, "err", err)
		return 1
	}
	opsLn, err := listenOps(cfg)
	if err != nil {
		logger.Error("cannot listen", "addr", cfg.OpsListenAddr, "err", err)
		return 1
	}
	if err := serve(ctx, cfg, ln, opsLn, logger, s.scrub); err != nil {
		logger.Error("serve stopped", "err", err)
		return 1
	}
	return 0
}

// listenOps opens the listener of ops_listen_addr; nil when unset.
func listenOps(cfg *config.Config) (net.Listener, error) {
	if cfg.OpsListenAddr == "" {
		return nil, nil
	}
	return net.Listen("tcp", cfg.OpsListenAddr)
}

// serve wires everything on open listeners and blocks until ctx ends.
// Every reply, acknowledgement, HTTP response, request body and log line
// goes through scrub. The ops endpoints are served on ln too, unless opsLn
// (ops_listen_addr) gives them a listener of their own.
func serve(ctx context.Context, cfg *config.Config, ln, opsLn net.Listener, logger *slog.Logger, scrub *redact.Scrubber) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)
	client := newClient(cfg, logger)
	shared, err := newSharedState(cfg, logger)
	if err != nil {
		return err
	}
	defer shared.close()
	env, err := envFromConfig(cfg, client, logger, shared.tickets, scrub)
	if err != nil {
		return err
	}
	env.BotHealth = scheduler.MetricsHealth{Metrics: metrics, Started: time.Now()}
	registry := commands.New(env)
	dispatcher := bot.NewDispatcher(bot.Options{
		Runner: registry, Policy: policyFromConfig(cfg.Permissions), Dedup: shared.dedup,
		UserLimit: cfg.Limits.UserPerMinute, ChannelLimit: cfg.Limits.ChannelPerMinute, RateLimiter: shared.rate,
		Metrics: metrics, Logger: logger, RunTimeout: cfg.Caracal.DiagnosisTimeout + ticketBudget, Scrubber: scrub,
	})
	// Caracal down is degraded, not unready: a replica taken out of the load
	// balancer could not tell the channel that Caracal is down. The probe is
	// cached so that /readyz costs at most one Admin API call per interval.
	checks := append(shared.checks, ops.Check{Name: "caracal", Degraded: true, CacheFor: caracalProbeCache, Run: func(ctx context.Context) error {
		if p := client.Health(ctx, caracal.ServiceAPI); !p.OK {
			return fmt.Errorf("Admin API /health: %s; the bot keeps answering and diagnoses the outage", probeText(p))
		}
		return nil
	}})

	mux := http.NewServeMux()
	g, gctx := errgroup.WithContext(ctx)
	posters := chatPoster{scrub: scrub}
	if cfg.Slack.Enabled() {
		var slackChecks []ops.Check
		posters.slack, slackChecks = startSlack(gctx, g, cfg, mux, dispatcher, shared, metrics, logger, scrub)
		checks = append(checks, slackChecks...)
	}
	if cfg.Discord.Enabled() {
		var discordChecks []ops.Check
		var err error
		posters.discord, discordChecks, err = startDiscord(gctx, g, cfg, mux, dispatcher, shared, metrics, logger, scrub)
		if err != nil {
			return err
		}
		checks = append(checks, discordChecks...)
	}
	if err := startScheduler(gctx, g, cfg, registry, client, posters, shared.lease, logger); err != nil {
		return err
	}
	if env.Tickets != nil {
		g.Go(func() error { env.Tickets.Spool().Run(gctx, time.Minute); return nil })
	}
	if !cfg.Slack.Enabled() && !cfg.Discord.Enabled() {
		logger.Warn("no chat platform configured (set SLACK_BOT_TOKEN or DISCORD_BOT_TOKEN); serving the ops endpoints only")
	}
	servers := []*httpServer{newHTTPServer("caracal-bot serving", ln, redact.Middleware(mux, scrub))}
	if opsLn != nil {
		servers = append(servers, newHTTPServer("serving the ops endpoints", opsLn, redact.Middleware(ops.Handler(reg, checks), scrub)))
	} else {
		mux.Handle("/", ops.Handler(reg, checks))
	}
	g.Go(func() error { logCredential(gctx, client, cfg.Caracal.ZoneID, logger); return nil })

	for _, s := range servers {
		g.Go(func() error { return s.serve(logger) })
	}
	g.Go(func() error {
		<-gctx.Done()
		logger.Info("shutting down: finishing in-flight diagnoses", "grace", shutdownGrace)
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		var errs []error
		for _, s := range servers {
			errs = append(errs, s.srv.Shutdown(sctx))
		}
		return errors.Join(append(errs, dispatcher.Shutdown(sctx))...)
	})
	return g.Wait()
}

// httpServer is one listener of serve and its server.
type httpServer struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

func newHTTPServer(name string, ln net.Listener, h http.Handler) *httpServer {
	return &httpServer{name: name, ln: ln, srv: &http.Server{Handler: h,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second}}
}

// serve answers on the listener until Shutdown.
func (s *httpServer) serve(logger *slog.Logger) error {
	logger.Info(s.name, "addr", s.ln.Addr().String())
	if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startSlack mounts the HTTP endpoints (when a signing secret is set) and
// starts Socket Mode (when an app token is set). Both feed the dispatcher.
func startSlack(ctx context.Context, g *errgroup.Group, cfg *config.Config, mux *http.ServeMux,
	d *bot.Dispatcher, shared *sharedState, metrics *bot.Metrics, logger *slog.Logger, scrub *redact.Scrubber) (*slackbot.Poster, []ops.Check) {
	sc := cfg.Slack
	api := newSlackAPI(cfg, scrub)
	poster := slackbot.NewPoster(api, slackbot.PosterOptions{Logger: logger, Metrics: metrics, HTTPClient: egress.New(platformTimeout, scrub)})
	inbound := slackbot.InboundOptions{SigningSecret: sc.SigningSecret.Reveal(), Dispatcher: d, Responders: poster,
		Metrics: metrics, Logger: logger, Replay: shared.dedup, Tickets: cfg.Tickets.Enabled()}
	if groups := ruleGroups(cfg.Permissions); len(groups) > 0 {
		inbound.GroupsOf = slackbot.NewUserGroups(api, groups, 5*time.Minute, logger).Of
	}
	var checks []ops.Check
	if sc.SigningSecret.IsSet() {
		h := slackbot.NewHTTPHandler(inbound)
		for _, p := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
			mux.Handle(p, h)
		}
	}
	if sc.AppToken.IsSet() {
		runner := slackbot.NewSocketRunner(socketmode.New(api), inbound)
		g.Go(func() error { return runner.Run(ctx) })
		checks = append(checks, ops.Check{Name: "slack socket mode", Run: func(context.Context) error {
			if !runner.Connected() {
				return errors.New("not connected (reconnecting)")
			}
			return nil
		}})
	}
	return poster, checks
}

// startDiscord registers the /caracal command, mounts the HTTP
// interactions endpoint (when a public key is set) and opens the gateway
// (unless turned off). Both feed the dispatcher.
func startDiscord(ctx context.Context, g *errgroup.Group, cfg *config.Config, mux *http.ServeMux,
	d *bot.Dispatcher, shared *sharedState, metrics *bot.Metrics, logger *slog.Logger, scrub *redact.Scrubber) (*discordbot.Poster, []ops.Check, error) {
	dc := cfg.Discord
	session, err := newDiscordSession(cfg, scrub, logger)
	if err != nil {
		return nil, nil, err
	}
	warnDiscordOpen(dc, logger)
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	access := discordbot.Access{AllowDMs: dc.AllowDMs, MemberPermissions: dc.MemberPermissions()}
	if err := discordbot.Register(rctx, session, dc.AppID, dc.Guilds(), access); err != nil {
		return nil, nil, fmt.Errorf("discord: register the /caracal command: %w", err)
	}
	poster := discordbot.NewPoster(session, discordbot.PosterOptions{Logger: logger, Metrics: metrics})
	inbound := discordbot.InboundOptions{PublicKey: dc.PublicKey, AppID: dc.AppID, Dispatcher: d, Responders: poster,
		Metrics: metrics, Logger: logger, Replay: shared.dedup, Tickets: cfg.Tickets.Enabled(),
		Guilds: dc.Guilds(), AllowDMs: dc.AllowDMs}
	if dc.PublicKey != "" {
		mux.Handle(discordbot.PathInteractions, discordbot.NewHTTPHandler(inbound))
	}
	var checks []ops.Check
	if dc.UseGateway() {
		runner := discordbot.NewGatewayRunner(session, inbound)
		g.Go(func() error { return runner.Run(ctx) })
		checks = append(checks, ops.Check{Name: "discord gateway", Run: func(context.Context) error {
			if !runner.Connected() {
				return errors.New("not connected (reconnecting)")
			}
			return nil
		}})
	}
	return poster, checks, nil
}

// platformTimeout bounds one call to a chat platform.
const platformTimeout = 30 * time.Second

// newSlackAPI is the Slack Web API client. Its HTTP client refuses
// redirects to another origin and removes every configured secret but the
// Slack tokens (which slack-go sends in the form body) from what it posts.
func newSlackAPI(cfg *config.Config, scrub *redact.Scrubber) *slack.Client {
	sc := cfg.Slack
	hc := egress.New(platformTimeout, scrub, sc.BotToken.Reveal(), sc.AppToken.Reveal())
	return slack.New(sc.BotToken.Reveal(), slack.OptionAPIURL(sc.APIURL), slack.OptionAppLevelToken(sc.AppToken.Reveal()),
		slack.OptionHTTPClient(hc))
}

// routeDiscordLogs sends discordgo's own log lines, which it writes to the
// standard logger unless told otherwise, through the bot's scrubbing
// logger. discordgo keeps the hook in a package variable: it is set once,
// before the first session exists.
var routeDiscordLogs sync.Once

// newDiscordSession is the Discord REST session, on an HTTP client like
// Slack's (discordgo sends the token in a header, so none is exempt).
func newDiscordSession(cfg *config.Config, scrub *redact.Scrubber, logger *slog.Logger) (*discordgo.Session, error) {
	routeDiscordLogs.Do(func() {
		discordgo.Logger = func(level, _ int, format string, a ...any) {
			msg := "discord: " + fmt.Sprintf(format, a...)
			if level <= discordgo.LogError {
				logger.Warn(msg)
			} else {
				logger.Debug(msg)
			}
		}
	})
	dc := cfg.Discord
	session, err := discordbot.NewSession(dc.BotToken.Reveal(), dc.APIURL, egress.New(platformTimeout, scrub))
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	return session, nil
}

// warnDiscordOpen warns, at start, when no guild list restricts Discord:
// then any server the bot is invited to can use it.
func warnDiscordOpen(dc config.Discord, logger *slog.Logger) {
	if len(dc.Guilds()) == 0 {
		logger.Warn("discord: DISCORD_GUILD_IDS is not set, so any server the bot is invited to can use it and see " +
			"diagnoses and audit data; set DISCORD_GUILD_IDS to your servers' IDs and turn off Public Bot on the " +
			"Bot page of the developer portal")
	}
}

// ruleGroups lists every group named in a command rule, once.
func ruleGroups(p config.Permissions) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range p.Commands {
		for _, g := range r.Groups {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}

// policyFromConfig turns the configured permissions into the dispatcher's policy.
func policyFromConfig(p config.Permissions) bot.Policy {
	policy := bot.Policy{Channels: p.Channels, Commands: map[string]bot.Rule{}}
	for name, r := range p.Commands {
		policy.Commands[name] = bot.Rule{Users: r.Users, Groups: r.Groups}
	}
	return policy
}

func probeText(p caracal.Probe) string {
	switch {
	case !p.Reachable:
		return "unreachable"
	case p.Reason != "":
		return fmt.Sprintf("%d %s", p.Status, p.Reason)
	}
	return fmt.Sprintf("%d", p.Status)
}

// credentialCheckTime bounds the start-up look at the admin token.
const credentialCheckTime = 15 * time.Second

// logCredential logs, once at start, what the bot can tell of its admin
// token without writing: its scope, and that its capability cannot be
// verified. It never stops the bot: Caracal may simply be down.
func logCredential(ctx context.Context, client *caracal.Client, zone string, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, credentialCheckTime)
	defer cancel()
	for _, c := range doctor.CheckCredential(ctx, client, zone) {
		level := slog.LevelInfo
		switch c.Status {
		case health.CheckWarn:
			level = slog.LevelWarn
		case health.CheckFail:
			level = slog.LevelError
		}
		logger.Log(ctx, level, c.Name+": "+c.Detail, "source", c.Source)
	}
}
