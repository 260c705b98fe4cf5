// Package commandstest runs the bot's commands against the Caracal
// simulator, for the tests of the packages that render their replies.
package commandstest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// Registry wires the commands to a real client pointed at srv, on the
// simulator's reference clock, so rendered output is stable.
func Registry(srv *caracaltest.Server, adminToken string) *commands.Registry {
	return commands.New(Env(srv, adminToken))
}

// Env is the environment Registry wires, for tests that add to it (channel
// zones, tickets) before calling commands.New.
func Env(srv *caracaltest.Server, adminToken string) commands.Env {
	client := caracal.New(caracal.Config{
		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
		AdminToken: adminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
		CallTimeout: 2 * time.Second, MaxRetryWait: 50 * time.Millisecond,
	})
	return commands.Env{
		Caracal: client, DefaultZone: caracaltest.ZoneResearch, DocsBase: "https://docs.caracal.run",
		Timeout: 5 * time.Second, CallTimeout: 2 * time.Second, Now: caracaltest.ReferenceTime,
	}
}

// ScenarioReply runs command, as typed on platform, against a fresh
// simulator in the world of scenario ("" is the healthy world), with the
// arguments the scenario calls for (why and trace), and returns the reply.
func ScenarioReply(t testing.TB, platform, command, scenario string) chat.Reply {
	t.Helper()
	opts := []caracaltest.Option{caracaltest.WithClock(caracaltest.ReferenceTime)}
	args := ""
	if scenario != "" {
		sc, ok := caracaltest.ScenarioByName(scenario)
		require.True(t, ok, "no scenario %q", scenario)
		opts = append(opts, caracaltest.WithScenario(sc.ID))
		switch command {
		case "why":
			args = sc.WhyArgs()
		case "trace":
			args = sc.ID + " --zone " + sc.Zone
		}
	}
	reg := Registry(caracaltest.Start(t, opts...), caracaltest.DefaultAdminToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := reg.Run(ctx, chat.Invocation{Platform: platform, Command: command, Text: args})
	require.NoError(t, err)
	return res.Reply
}

// LargestReplies are the largest replies the bot renders for one request,
// as typed on platform, from the simulator's largest scenario (a
// 128-character request ID, 200-character names, 40 scopes, 50 audit
// rows): its diagnosis, its diagnosis when every other read failed (every
// kind of missing evidence), and its trace. The platforms' size limits are
// tested against them.
func LargestReplies(t testing.TB, platform string) map[string]chat.Reply {
	t.Helper()
	sc, ok := caracaltest.ScenarioByName(caracaltest.LargestName)
	require.True(t, ok)
	out := map[string]chat.Reply{}
	for _, tc := range []struct {
		name, command, args string
		missing             bool
	}{
		{"why", "why", sc.WhyArgs(), false},
		{"why-missing-evidence", "why", sc.WhyArgs(), true},
		{"trace", "trace", sc.ID + " --zone " + sc.Zone, false},
	} {
		srv := caracaltest.Start(t, caracaltest.WithClock(caracaltest.ReferenceTime), caracaltest.WithScenario(sc.ID))
		if tc.missing {
			for _, route := range caracaltest.MissingEvidenceRoutes() {
				srv.Inject(route, caracaltest.Fault{Status: 500})
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := Registry(srv, caracaltest.DefaultAdminToken).Run(ctx, chat.Invocation{Platform: platform, Command: tc.command, Text: tc.args})
		cancel()
		require.NoError(t, err, tc.name)
		out[tc.name] = res.Reply
	}
	return out
}
