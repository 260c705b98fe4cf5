package main

import (
	"encoding/json"
	"fmt"
	"slices"
)

// runConfig implements `config check`: validate and print a redacted summary.
func runConfig(args []string, s streams) int {
	const usage = "usage: caracal-bot config check [--config FILE] [--format text|json]"
	opts, rest, err := splitCLIOptions(args)
	if err == nil && slices.ContainsFunc(rest, func(a string) bool { return a == "--help" || a == "-h" }) {
		fmt.Fprintln(s.out, usage)
		return 0
	}
	if err != nil || len(rest) != 1 || rest[0] != "check" {
		fmt.Fprintln(s.err, "caracal-bot:", usage)
		return 2
	}
	cfg, err := loadConfig(opts.configPath, s)
	if err != nil {
		printConfigError(s.err, err)
		return 1
	}
	for _, e := range cfg.InsecureEndpoints() {
		fmt.Fprintln(s.err, "caracal-bot: warning:", e)
	}
	if opts.format == "json" {
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
