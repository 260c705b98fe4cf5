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
