package commands

import (
	"context"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

func helpCommand(r *Registry) *Command {
	return &Command{
		Name:    "help",
		Summary: "List the commands, or show one command's usage.",
		Usage:   "help [command]",
		flags:   withHelp(),
		run: func(_ context.Context, _ *Env, _ chat.Invocation, a args) (Result, error) {
			if len(a.rest) == 1 {
				c, ok := r.Lookup(a.rest[0])
				if !ok {
					return Result{}, r.unknown(a.rest[0])
				}
				return Result{Reply: chat.Reply{Summary: c.Usage, Severity: chat.SeverityInfo, Ephemeral: true,
					Sections: []chat.Section{{Title: c.Name, Text: c.Help()}}}, Data: map[string]string{"name": c.Name, "usage": c.Usage, "summary": c.Summary}, OK: true}, nil
			}
			var items []chat.Item
			var data []map[string]string
			for _, n := range r.Names() {
				c := r.cmds[n]
				items = append(items, chat.Item{Text: c.Usage + ": " + c.Summary})
				data = append(data, map[string]string{"name": c.Name, "usage": c.Usage, "summary": c.Summary})
			}
			return Result{Reply: chat.Reply{
				Summary:   "caracal-bot commands: " + strings.Join(r.Names(), ", "),
				Severity:  chat.SeverityInfo,
				Ephemeral: true,
				Sections:  []chat.Section{{Title: "Commands", Items: items}},
			}, Data: data, OK: true}, nil
		},
	}
}
