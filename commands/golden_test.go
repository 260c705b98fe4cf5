package commands_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// TestDiagnosisRenderings pins the text, markdown and JSON renderings of a
// deny, an allow and an outage diagnosis.
func TestDiagnosisRenderings(t *testing.T) {
	for _, name := range []string{"deny-no-grant", "allowed", "sts-redis-down"} {
		t.Run(name, func(t *testing.T) {
			sc, ok := caracaltest.ScenarioByName(name)
			require.True(t, ok)
			srv := newSim(t, caracaltest.WithScenario(sc.ID))
			res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "why", sc.WhyArgs())
			require.NoError(t, err)

			var text bytes.Buffer
			require.NoError(t, console.Render(&text, res.Reply, console.Options{Width: 100}))
			golden.Check(t, "why-"+name+".txt.golden", text.Bytes())
			golden.Check(t, "why-"+name+".md.golden", []byte(chat.Markdown(res.Reply)))
			js, err := json.MarshalIndent(res.Data, "", "  ")
			require.NoError(t, err)
			golden.Check(t, "why-"+name+".json.golden", append(js, '\n'))
		})
	}
}
