// Command caracal-bot diagnoses failed protected calls in Caracal from a
// terminal (why, status, doctor, trace, audit), runs a demo against the
// built-in Caracal simulator, and serves the simulator standalone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/redact"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// streams are the process's standard streams and environment, passed in so
// tests can run the CLI in-process.
type streams struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) (string, bool)
	tty    bool // out is a terminal
	// width is the terminal's width in columns, 0 when out is no
	// terminal; $COLUMNS overrides it (see columns).
	width int
	// scrub is the process's egress scrubber: run wraps out and err in it,
	// and every sink the commands build (logs, chat, tickets, bundles) uses
	// it. loadConfig adds the configured secrets to it.
	scrub *redact.Scrubber
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	s := streams{in: os.Stdin, out: os.Stdout, err: os.Stderr, getenv: os.LookupEnv, tty: term.IsTerminal(int(os.Stdout.Fd()))}
	if s.tty {
		s.width, _, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	code := run(ctx, os.Args[1:], s)
	stop()
	os.Exit(code)
}

const usage = `caracal-bot: explains why a Caracal-protected call failed.

Usage:
  caracal-bot <command> [arguments] [--format text|json|markdown] [--config FILE]

Diagnosis commands (the same words work in chat as /caracal <command>):
  why <request-id | pasted error>   which surface failed, why, the evidence and what to do
  status                            readiness of the five Caracal services
  doctor                            Caracal's Doctor checks plus the ones the Console skips
  trace <request-id>                the request trace as a table
  audit                             recent audit events of a zone
  digest [--since 24h] [--post]     Caracal's health digest
  bundle <request-id> [--out FILE]  the redacted diagnostic bundle (zip)
  ticket <request-id> [--to SYSTEM] file the bundle in Jira, GitHub Issues or a webhook
  help [command]                    usage of the commands

Other commands:
  serve                             run the bot for Slack (Socket Mode or HTTP) with /healthz, /readyz, /metrics
  demo [--script FILE]              a terminal chat against the built-in Caracal simulator
  sim [--addr HOST:PORT]            run the Caracal simulator standalone
  config check                      validate the configuration and print a redacted summary
  version                           print the version

Run 'caracal-bot <command> --help' for a command's flags.
`

func run(ctx context.Context, args []string, s streams) int {
	if s.scrub == nil {
		s.scrub = redact.New()
	}
	s.out, s.err = redact.NewWriter(s.out, s.scrub), redact.NewWriter(s.err, s.scrub)
	if len(args) == 0 {
		fmt.Fprint(s.err, usage)
		return 2
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprint(s.out, usage)
		return 0
	case "version", "--version":
		fmt.Fprintln(s.out, "caracal-bot", version)
		return 0
	case "demo":
		return runDemo(ctx, args[1:], s)
	case "sim":
		return runSim(ctx, args[1:], s)
	case "config":
		return runConfig(args[1:], s)
	case "serve":
		return runServe(ctx, args[1:], s)
	}
	return runCommand(ctx, args, s)
}

// parseFlags parses the flags of demo and sim. --help prints the usage to
// stdout and exits 0; any other problem prints the error and the usage to
// stderr and exits 2. ok is false when the command must stop with code.
func parseFlags(fs *flag.FlagSet, args []string, s streams) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		printFlagUsage(s.out, fs)
		return 0, false
	}
	fmt.Fprintf(s.err, "caracal-bot %s: %v\n", fs.Name(), err)
	printFlagUsage(s.err, fs)
	return 2, false
}

// printFlagUsage prints a flag set's usage to w.
func printFlagUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: caracal-bot %s [flags]\n\nFlags:\n", fs.Name())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// loadConfig loads the configuration and teaches the scrubber its secrets,
// so no output from then on can carry them.
func loadConfig(path string, s streams) (*config.Config, error) {
	cfg, err := config.Load(path, s.getenv)
	if err != nil {
		return nil, err
	}
	s.scrub.Add(cfg.Secrets()...)
	return cfg, nil
}

// printConfigError reports a configuration that failed to load; a
// validation error already says "invalid configuration".
func printConfigError(w io.Writer, err error) {
	var verr *config.ValidationError
	if errors.As(err, &verr) {
		fmt.Fprintln(w, "caracal-bot:", err)
		return
	}
	fmt.Fprintln(w, "caracal-bot: invalid configuration:", err)
}

// columns is the width text output is fitted to: $COLUMNS when it is a
// positive number, else the terminal's width, 0 (no limit) for a pipe.
func (s streams) columns() int {
	if v, ok := s.getenv("COLUMNS"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			return n
		}
	}
	return s.width
}
