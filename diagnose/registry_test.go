package diagnose

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCauses_AreComplete: every entry has a surface, rules with their
// conditions, a verdict, next actions each linking a ROUTER.md docs page,
// and well-formed step notes; tokens are unique and closed ones are
// snake_case.
func TestCauses_AreComplete(t *testing.T) {
	seen := map[Cause]bool{}
	for _, e := range Causes() {
		t.Run(string(e.Cause), func(t *testing.T) {
			assert.False(t, seen[e.Cause], "registered once")
			seen[e.Cause] = true
			if e.Open != nil {
				assert.Regexp(t, `^<[a-z_\[\]0-9.]+>$`, string(e.Cause), "an open entry names where its token comes from")
			} else {
				assert.Regexp(t, `^[a-z][a-z_]*$`, string(e.Cause))
			}
			assert.Contains(t, Surfaces(), e.Surface)
			require.NotEmpty(t, e.Rules, "rules")
			for _, r := range e.Rules {
				assert.True(t, r.Row >= 1 && r.Row <= 22, "row %d", r.Row)
				assert.NotEmpty(t, r.When, "row %d says when", r.Row)
				assert.NotNil(t, r.Match, "row %d matches", r.Row)
			}
			assert.NotNil(t, e.Verdict, "verdict")
			require.NotEmpty(t, e.Actions, "next actions")
			assert.True(t, slices.ContainsFunc(e.Actions, func(a NextAction) bool { return a.When == nil }),
				"at least one action holds whatever the evidence, so no diagnosis goes without one")
			for _, a := range e.Actions {
				assert.NotEmpty(t, a.Text)
				assert.Contains(t, DocPages(), a.Page, "%q links a docs page of ROUTER.md", a.Text)
			}
			for _, n := range e.Steps {
				assert.True(t, n.Step >= 1 && n.Step <= 8, "step %d", n.Step)
				assert.Contains(t, []StepStatus{StepPass, StepFail, StepWarn, StepSkip}, n.Status)
				assert.NotEmpty(t, n.Detail)
			}
		})
	}
}

// TestCauses_InRouterOrder: entries are registered by their first ROUTER.md
// row, every row has a rule, and the last rule (row 22) is a catch-all.
func TestCauses_InRouterOrder(t *testing.T) {
	causes := Causes()
	rows := map[int]bool{}
	last := 0
	for _, e := range causes {
		first := slices.MinFunc(e.Rules, func(a, b Rule) int { return a.Row - b.Row }).Row
		assert.GreaterOrEqual(t, first, last, "%s is registered in ROUTER.md order", e.Cause)
		last = first
		for _, r := range e.Rules {
			rows[r.Row] = true
		}
	}
	for row := 1; row <= 22; row++ {
		assert.True(t, rows[row], "ROUTER.md row %d has a rule", row)
	}
	rules := Conclusions()
	catchAll := rules[len(rules)-1]
	assert.Equal(t, 22, catchAll.Row)
	assert.True(t, catchAll.Match(&Evidence{}), "row 22 matches any evidence")
	assert.Equal(t, CauseUnknown, catchAll.Entry.Cause)
}

// TestCauses_OpenEntries: rows 4 and 10 pass Caracal's own value through,
// with the actions and step notes of the entry that value names, and the
// generic ones otherwise; unknown from an open entry (no value) is not the
// catch-all's.
func TestCauses_OpenEntries(t *testing.T) {
	tests := []struct {
		name        string
		ev          *Evidence
		cause       Cause
		row         int
		verdictHas  string
		firstAction string
	}{
		{"a policy reason newer than the registry", with(withTrace(trace("deny", denyRow("quota_exhausted"), closingRow()))),
			"quota_exhausted", 4, "with reason quota_exhausted", "Look up the STS gate quota_exhausted in the error reference"},
		{"a policy deny without a reason", with(withTrace(trace("deny", row("token_exchange", "deny", "complete", mintMeta("pipernet:read")), closingRow()))),
			CauseUnknown, 4, "with reason unknown", "Look up the STS gate unknown in the error reference"},
		{"a policy reason that names another entry", with(withTrace(trace("deny", denyRow("operation_not_permitted"), closingRow()))),
			CauseOperationNotPermitted, 4, "with reason operation_not_permitted", "Declare the operation"},
		{"a gate the registry does not name", with(withTrace(trace("deny", gateRow("control_resource_requires_control_key")))),
			"control_resource_requires_control_key", 10, "control_resource_requires_control_key gate", "Look up the STS gate control_resource_requires_control_key"},
		{"a gate that names an approval cause", with(withTrace(trace("deny", gateRow("approval_rejected")))),
			CauseApprovalRejected, 10, "was rejected", "Do not retry with this approval_id"},
		{"a gate row without a status", with(withTrace(trace("deny", gateRow("")))),
			CauseUnknown, 10, "STS's unknown gate", "Look up the STS gate unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, row := decide(tc.ev)
			assert.Equal(t, tc.row, row)
			d := Diagnose(tc.ev, testDocsBase)
			assert.Equal(t, SurfaceSTSPolicy, d.Surface, "the open entries' surface")
			assert.Equal(t, tc.cause, d.Cause)
			assert.Contains(t, d.Verdict, tc.verdictHas)
			assert.True(t, strings.HasPrefix(d.NextActions[0].Text, tc.firstAction), "first action: %s", d.NextActions[0].Text)
			assert.NotContains(t, d.NextActions[0].Text, "{{")
			if tc.cause == CauseOperationNotPermitted {
				_, ok := f.note(6)
				assert.True(t, ok, "the named entry's step notes apply")
				assert.Equal(t, StepFail, d.Steps[5].Status)
			}
		})
	}
}

// TestCauses_ActionsNameTheZone: {{zone}} in an action is the diagnosed zone.
func TestCauses_ActionsNameTheZone(t *testing.T) {
	tr := trace("deny", denyRow("resource_not_granted"), closingRow())
	tr.ZoneID = otherZone
	d := Diagnose(with(withTrace(tr)), testDocsBase)
	assert.True(t, slices.ContainsFunc(d.NextActions, func(a Action) bool {
		return strings.Contains(a.Text, "in zone "+otherZone+" and wait")
	}), "%+v", d.NextActions)
}
