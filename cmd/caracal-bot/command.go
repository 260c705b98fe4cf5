package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// cliOptions are the flags every diagnosis command takes on the command line
// (in chat they do not exist).
type cliOptions struct {
	format     string
	configPath string
	noColor    bool
}

// splitCLIOptions takes --format, --config and --no-color out of the
// arguments and leaves the command's own.
func splitCLIOptions(args []string) (cliOptions, []string, error) {
	opts := cliOptions{format: "text"}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		switch name {
		case "--format", "--config":
			if !hasValue {
				if i+1 >= len(args) {
					return opts, nil, fmt.Errorf("%s needs a value", name)
				}
				i++
				value = args[i]
			}
			if name == "--format" {
				opts.format = value
			} else {
				opts.configPath = value
			}
		case "--no-color":
			opts.noColor = true
		default:
			rest = append(rest, args[i])
		}
	}
	switch opts.format {
	case "text", "json", "markdown":
	default:
		return opts, nil, fmt.Errorf("--format must be text, json or markdown, got %q", opts.format)
	}
	return opts, rest, nil
}

// runCommand runs one of the registry's commands (why, status, ...).
func runCommand(ctx context.Context, args []string, s streams) int {
	opts, rest, err := splitCLIOptions(args)
	if err == nil && len(rest) == 0 {
		err = fmt.Errorf("no command given; run 'caracal-bot --help'")
	}
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 2
	}
	cfg, err := config.Load(opts.configPath, s.getenv)
	if err != nil {
		printConfigError(s.err, err)
		return 1
	}
	logger := newLogger(s.err, cfg)
	env, err := envFromConfig(cfg, newClient(cfg, logger), logger, nil)
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 1
	}
	registry := commands.New(env)
	inv := chat.Invocation{Platform: "cli", Command: rest[0], Text: strings.Join(rest[1:], " ")}
	if _, ok := registry.Lookup(inv.Command); !ok {
		_, err := registry.Run(ctx, inv)
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 2
	}
	res, err := registry.Run(ctx, inv)
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		if code := commands.ExitCode(err); code == 2 {
			fmt.Fprintf(s.err, "Run 'caracal-bot %s --help' for usage.\n", inv.Command)
			return code
		}
		return 1
	}
	if err := writeResult(s.out, res, opts, s.tty); err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 1
	}
	if path, err := commands.WriteOutFile(inv, res); err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 1
	} else if path != "" {
		fmt.Fprintln(s.err, "caracal-bot: bundle written to", path)
	}
	if d, ok := res.Data.(commands.DigestReport); ok && d.Post {
		if err := postDigest(ctx, cfg, res.Reply, logger); err != nil {
			fmt.Fprintln(s.err, "caracal-bot: digest not posted:", err)
			return 1
		}
	}
	if !res.OK {
		return 1
	}
	return 0
}

// writeResult prints a command's result in the chosen format.
func writeResult(w io.Writer, res commands.Result, opts cliOptions, tty bool) error {
	switch opts.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Data)
	case "markdown":
		_, err := io.WriteString(w, chat.Markdown(res.Reply))
		return err
	}
	return console.Render(w, res.Reply, console.Options{Color: tty && !opts.noColor})
}

// newClient builds the read-only Caracal client from the configuration.
func newClient(cfg *config.Config, logger *slog.Logger) *caracal.Client {
	c := cfg.Caracal
	return caracal.New(caracal.Config{
		APIURL: c.APIURL, STSURL: c.STSURL, GatewayURL: c.GatewayURL, AuditURL: c.AuditURL, CoordinatorURL: c.CoordinatorURL,
		AdminToken: c.AdminToken.Reveal(), MetricsBearer: c.MetricsBearer.Reveal(), CoordinatorToken: c.CoordinatorToken.Reveal(),
		CallTimeout: c.CallTimeout, MaxRetries: c.MaxRetries, Logger: logger, UserAgent: "caracal-bot/" + version,
	})
}

// envFromConfig builds what the commands need; the ticket systems are
// left out (nil) when none is configured. store keeps ticket idempotency
// keys (nil: in memory).
func envFromConfig(cfg *config.Config, client *caracal.Client, logger *slog.Logger, store tickets.Store) (commands.Env, error) {
	env := commands.Env{
		Caracal:         client,
		DefaultZone:     cfg.Caracal.ZoneID,
		DocsBase:        cfg.DocsURL,
		Timeout:         cfg.Caracal.DiagnosisTimeout,
		CallTimeout:     cfg.Caracal.CallTimeout,
		ZonesForChannel: cfg.ZonesForChannel,
	}
	svc, err := tickets.FromConfig(cfg, tickets.ClientOptions{UserAgent: "caracal-bot/" + version}, tickets.Options{Logger: logger, Store: store})
	switch {
	case errors.Is(err, tickets.ErrNotConfigured):
	case err != nil:
		return env, fmt.Errorf("tickets: %w", err)
	default:
		env.Tickets = svc
	}
	return env, nil
}

func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
