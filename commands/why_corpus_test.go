package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/paste/pastetest"
)

// TestWhyCorpus runs why over every paste of the corpus of real Caracal
// output that names a scenario, end to end against the simulator in that
// scenario's world: typed in chat (the paste is the message text, newlines
// and all) and on the command line (the paste is one argument). Either
// way the diagnosis has the scenario's surface and cause.
func TestWhyCorpus(t *testing.T) {
	cases, err := pastetest.Corpus()
	require.NoError(t, err)
	n := 0
	for _, c := range cases {
		if c.Scenario == "" {
			continue
		}
		n++
		sc, ok := caracaltest.ScenarioByName(c.Scenario)
		require.True(t, ok, "%s: no scenario %q", c.Name, c.Scenario)
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			reg := commandstest.Registry(newSim(t, caracaltest.WithScenario(sc.ID)), caracaltest.DefaultAdminToken)
			for _, inv := range []chat.Invocation{
				{Platform: "slack", Command: "why", Text: c.Text},
				{Platform: commands.PlatformCLI, Command: "why", Args: []string{c.Text}},
			} {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				res, err := reg.Run(ctx, inv)
				cancel()
				require.NoError(t, err, inv.Platform)
				d, ok := res.Data.(diagnose.Diagnosis)
				require.True(t, ok)
				assert.Equal(t, sc.Surface, d.Surface, "%s: surface; verdict: %s", inv.Platform, d.Verdict)
				assert.Equal(t, sc.Cause, d.Cause, "%s: cause; verdict: %s", inv.Platform, d.Verdict)
			}
		})
	}
	assert.Greater(t, n, 40, "corpus pastes with a scenario")
}
