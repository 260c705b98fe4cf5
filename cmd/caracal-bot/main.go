// Command caracal-bot diagnoses failed protected calls in Caracal from a
// terminal (why, status, doctor, trace, audit), runs a demo against the
// built-in Caracal simulator, and serves the simulator standalone.
package main

import (
	"context"
	"errors"
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
	// dir is the working directory relative output paths resolve
	// against ("" : the process's).
	dir string
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

func run(ctx context.Context, args []string, s streams) int {
	if s.scrub == nil {
		s.scrub = redact.New()
	}
	s.out, s.err = redact.NewWriter(s.out, s.scrub), redact.NewWriter(s.err, s.scrub)
	if len(args) == 0 {
		printUsage(s.err, helpWidth(s))
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printUsage(s.out, helpWidth(s))
		return 0
	case "-version", "--version":
		return runVersion(ctx, args[1:], s)
	}
	if t, ok := lookupTool(args[0]); ok {
		return t.run(ctx, args[1:], s)
	}
	return runCommand(ctx, args, s)
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
