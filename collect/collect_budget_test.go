package collect_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestCollect_HugeBodiesUseUpTheReadBudget: a Caracal answering its lists
// and metrics with bodies just under the per-response cap cannot make one
// diagnosis read more than its budget; the diagnosis still comes back,
// naming what it did not read and why.
func TestCollect_HugeBodiesUseUpTheReadBudget(t *testing.T) {
	huge := `{"items":[],"id":"` + strings.Repeat("x", 7<<20) + `"}`
	srv := sim(t)
	for _, route := range []string{"sts /metrics.json", "gateway /metrics.json", "audit /metrics.json", "coordinator /stats",
		"api /v1/zones/*/resources", "api /v1/zones/*/policies", "api /v1/zones/*/policy-sets", "api /v1/zones/*/admin-audit"} {
		srv.Inject(route, caracaltest.Fault{Status: http.StatusOK, Body: huge})
	}
	sc := scenario(t, "deny-no-grant")
	ctx, cancel := context.WithTimeout(caracal.WithReadBudget(context.Background(), 16<<20), 20*time.Second)
	defer cancel()

	c := collector(newClient(srv))
	c.Timeout, c.CallTimeout = 20*time.Second, 15*time.Second // 7 MiB bodies under -race on a busy machine
	ev := c.Collect(ctx, query(sc))
	d := diagnose.Diagnose(ev, docsBase)
	require.Len(t, d.Steps, 8)
	notRead := 0
	for _, m := range d.MissingEvidence {
		if m.Reason == "not read: this command's read budget of 16 MiB was used up" {
			notRead++
		}
		assert.NotEqual(t, "unreachable", m.Reason, "%s: a used-up budget is not an outage", m.What)
	}
	// The four metrics bodies are also over their own 1 MiB cap: whether the
	// budget or the cap refuses them depends on which reads come first. Of
	// the four lists of 7 MiB, at most two fit in 16 MiB.
	assert.GreaterOrEqual(t, notRead, 4, "bodies of 7 MiB under a 16 MiB budget: %+v", d.MissingEvidence)
	for _, svc := range caracal.AllServices() {
		assert.True(t, ev.Ready[svc].OK, "%s readiness still measured", svc)
	}
}
