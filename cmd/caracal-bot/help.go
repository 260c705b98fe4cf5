package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
)

// tool is a command of the command line that chat does not have; the
// diagnosis commands are the registry's (see runCommand).
type tool struct {
	name    string
	usage   string // after "caracal-bot "
	summary string
	run     func(ctx context.Context, args []string, s streams) int
}

// tools are the command line's own commands, in the order usage lists them.
func tools() []tool {
	return []tool{
		{"serve", "serve [--config FILE]", "Run the bot for Slack (Socket Mode or HTTP) and Discord (gateway or HTTP interactions), with /healthz, /readyz and /metrics.", runServe},
		{"demo", "demo [--script FILE] [--no-color]", "A terminal chat against the built-in Caracal simulator: the replies a chat channel would get. No tokens needed.", runDemo},
		{"sim", "sim [--addr HOST:PORT | --host HOST] [--scenario NAME]", "Run the Caracal simulator standalone and print the environment that points the bot at it.", runSim},
		{"config", "config check [--config FILE] [--format text|json]", "Validate the configuration and print a redacted summary.", runConfig},
		{"version", "version", "Print the version.", runVersion},
		{"help", "help [command]", "List the commands, or show one command's usage and flags.", runHelp},
	}
}

// lookupTool finds one of the command line's own commands by name.
func lookupTool(name string) (tool, bool) {
	i := slices.IndexFunc(tools(), func(t tool) bool { return t.name == name })
	if i < 0 {
		return tool{}, false
	}
	return tools()[i], true
}

// specs is a registry for the commands' names, usages and flags only.
func specs() *commands.Registry { return commands.New(commands.Env{}) }

// outputFlags are the flags the command line adds to every diagnosis
// command (see splitCLIOptions).
func outputFlags() []commands.Flag {
	return []commands.Flag{
		{Name: "format", Arg: "FORMAT", Usage: "text, json or markdown (default text); json is the stable contract for scripts"},
		{Name: "config", Arg: "FILE", Usage: "the configuration file (default ./caracal-bot.yaml when present)"},
		{Name: "out-dir", Arg: "DIR", Usage: "write the files a reply carries (a bundle's zip, the digest's chart) in DIR (default: the working directory)"},
		{Name: "no-color", Usage: "no ANSI colours (text has them only on a terminal)"},
	}
}

// printUsage prints the list of every command.
func printUsage(w io.Writer, width int) {
	reg := specs()
	var diagnosis, other [][]string
	for _, name := range reg.Names() {
		if _, mine := lookupTool(name); !mine {
			c, _ := reg.Lookup(name)
			diagnosis = append(diagnosis, []string{name, brief(c.Summary)})
		}
	}
	for _, t := range tools() {
		name, _, _ := strings.Cut(t.usage, " [")
		other = append(other, []string{name, brief(t.summary)})
	}
	fmt.Fprint(w, "caracal-bot explains why a call protected by Caracal failed.\n\nUsage: caracal-bot <command> [arguments] [flags]\n\n")
	fmt.Fprintln(w, "Diagnosis commands (the same in chat as /caracal <command>):")
	printRows(w, diagnosis, width)
	fmt.Fprintln(w, "\nOther commands:")
	printRows(w, other, width)
	fmt.Fprintln(w, "\nFlags take one dash or two: -zone Z is --zone Z.")
	fmt.Fprintln(w, "Run 'caracal-bot <command> --help' for a command's arguments and flags.")
}

// brief is the first clause of a summary, for the list of commands.
func brief(summary string) string {
	if i := strings.IndexAny(summary, ":;"); i > 0 {
		summary = summary[:i]
	}
	if i := strings.Index(summary, ". "); i > 0 {
		summary = summary[:i]
	}
	return strings.TrimSuffix(summary, ".")
}

// printHelp prints a command's help: usage, summary, then its flags.
func printHelp(w io.Writer, usage, summary string, flags []commands.Flag, width int) {
	fmt.Fprintf(w, "Usage: caracal-bot %s\n\n", usage)
	console.Print(w, chat.Reply{Summary: summary}, width, false)
	rows := [][]string{{"-h, --help", "show this help"}}
	for _, f := range flags {
		if f.Name != "help" {
			rows = append(rows, []string{strings.TrimSpace("--" + f.Name + " " + f.Arg), f.Usage})
		}
	}
	fmt.Fprintln(w, "\nFlags:")
	printRows(w, rows, width)
}

// printRows prints two-column rows indented, fitted to width.
func printRows(w io.Writer, rows [][]string, width int) {
	for _, l := range console.FitTable(chat.Table{Rows: rows}, width-2) {
		fmt.Fprintln(w, "  "+l)
	}
}

// helpWidth is the width help is wrapped to: the terminal's, at most
// 100, and 80 for a pipe.
func helpWidth(s streams) int {
	if w := s.columns(); w > 0 {
		return min(w, 100)
	}
	return 80
}

// commandHelp prints the help of any command; false when there is no
// such command.
func commandHelp(name string, s streams) bool {
	if t, ok := lookupTool(name); ok {
		t.run(context.Background(), []string{"--help"}, s)
		return true
	}
	c, ok := specs().Lookup(name)
	if ok {
		printHelp(s.out, c.Usage, c.Summary, append(c.Flags(), outputFlags()...), helpWidth(s))
	}
	return ok
}

// wantsHelp reports whether the arguments ask for help (-h, -help or
// --help before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// unknownCommand is the usage error for a command word that names no
// command, with the likeliest one.
func unknownCommand(name string) error {
	var names []string
	for _, t := range tools() {
		names = append(names, t.name)
	}
	for _, n := range specs().Names() {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	shown := clipWord(name)
	if best := commands.Closest(name, names); best != "" {
		return fmt.Errorf("unknown command %s; did you mean %q? Run 'caracal-bot --help' for the commands", shown, best)
	}
	return fmt.Errorf("unknown command %s; commands: %s", shown, strings.Join(names, ", "))
}

// clipWord quotes a typed word for an error, control characters escaped
// and at most 32 bytes of it.
func clipWord(w string) string {
	if len(w) > 32 {
		return fmt.Sprintf("%q…", w[:32])
	}
	return fmt.Sprintf("%q", w)
}

// runHelp implements `help [command]`: the list of commands, or one
// command's help.
func runHelp(_ context.Context, args []string, s streams) int {
	fs := flag.NewFlagSet("help", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, s); !ok {
		return code
	}
	switch fs.NArg() {
	case 0:
		printUsage(s.out, helpWidth(s))
		return 0
	case 1:
		if commandHelp(fs.Arg(0), s) {
			return 0
		}
		fmt.Fprintln(s.err, "caracal-bot:", unknownCommand(fs.Arg(0)))
		return 2
	}
	fmt.Fprintln(s.err, "caracal-bot help: name one command, e.g. caracal-bot help why")
	return 2
}

// runVersion implements `version`.
func runVersion(_ context.Context, args []string, s streams) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, s); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.err, "caracal-bot version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fmt.Fprintln(s.out, "caracal-bot", botVersion())
	return 0
}

// parseFlags parses the flags of one of the command line's own commands
// (fs is named after it). --help prints its help to stdout and stops with
// 0; any other problem is a usage error on stderr and 2. ok is false when
// the command must stop with code.
func parseFlags(fs *flag.FlagSet, args []string, s streams) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		t, _ := lookupTool(fs.Name())
		var flags []commands.Flag
		fs.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
				arg = ""
			}
			if f.DefValue != "" && f.DefValue != "false" {
				usage += " (default " + f.DefValue + ")"
			}
			flags = append(flags, commands.Flag{Name: f.Name, Arg: arg, Usage: usage})
		})
		printHelp(s.out, t.usage, t.summary, flags, helpWidth(s))
		return 0, false
	}
	fmt.Fprintf(s.err, "caracal-bot %s: %v\nRun 'caracal-bot %s --help' for usage.\n", fs.Name(), err, fs.Name())
	return 2, false
}
