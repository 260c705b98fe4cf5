package commands_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/router"
)

// openWithoutScenario are the open entries no scenario can show: Caracal
// documents no value outside the registry for them (API.md §7.7 lists every
// policy reason). The router's unit tests pin them.
var openWithoutScenario = []router.Cause{router.CauseOtherPolicyReason}

// TestEveryCauseHasAScenarioAndAGolden: for every ROUTER.md row that
// concludes a cause of the registry, a simulator scenario concludes it
// (TestWhyEveryScenario checks that why does) and its diagnosis is pinned
// by a golden file; and every scenario's cause is in the registry.
func TestEveryCauseHasAScenarioAndAGolden(t *testing.T) {
	causes := router.Causes()
	covered := map[ruleKey]bool{}
	for _, sc := range caracaltest.Scenarios() {
		e, ok := entryOf(causes, sc)
		if assert.True(t, ok, "scenario %s: %s/%s by row %d is not in the registry", sc.Name, sc.Surface, sc.Cause, sc.Row) {
			covered[ruleKey{e.Cause, sc.Row}] = true
			_, err := os.Stat(filepath.Join("testdata", scenarioGolden(sc)))
			assert.NoError(t, err, "scenario %s has a golden rendering", sc.Name)
		}
	}
	for _, e := range causes {
		if slices.Contains(openWithoutScenario, e.Cause) {
			continue
		}
		for _, r := range e.Rules {
			assert.True(t, covered[ruleKey{e.Cause, r.Row}], "no scenario concludes %s by ROUTER.md row %d", e.Cause, r.Row)
		}
	}
}

// entryOf finds the entry that concludes a scenario's cause by its row: the
// entry of its token, else the open entry of the row.
func entryOf(causes []router.Entry, sc caracaltest.Scenario) (router.Entry, bool) {
	concludes := func(e router.Entry) bool {
		return e.Surface == sc.Surface && slices.ContainsFunc(e.Rules, func(r router.Rule) bool { return r.Row == sc.Row })
	}
	if i := slices.IndexFunc(causes, func(e router.Entry) bool { return e.Cause == sc.Cause && concludes(e) }); i >= 0 {
		return causes[i], true
	}
	if i := slices.IndexFunc(causes, func(e router.Entry) bool { return e.Open != nil && concludes(e) }); i >= 0 {
		return causes[i], true
	}
	return router.Entry{}, false
}

// ruleKey is one ROUTER.md row that concludes a cause.
type ruleKey struct {
	cause router.Cause
	row   int
}
