package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/redact"
)

// runDemo starts the Caracal simulator in-process and opens a terminal chat
// against it: the replies are the ones a chat channel would get.
func runDemo(ctx context.Context, args []string, s streams) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	script := fs.String("script", "", "run the commands in `FILE` (one per line, # comments) instead of reading the terminal")
	noColor := fs.Bool("no-color", false, "no ANSI colours")
	if code, ok := parseFlags(fs, args, s); !ok {
		return code
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sim := caracaltest.New()
	ln, err := sim.ListenPrefixed(ctx, "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot demo: cannot start the simulator:", err)
		return 1
	}
	urls := ln.URLs()
	client := caracal.New(caracal.Config{
		APIURL: urls[caracal.ServiceAPI], STSURL: urls[caracal.ServiceSTS], GatewayURL: urls[caracal.ServiceGateway],
		AuditURL: urls[caracal.ServiceAudit], CoordinatorURL: urls[caracal.ServiceCoordinator],
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
		UserAgent: "caracal-bot/" + botVersion(),
	})
	registry := commands.New(commands.Env{Caracal: client, DefaultZone: caracaltest.ZoneResearch, DocsBase: config.DefaultDocsURL, Version: botVersion()})
	watch, err := newDemoWatch(ctx, sim, client, registry)
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot demo: cannot start the denial watch:", err)
		return 1
	}
	handler := scrubbedHandler(demoHandler(sim, registry, watch), s.scrub)
	opts := console.Options{Color: s.tty && !*noColor, User: "you", Prompt: "you> "}

	if *script != "" {
		f, err := os.Open(*script)
		if err != nil {
			fmt.Fprintln(s.err, "caracal-bot demo:", err)
			return 1
		}
		defer f.Close()
		if err := console.RunScript(ctx, f, s.out, handler, opts); err != nil {
			fmt.Fprintln(s.err, "caracal-bot demo:", err)
			return 1
		}
		return 0
	}
	printBanner(s.out, urls[caracal.ServiceAPI])
	if err := console.Run(ctx, s.in, s.out, handler, opts); err != nil && ctx.Err() == nil {
		fmt.Fprintln(s.err, "caracal-bot demo:", err)
		return 1
	}
	return 0
}

// scrubbedHandler scrubs what is typed before it runs and the reply before
// the console wraps it, as the dispatcher does in chat; a note says what
// was removed from the paste.
func scrubbedHandler(h console.Handler, scrub *redact.Scrubber) console.Handler {
	return func(ctx context.Context, inv chat.Invocation) chat.Reply {
		var removed []redact.Hit
		inv.Text, removed = scrub.Text(inv.Text)
		reply, _ := scrub.Reply(h(ctx, inv))
		if len(removed) > 0 {
			reply.Sections = append(reply.Sections, chat.Section{Title: "Note", Text: bot.RemovedNote(removed).Summary})
		}
		return reply
	}
}

// demoHandler answers the registry's commands, plus `scenarios` and
// `watch` (a burst of denials the denial watch announces), and stages a
// scenario's world when its request ID is asked about, so outages and
// pipeline problems show up in status and doctor too.
func demoHandler(sim *caracaltest.Simulator, registry *commands.Registry, watch *demoWatch) console.Handler {
	return func(ctx context.Context, inv chat.Invocation) chat.Reply {
		switch inv.Command {
		case "scenarios":
			return scenariosReply()
		case "watch":
			return watch.burst(ctx)
		}
		if inv.Command == "why" || inv.Command == "trace" {
			if id, ok := scenarioIDIn(inv.Text); ok {
				_ = sim.UseScenario(id)
			}
		}
		return registry.Handle(ctx, inv)
	}
}

// scenarioIDIn finds the request ID of a scenario in a command's text: a
// word of its own, or inside a pasted error body or SDK message (the
// banner and `scenarios` suggest pasted bodies), earliest in the text first.
func scenarioIDIn(text string) (string, bool) {
	best, at := "", -1
	for _, sc := range caracaltest.Scenarios() {
		if i := strings.Index(text, sc.ID); i >= 0 && (at < 0 || i < at) {
			best, at = sc.ID, i
		}
	}
	return best, at >= 0
}

func scenariosReply() chat.Reply {
	scs := caracaltest.Scenarios()
	sort.SliceStable(scs, func(i, j int) bool { return scs[i].Row < scs[j].Row })
	var items []chat.Item
	for _, sc := range scs {
		items = append(items, chat.Item{Text: fmt.Sprintf("row %d, %s/%s: %s\n/caracal why %s", sc.Row, sc.Surface, sc.Cause, sc.Title, sc.WhyArgs())})
	}
	return chat.Reply{
		Summary:   fmt.Sprintf("%d simulated incidents, one or more for every rule of the symptom router. Copy a command to try it.", len(scs)),
		Severity:  chat.SeverityInfo,
		Ephemeral: true,
		Sections:  []chat.Section{{Title: "Scenarios", Items: items}},
	}
}

func printBanner(w io.Writer, apiURL string) {
	suggest := func(name string) string {
		sc, _ := caracaltest.ScenarioByName(name)
		return "/caracal why " + sc.WhyArgs()
	}
	pasted, _ := caracaltest.ScenarioByName("gateway-revocation-stale")
	fmt.Fprintf(w, `caracal-bot demo: a simulated Caracal is running at %s (no tokens needed).
Type commands the way you would in Slack. Try:

  %s
  %s
  %s
  %s
  /caracal status
  /caracal doctor
  /caracal trace 01a028ea-d354-7443-96e4-46e5643d943c
  /caracal scenarios        (every simulated incident with its command)
  /caracal watch            (a burst of denials: the denial watch announces it)
  /caracal help

Or diagnose an error someone pasted in the channel, as %q does on any Slack or
Discord message: /diagnose posts the line as your message and the answer goes into its thread.

  /%s %s

Type exit or press Ctrl-D to leave.

`, apiURL, suggest("deny-no-grant"), suggest("deny-role-scope-mismatch"), suggest("sts-redis-down"), suggest("allowed"),
		chat.DiagnoseLabel, console.DiagnoseCommand, chat.OneLine(pasted.CallerSaw))
}
