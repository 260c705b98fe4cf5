package commands

import (
	"context"
	"fmt"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/health"
)

func doctorCommand() *Command {
	return &Command{
		Name:    "doctor",
		Summary: "Caracal's Doctor checks (health, zones, readiness, metrics) plus the ones the Console skips.",
		Usage:   "doctor [--zone Z | --all-zones] [--strict]",
		flags: withHelp(zoneFlag(),
			flagSpec{name: "all-zones", usage: "check every zone the bot's token can see (in a channel bound to zones: those zones)"},
			flagSpec{name: "strict", usage: "warnings fail too"}),
		run: func(ctx context.Context, env *Env, _ chat.Invocation, a args) (Result, error) {
			if len(a.rest) > 0 {
				return Result{}, usageErrorf("doctor takes no arguments (usage: doctor [--zone Z | --all-zones] [--strict])")
			}
			if a.has("zone") && a.has("all-zones") {
				return Result{}, usageErrorf("use --zone or --all-zones, not both")
			}
			zone, err := env.askedZone(a)
			if err == nil && zone != "" {
				err = env.zoneMustExist(ctx, zone)
			}
			if err != nil {
				return Result{}, err
			}
			report := env.doctor().Run(ctx, doctor.Options{Zone: zone, AllZones: a.has("all-zones"), Strict: a.has("strict")})
			reply := doctorReply(report)
			if a.has("all-zones") {
				reply.Fields = append(reply.Fields, env.channelScope()...)
			}
			return Result{Reply: reply, Data: report, OK: report.Ready}, nil
		},
	}
}

func doctorReply(r doctor.Report) chat.Reply {
	summary := fmt.Sprintf("Doctor: %d ok, %d warning(s), %d failure(s)", r.Summary.OK, r.Summary.Warn, r.Summary.Fail)
	if n := len(r.Missing); n > 0 {
		summary += fmt.Sprintf(", %d check(s) without an answer", n)
	}
	reply := chat.Reply{
		Summary:  summary + ".",
		Severity: chat.SeverityOK,
		Fields:   []chat.Field{{Label: "Zones", Value: fmt.Sprintf("%s %v", r.Context.ZoneScope, r.Context.ZoneIDs)}, {Label: "Strict", Value: fmt.Sprint(r.Strict)}},
	}
	switch {
	case r.Summary.Fail > 0:
		reply.Severity = chat.SeverityError
	case r.Summary.Warn > 0 || len(r.Missing) > 0:
		reply.Severity = chat.SeverityWarning
	}
	index := map[string]int{}
	for _, c := range r.Checks {
		i, ok := index[c.Section]
		if !ok {
			i = len(reply.Sections)
			index[c.Section] = i
			reply.Sections = append(reply.Sections, chat.Section{Title: c.Section})
		}
		reply.Sections[i].Items = append(reply.Sections[i].Items, chat.Item{Mark: checkMark(c.Status), Text: c.Name + ": " + c.Detail})
	}
	if len(r.Missing) > 0 {
		reply.Sections = append(reply.Sections, missingSection(r.Missing))
	}
	return reply
}

// checkMark maps a Doctor status to a step mark.
func checkMark(status string) string {
	switch status {
	case health.CheckOK:
		return string(diagnose.StepPass)
	case health.CheckWarn:
		return string(diagnose.StepWarn)
	}
	return string(diagnose.StepFail)
}
