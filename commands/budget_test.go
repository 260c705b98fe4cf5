package commands_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestEveryCommandRunsUnderTheReadBudget: with Caracal answering lists and
// metrics with bodies near the budget, why, doctor and the digest (as a
// command and as the scheduler builds it) all come back and name what
// their budget left unread.
func TestEveryCommandRunsUnderTheReadBudget(t *testing.T) {
	srv := newSim(t)
	big := `{"items":[],"id":"` + strings.Repeat("x", 900<<10) + `"}`
	for _, route := range []string{"sts /metrics.json", "gateway /metrics.json", "audit /metrics.json", "coordinator /stats",
		"api /v1/zones/*/audit", "api /v1/zones/*/admin-audit", "api /v1/zones/*/resources", "api /v1/zones/*/policies"} {
		srv.Inject(route, caracaltest.Fault{Status: http.StatusOK, Body: big})
	}
	client := caracal.New(caracal.Config{
		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken, CallTimeout: 2 * time.Second,
	})
	reg := commands.New(commands.Env{Caracal: client, DefaultZone: caracaltest.ZoneResearch, Timeout: 5 * time.Second,
		CallTimeout: 2 * time.Second, Now: fixedNow, ReadBudget: 1 << 20})
	sc, ok := caracaltest.ScenarioByName("deny-no-grant")
	require.True(t, ok)

	results := map[string]func() (commands.Result, error){
		"why":    func() (commands.Result, error) { return run(t, reg, "why", sc.ID) },
		"doctor": func() (commands.Result, error) { return run(t, reg, "doctor", "") },
		"digest": func() (commands.Result, error) { return run(t, reg, "digest", "") },
		"scheduled digest": func() (commands.Result, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return reg.Digest(ctx, commands.DigestOptions{})
		},
	}
	for name, result := range results {
		t.Run(name, func(t *testing.T) {
			res, err := result()
			require.NoError(t, err)
			data, err := json.Marshal(res.Data)
			require.NoError(t, err)
			assert.Contains(t, string(data), "not read: this command's read budget of 1 MiB was used up")
		})
	}
}
