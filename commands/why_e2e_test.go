package commands_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// TestWhyEveryScenario runs `why` end to end over HTTP against the simulator
// for every scenario of the catalog (at least one per ROUTER.md row) and
// checks the surface and cause; the whole diagnosis is pinned by
// testdata/why/<scenario>.json.golden.
func TestWhyEveryScenario(t *testing.T) {
	rows := map[int]bool{}
	for _, sc := range caracaltest.Scenarios() {
		rows[sc.Row] = true
		t.Run(fmt.Sprintf("row%02d_%s", sc.Row, sc.Name), func(t *testing.T) {
			srv := newSim(t, caracaltest.WithScenario(sc.ID))
			reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)

			res, err := run(t, reg, "why", sc.WhyArgs())
			require.NoError(t, err)
			d, ok := res.Data.(diagnose.Diagnosis)
			require.True(t, ok, "why returns a diagnose.Diagnosis")
			assert.Equal(t, sc.Surface, d.Surface, "surface; verdict: %s", d.Verdict)
			assert.Equal(t, sc.Cause, d.Cause, "cause; verdict: %s", d.Verdict)
			assert.NotEmpty(t, d.Verdict)
			assert.Len(t, d.Steps, 8)
			assert.NotEmpty(t, d.NextActions)
			if sc.Zone != "" {
				assert.Equal(t, sc.Zone, d.ZoneID, "diagnosed in the zone where the trace lives")
			}
			assert.Zero(t, srv.WriteAttempts(), "the bot never writes to Caracal")
			js, err := json.MarshalIndent(d, "", "  ")
			require.NoError(t, err)
			golden.Check(t, scenarioGolden(sc), append(js, '\n'))
		})
	}
	for row := 1; row <= 22; row++ {
		assert.True(t, rows[row], "ROUTER.md row %d has a scenario", row)
	}
}

// scenarioGolden names the golden file of a scenario's diagnosis.
func scenarioGolden(sc caracaltest.Scenario) string { return "why/" + sc.Name + ".json.golden" }
