package commands

import (
	"context"
	"fmt"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/doctor"
)

func statusCommand() *Command {
	return &Command{
		Name:    "status",
		Summary: "Readiness of the five Caracal services, like `caracal status --ready`.",
		Usage:   "status",
		flags:   withHelp(),
		run: func(ctx context.Context, env *Env, _ chat.Invocation, a args) (Result, error) {
			if len(a.rest) > 0 {
				return Result{}, usageErrorf("status takes no arguments (usage: status)")
			}
			ctx, cancel := context.WithTimeout(ctx, env.timeout())
			defer cancel()
			report := doctor.Status(ctx, env.Caracal)
			return Result{Reply: statusReply(report), Data: report, OK: report.Ready()}, nil
		},
	}
}

func statusReply(r doctor.StatusReport) chat.Reply {
	table := &chat.Table{Header: []string{"service", "ready", "detail", "url"}}
	notReady := 0
	for _, s := range r.Services {
		mark := "yes"
		if !s.OK {
			mark = "NO"
			notReady++
		}
		table.Rows = append(table.Rows, []string{s.Name, mark, s.Detail, s.URL})
	}
	reply := chat.Reply{Summary: "All five Caracal services are ready.", Severity: chat.SeverityOK,
		Sections: []chat.Section{{Title: "Readiness", Table: table}}}
	if notReady > 0 {
		reply.Summary = fmt.Sprintf("%d of %d Caracal services not ready.", notReady, len(r.Services))
		reply.Severity = chat.SeverityOutage
	}
	return reply
}
