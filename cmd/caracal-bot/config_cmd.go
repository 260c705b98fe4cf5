package main

import (
	"encoding/json"
	"fmt"

	"github.com/caracal-bot/caracal-bot/config"
)

// runConfig implements `config check`: validate and print a redacted summary.
func runConfig(args []string, s streams) int {
	opts, rest, err := splitCLIOptions(args)
	if err != nil || len(rest) != 1 || rest[0] != "check" {
		fmt.Fprintln(s.err, "caracal-bot: usage: caracal-bot config check [--config FILE] [--format text|json]")
		return 2
	}
	cfg, err := config.Load(opts.configPath, s.getenv)
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot: invalid configuration:", err)
		return 1
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
