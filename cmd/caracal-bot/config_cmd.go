package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
)

// runConfig implements `config check`: validate and print a redacted summary.
func runConfig(_ context.Context, args []string, s streams) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	configPath := fs.String("config", "", "read the configuration from `FILE` (default ./caracal-bot.yaml when present)")
	format := fs.String("format", "text", "`FORMAT`: text or json")
	if len(args) > 0 && args[0] == "check" {
		args = args[1:]
	} else if !wantsHelp(args) {
		fmt.Fprintln(s.err, "caracal-bot config: the only subcommand is check: caracal-bot config check [--config FILE] [--format text|json]")
		return 2
	}
	if code, ok := parseFlags(fs, args, s); !ok {
		return code
	}
	if fs.NArg() > 0 || (*format != "text" && *format != "json") {
		fmt.Fprintln(s.err, "caracal-bot config: usage: caracal-bot config check [--config FILE] [--format text|json]")
		return 2
	}
	cfg, err := loadConfig(*configPath, s)
	if err != nil {
		printConfigError(s.err, err)
		return 1
	}
	for _, e := range cfg.InsecureEndpoints() {
		fmt.Fprintln(s.err, "caracal-bot: warning:", e)
	}
	if *format == "json" {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cfg.SummaryEntries()); err != nil {
			return 1
		}
		return 0
	}
	fmt.Fprint(s.out, cfg.Summary())
	return 0
}
