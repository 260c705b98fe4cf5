package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestWhyReadBudgetComesFromTheConfiguration: CARACAL_READ_BUDGET_MIB
// bounds what one command reads; the reads past it are named.
func TestWhyReadBudgetComesFromTheConfiguration(t *testing.T) {
	srv := startSim(t)
	big := `{"items":[],"id":"` + strings.Repeat("x", 900<<10) + `"}`
	for _, route := range []string{"sts /metrics.json", "gateway /metrics.json", "audit /metrics.json", "coordinator /stats"} {
		srv.Inject(route, caracaltest.Fault{Status: http.StatusOK, Body: big})
	}
	d, _ := whyJSON(t, with(simEnv(srv), "CARACAL_READ_BUDGET_MIB", "1"), whyArgs(scenario(t, "deny-no-grant"))...)
	reasons := map[string]string{}
	for _, m := range d.MissingEvidence {
		reasons[m.What] = m.Reason
	}
	assert.GreaterOrEqual(t, len(reasons), 3, "four bodies of 900 KiB, at most one fits in 1 MiB: %v", reasons)
	for what, reason := range reasons {
		assert.Equal(t, "not read: this command's read budget of 1 MiB was used up", reason, what)
	}
}
