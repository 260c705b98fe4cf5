package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/redact"
)

// cliOptions are the flags every diagnosis command takes on the command line
// (in chat they do not exist).
type cliOptions struct {
	format     string
	configPath string
	noColor    bool
	outDir     string // where the reply's files are written
}

// splitCLIOptions takes --format, --config, --out-dir and --no-color (or
// -format, ...) out of the arguments, up to a "--", and leaves the
// command's own.
func splitCLIOptions(args []string) (cliOptions, []string, error) {
	opts := cliOptions{format: "text"}
	values := map[string]*string{"format": &opts.format, "config": &opts.configPath, "out-dir": &opts.outDir}
	var rest []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		tok, value, hasValue := strings.Cut(args[i], "=")
		name := strings.TrimPrefix(strings.TrimPrefix(tok, "-"), "-")
		switch dest := values[name]; {
		case name == tok: // a word, not a flag
			rest = append(rest, args[i])
		case dest != nil:
			if !hasValue {
				if i+1 >= len(args) {
					return opts, nil, fmt.Errorf("%s needs a value", tok)
				}
				i++
				value = args[i]
			}
			*dest = value
		case name == "no-color":
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

// runCommand runs one of the registry's commands (why, status, ...), or
// prints its help.
func runCommand(ctx context.Context, args []string, s streams) int {
	opts, rest, err := splitCLIOptions(args)
	switch {
	case err != nil:
	case len(rest) == 0:
		err = errors.New("no command given; run 'caracal-bot --help'")
	default:
		if _, ok := lookupTool(rest[0]); ok {
			err = fmt.Errorf("the flags of %s come after it: caracal-bot %s [flags]", rest[0], rest[0])
		}
	}
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 2
	}
	if wantsHelp(rest[1:]) && commandHelp(rest[0], s) {
		return 0
	}
	cfg, err := loadConfig(opts.configPath, s)
	if err != nil {
		printConfigError(s.err, err)
		return 1
	}
	// What was typed is scrubbed, now that the scrubber knows the
	// configured secrets, before anything echoes or clips it.
	command, removed := s.scrub.Text(rest[0])
	if _, ok := specs().Lookup(command); !ok {
		fmt.Fprintln(s.err, "caracal-bot:", unknownCommand(command))
		return 2
	}
	argv, removedArgs := s.scrub.Args(rest[1:])
	if removed = append(removed, removedArgs...); len(removed) > 0 {
		fmt.Fprintln(s.err, "caracal-bot: note:", bot.RemovedNote(removed).Summary)
	}
	logger := newLogger(s.err, cfg, s.scrub)
	env, err := envFromConfig(cfg, newClient(cfg, logger, nil), logger, localTickets(cfg.StateDir, logger), s.scrub)
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 1
	}
	registry := commands.New(env)
	inv := chat.Invocation{Platform: commands.PlatformCLI, Command: command, Args: argv}
	res, err := registry.Run(ctx, inv)
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		if code := commands.ExitCode(err); code == 2 {
			fmt.Fprintf(s.err, "Run 'caracal-bot %s --help' for usage.\n", inv.Command)
			return code
		}
		return 1
	}
	if err := writeResult(s.out, res, opts, s); err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 1
	}
	paths, err := saveFiles(res.Reply.Files, res.SaveAs, opts.outDir, s.dir)
	for i, p := range paths {
		fmt.Fprintf(s.err, "caracal-bot: wrote %s (%s)\n", p, chat.FileSize(len(res.Reply.Files[i].Data)))
	}
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot:", err)
		return 1
	}
	if d, ok := res.Data.(commands.DigestReport); ok && d.Post {
		if err := postDigest(ctx, cfg, res.Reply, logger, s.scrub); err != nil {
			fmt.Fprintln(s.err, "caracal-bot: digest not posted:", err)
			return 1
		}
	}
	if !res.OK {
		return 1
	}
	return 0
}

// writeResult prints a command's result in the chosen format, scrubbed
// while it is still structured (before wrapping and escaping can split a
// secret the stream's own scrubbing would then miss). Text is plain, fitted
// to the terminal, coloured on one unless --no-color.
func writeResult(w io.Writer, res commands.Result, opts cliOptions, s streams) error {
	if opts.format == "json" {
		out, _, err := s.scrub.Encode(res.Data)
		if err == nil {
			_, err = w.Write(out)
		}
		return err
	}
	reply, _ := s.scrub.Reply(res.Reply)
	if opts.format == "markdown" {
		_, err := io.WriteString(w, chat.Markdown(reply))
		return err
	}
	return console.Print(w, reply, s.columns(), s.tty && !opts.noColor)
}

// newClient builds the read-only Caracal client from the configuration;
// onCall (nil: none) hears how each call ended.
func newClient(cfg *config.Config, logger *slog.Logger, onCall func(caracal.Service, caracal.CallOutcome)) *caracal.Client {
	c := cfg.Caracal
	return caracal.New(caracal.Config{
		APIURL: c.APIURL, STSURL: c.STSURL, GatewayURL: c.GatewayURL, AuditURL: c.AuditURL, CoordinatorURL: c.CoordinatorURL,
		AdminToken: c.AdminToken.Reveal(), MetricsBearer: c.MetricsBearer.Reveal(), CoordinatorToken: c.CoordinatorToken.Reveal(),
		CallTimeout: c.CallTimeout, MaxRetries: c.MaxRetries, Logger: logger, UserAgent: "caracal-bot/" + botVersion(), OnCall: onCall,
	})
}

// envFromConfig builds what the commands need; the ticket systems are
// left out (nil) when none is configured. store keeps ticket idempotency
// keys (nil: in memory); the ticket system is asked as well.
func envFromConfig(cfg *config.Config, client *caracal.Client, logger *slog.Logger, store tickets.Store, scrub *redact.Scrubber) (commands.Env, error) {
	env := commands.Env{
		Scrubber:        scrub,
		Caracal:         client,
		DefaultZone:     cfg.Caracal.ZoneID,
		DocsBase:        cfg.DocsURL,
		Timeout:         cfg.Caracal.DiagnosisTimeout,
		CallTimeout:     cfg.Caracal.CallTimeout,
		ZonesForChannel: cfg.ZonesForChannel,
		ReadBudget:      int64(cfg.Caracal.ReadBudgetMiB) << 20,
		Version:         botVersion(),
	}
	svc, err := tickets.FromConfig(cfg, tickets.ClientOptions{UserAgent: "caracal-bot/" + botVersion(), Scrubber: scrub},
		tickets.Options{Logger: logger, Store: store, Scrubber: scrub})
	switch {
	case errors.Is(err, tickets.ErrNotConfigured):
	case err != nil:
		return env, fmt.Errorf("tickets: %w", err)
	default:
		env.Tickets = svc
	}
	return env, nil
}

// newLogger logs at the configured level and format through the scrubber,
// which sees every record's message and attributes whole.
func newLogger(w io.Writer, cfg *config.Config, scrub *redact.Scrubber) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(redact.NewHandler(h, scrub))
}
