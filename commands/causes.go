package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
)

// causeInfo is one cause as `causes --format json` prints it: the contract
// scripts that branch on cause tokens rely on.
type causeInfo struct {
	Cause   diagnose.Cause   `json:"cause"`
	Surface diagnose.Surface `json:"surface"`
	// Open is set when the token is the value Caracal wrote; Cause then
	// names where that value comes from.
	Open  bool       `json:"open"`
	Rules []ruleInfo `json:"rules"`
	// Docs are the pages its next actions link to.
	Docs []string `json:"docs"`
}

// ruleInfo is one ROUTER.md row that concludes a cause.
type ruleInfo struct {
	Row  int    `json:"row"`
	When string `json:"when"`
}

func causesCommand() *Command {
	return &Command{
		Name:    "causes",
		Summary: "List every cause `why` can conclude: its token, surface and the ROUTER.md rows that decide it.",
		Usage:   "causes",
		flags:   withHelp(),
		run: func(_ context.Context, env *Env, _ chat.Invocation, a args) (Result, error) {
			if len(a.rest) > 0 {
				return Result{}, usageErrorf("causes takes no arguments (usage: causes)")
			}
			return Result{Reply: causesReply(), Data: causeInfos(env.DocsBase), OK: true}, nil
		},
	}
}

// causeInfos lists the registry's causes in ROUTER.md order.
func causeInfos(docsBase string) []causeInfo {
	base := strings.TrimRight(docsBase, "/")
	var out []causeInfo
	for _, e := range diagnose.Causes() {
		c := causeInfo{Cause: e.Cause, Surface: e.Surface, Open: e.Open != nil, Docs: []string{}}
		for _, r := range e.Rules {
			c.Rules = append(c.Rules, ruleInfo{Row: r.Row, When: r.When})
		}
		for _, a := range e.Actions {
			if doc := base + string(a.Page); !slices.Contains(c.Docs, doc) {
				c.Docs = append(c.Docs, doc)
			}
		}
		out = append(out, c)
	}
	return out
}

// causesReply is the symptom router's table: one line per rule, in the
// order the rules run.
func causesReply() chat.Reply {
	table := &chat.Table{Header: []string{"row", "cause", "surface", "when"}}
	for _, c := range diagnose.Conclusions() {
		table.Rows = append(table.Rows, []string{fmt.Sprint(c.Row), string(c.Entry.Cause), string(c.Entry.Surface), c.When})
	}
	return chat.Reply{
		Summary: fmt.Sprintf("%d causes, by the ROUTER.md row that decides them: the first rule that matches wins. "+
			"A cause in angle brackets is the value Caracal wrote, passed through.", len(diagnose.Causes())),
		Severity: chat.SeverityInfo,
		Sections: []chat.Section{{Title: "Causes", Table: table}},
	}
}
