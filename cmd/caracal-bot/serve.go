package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/doctor"
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
	client := newClient(cfg, logger, countCaracalCalls(metrics))
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

	platforms, err := openPlatforms(cfg, logger, metrics, scrub, shared.buttons)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	g, gctx := errgroup.WithContext(ctx)
	platformChecks, err := platforms.Start(gctx, platform.Host{Mux: mux, Go: g.Go, Inbound: platform.Inbound{Dispatcher: dispatcher,
		Metrics: metrics, Logger: logger, Replay: shared.dedup, Tickets: cfg.Tickets.Enabled()}})
	if err != nil {
		return err
	}
	checks = append(checks, platformChecks...)
	posters := chatPoster{platforms: platforms, scrub: scrub}
	if err := startScheduler(gctx, g, cfg, registry, client, posters, shared, metrics, logger); err != nil {
		return err
	}
	if err := startDenialWatch(gctx, g, cfg, registry, client, posters, shared, logger); err != nil {
		return err
	}
	if env.Tickets != nil {
		g.Go(func() error { env.Tickets.Spool().Run(gctx, time.Minute); return nil })
	}
	if platforms.Len() == 0 {
		logger.Warn("no chat platform configured (set " + platformTokens(cfg) + "); serving the ops endpoints only")
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

// countCaracalCalls returns the client's OnCall, which counts each call in
// metrics; every service's count of every outcome starts at zero, so that
// an alert on their increase sees the first failure.
func countCaracalCalls(metrics *bot.Metrics) func(caracal.Service, caracal.CallOutcome) {
	for _, svc := range caracal.AllServices() {
		for _, o := range caracal.CallOutcomes() {
			metrics.CaracalCalls.WithLabelValues(string(svc), string(o))
		}
	}
	return func(svc caracal.Service, o caracal.CallOutcome) {
		metrics.CaracalCalls.WithLabelValues(string(svc), string(o)).Inc()
	}
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
