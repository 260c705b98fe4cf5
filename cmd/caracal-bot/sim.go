package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// runSim serves the Caracal simulator until interrupted: on one address with
// path prefixes (--addr), or on Caracal's five default ports (--host).
func runSim(ctx context.Context, args []string, s streams) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7000", "serve all five services on this `HOST:PORT` under /api, /sts, /gateway, /audit, /coordinator")
	host := fs.String("host", "", "instead of --addr, serve each service on its default port (3000, 8080, 8081, 9090, 4000) on this `HOST`")
	scenario := fs.String("scenario", "", "start in the world of the scenario `NAME` (or request ID)")
	if code, ok := parseFlags(fs, args, s); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.err, "caracal-bot sim: unexpected argument %q\nRun 'caracal-bot sim --help' for usage.\n", fs.Arg(0))
		return 2
	}
	sim := caracaltest.New()
	if *scenario != "" {
		sc, ok := caracaltest.ScenarioByName(*scenario)
		if !ok {
			sc, ok = caracaltest.ScenarioByID(*scenario)
		}
		if !ok {
			fmt.Fprintf(s.err, "caracal-bot sim: unknown scenario %q (see the list printed at start)\n", *scenario)
			return 2
		}
		if err := sim.UseScenario(sc.ID); err != nil {
			fmt.Fprintln(s.err, "caracal-bot sim:", err)
			return 1
		}
	}
	var ln *caracaltest.Listener
	var err error
	if *host != "" {
		ln, err = sim.Listen(ctx, caracaltest.DefaultAddrs(*host))
	} else {
		ln, err = sim.ListenPrefixed(ctx, *addr)
	}
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot sim:", err)
		return 1
	}
	tokens, err := writeSimTokens()
	if err != nil {
		fmt.Fprintln(s.err, "caracal-bot sim:", err)
		return 1
	}
	defer os.RemoveAll(tokens)
	printSimEnv(s.out, ln.URLs(), tokens)
	if err := ln.Wait(); err != nil {
		fmt.Fprintln(s.err, "caracal-bot sim:", err)
		return 1
	}
	return 0
}

// writeSimTokens writes the simulator's admin and Coordinator tokens to
// files in a new directory, for the *_FILE variables: the scrubber removes
// a token printed as KEY=value, and a token file is how a real deployment
// should pass them anyway.
func writeSimTokens() (string, error) {
	dir, err := os.MkdirTemp("", "caracal-sim-")
	if err != nil {
		return "", err
	}
	for name, tok := range map[string]string{"admin-token": caracaltest.DefaultAdminToken, "coordinator-token": caracaltest.DefaultCoordinatorToken} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(tok+"\n"), 0o600); err != nil {
			_ = os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// printSimEnv tells the user how to point the bot at the simulator, its
// tokens in files under tokens.
func printSimEnv(w io.Writer, urls map[caracal.Service]string, tokens string) {
	fmt.Fprintln(w, "Caracal simulator running. Point caracal-bot at it with:")
	envs := map[caracal.Service]string{
		caracal.ServiceAPI: "CARACAL_API_URL", caracal.ServiceSTS: "CARACAL_STS_URL", caracal.ServiceGateway: "CARACAL_GATEWAY_URL",
		caracal.ServiceAudit: "CARACAL_AUDIT_URL", caracal.ServiceCoordinator: "CARACAL_COORDINATOR_URL",
	}
	for _, svc := range caracal.AllServices() {
		fmt.Fprintf(w, "  export %s=%s\n", envs[svc], urls[svc])
	}
	fmt.Fprintf(w, "  export CARACAL_ADMIN_TOKEN_FILE=%s\n  export CARACAL_COORDINATOR_TOKEN_FILE=%s\n  export CARACAL_ZONE_ID=%s\n",
		filepath.Join(tokens, "admin-token"), filepath.Join(tokens, "coordinator-token"), caracaltest.ZoneResearch)
	fmt.Fprintln(w, "Scenarios (request IDs to diagnose):")
	scs := caracaltest.Scenarios()
	sort.SliceStable(scs, func(i, j int) bool { return scs[i].Row < scs[j].Row })
	for _, sc := range scs {
		fmt.Fprintf(w, "  %-36s %s\n", sc.Name, sc.ID)
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
