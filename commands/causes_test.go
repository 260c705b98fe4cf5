package commands_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// openWithoutScenario are the open entries no scenario can show: Caracal
// documents no value outside the registry for them (API.md §7.7 lists every
// policy reason). The diagnose package's unit tests pin them.
var openWithoutScenario = []diagnose.Cause{diagnose.CauseOtherPolicyReason}

// TestEveryCauseHasAScenarioAndAGolden: for every ROUTER.md row that
// concludes a cause of the registry, a simulator scenario concludes it
// (TestWhyEveryScenario checks that why does) and its diagnosis is pinned
// by a golden file; and every scenario's cause is in the registry.
func TestEveryCauseHasAScenarioAndAGolden(t *testing.T) {
	causes := diagnose.Causes()
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
func entryOf(causes []diagnose.Entry, sc caracaltest.Scenario) (diagnose.Entry, bool) {
	concludes := func(e diagnose.Entry) bool {
		return e.Surface == sc.Surface && slices.ContainsFunc(e.Rules, func(r diagnose.Rule) bool { return r.Row == sc.Row })
	}
	if i := slices.IndexFunc(causes, func(e diagnose.Entry) bool { return e.Cause == sc.Cause && concludes(e) }); i >= 0 {
		return causes[i], true
	}
	if i := slices.IndexFunc(causes, func(e diagnose.Entry) bool { return e.Open != nil && concludes(e) }); i >= 0 {
		return causes[i], true
	}
	return diagnose.Entry{}, false
}

// ruleKey is one ROUTER.md row that concludes a cause.
type ruleKey struct {
	cause diagnose.Cause
	row   int
}

// TestREADMECauses: the README's table of causes is the causes command's.
func TestREADMECauses(t *testing.T) {
	res, err := run(t, causesRegistry(), "causes", "")
	require.NoError(t, err)
	table := res.Reply.Sections[0].Table
	var b strings.Builder
	b.WriteString("| " + strings.Join(table.Header, " | ") + " |\n" + strings.Repeat("| --- ", len(table.Header)) + "|\n")
	for _, r := range table.Rows {
		b.WriteString(fmt.Sprintf("| %s | `%s` | `%s` | %s |\n", r[0], r[1], r[2], strings.ReplaceAll(r[3], "|", `\|`)))
	}
	golden.Section(t, "../README.md", "<!-- causes:begin (generated) -->", "<!-- causes:end -->", []byte(b.String()))
}

// causeJSON is one cause of `causes --format json`.
type causeJSON struct {
	Cause   string `json:"cause"`
	Surface string `json:"surface"`
	Open    bool   `json:"open"`
	Rules   []struct {
		Row  int    `json:"row"`
		When string `json:"when"`
	} `json:"rules"`
	Docs []string `json:"docs"`
}

// TestCausesCommand: `causes` lists the registry in ROUTER.md order, the
// JSON contract names each cause's surface, rows and docs pages, and it
// takes no arguments.
func TestCausesCommand(t *testing.T) {
	reg := causesRegistry()
	res, err := run(t, reg, "causes", "")
	require.NoError(t, err)
	assert.True(t, res.OK)
	raw, err := json.Marshal(res.Data)
	require.NoError(t, err)
	var got []causeJSON
	require.NoError(t, json.Unmarshal(raw, &got))
	causes := diagnose.Causes()
	require.Len(t, got, len(causes))
	rows := map[string][]int{}
	for i, c := range got {
		assert.Equal(t, string(causes[i].Cause), c.Cause)
		assert.Equal(t, string(causes[i].Surface), c.Surface)
		assert.Equal(t, causes[i].Open != nil, c.Open, c.Cause)
		for _, r := range c.Rules {
			assert.NotEmpty(t, r.When, c.Cause)
			rows[c.Cause] = append(rows[c.Cause], r.Row)
		}
		require.NotEmpty(t, c.Docs, c.Cause)
		for _, d := range c.Docs {
			assert.True(t, strings.HasPrefix(d, "https://docs.caracal.run/"), d)
		}
	}
	assert.Equal(t, "api_unreachable", got[0].Cause)
	assert.Equal(t, []int{4, 18}, rows["delegation_scope_exceeded"])

	table := res.Reply.Sections[0].Table.Rows
	assert.Len(t, table, len(diagnose.Conclusions()), "one line per rule")
	assert.Equal(t, []string{"22", "unknown", "unknown"}, table[len(table)-1][:3])

	_, err = run(t, reg, "causes", "extra")
	var usage *commands.UsageError
	assert.ErrorAs(t, err, &usage)
}

// causesRegistry serves causes, which reads no Caracal.
func causesRegistry() *commands.Registry {
	return commands.New(commands.Env{DocsBase: "https://docs.caracal.run"})
}
