package caracal_test

import (
	"context"
	"net/http"
	"reflect"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// everyMethod invokes each exported method of *caracal.Client once. The
// reflection check below fails when a method is added without an entry here.
var everyMethod = map[string]func(ctx context.Context, c *caracal.Client){
	"Ready":             func(ctx context.Context, c *caracal.Client) { c.Ready(ctx, caracal.ServiceAPI) },
	"Health":            func(ctx context.Context, c *caracal.Client) { c.Health(ctx, caracal.ServiceAudit) },
	"STSMetrics":        func(ctx context.Context, c *caracal.Client) { _, _ = c.STSMetrics(ctx) },
	"GatewayMetrics":    func(ctx context.Context, c *caracal.Client) { _, _ = c.GatewayMetrics(ctx) },
	"AuditMetrics":      func(ctx context.Context, c *caracal.Client) { _, _ = c.AuditMetrics(ctx) },
	"CoordinatorStats":  func(ctx context.Context, c *caracal.Client) { _, _ = c.CoordinatorStats(ctx) },
	"ApprovalStatus":    func(ctx context.Context, c *caracal.Client) { _, _ = c.ApprovalStatus(ctx, "a") },
	"Zones":             func(ctx context.Context, c *caracal.Client) { _, _ = c.Zones(ctx) },
	"Zone":              func(ctx context.Context, c *caracal.Client) { _, _ = c.Zone(ctx, "z") },
	"ZoneOverview":      func(ctx context.Context, c *caracal.Client) { _, _ = c.ZoneOverview(ctx, "z") },
	"Applications":      func(ctx context.Context, c *caracal.Client) { _, _ = c.Applications(ctx, "z", "") },
	"Resources":         func(ctx context.Context, c *caracal.Client) { _, _ = c.Resources(ctx, "z") },
	"Resource":          func(ctx context.Context, c *caracal.Client) { _, _ = c.Resource(ctx, "z", "r") },
	"Policies":          func(ctx context.Context, c *caracal.Client) { _, _ = c.Policies(ctx, "z") },
	"Policy":            func(ctx context.Context, c *caracal.Client) { _, _ = c.Policy(ctx, "z", "p") },
	"PolicySets":        func(ctx context.Context, c *caracal.Client) { _, _ = c.PolicySets(ctx, "z") },
	"PolicySet":         func(ctx context.Context, c *caracal.Client) { _, _ = c.PolicySet(ctx, "z", "s") },
	"PolicySetVersions": func(ctx context.Context, c *caracal.Client) { _, _ = c.PolicySetVersions(ctx, "z", "s") },
	"PolicySetVersion":  func(ctx context.Context, c *caracal.Client) { _, _ = c.PolicySetVersion(ctx, "z", "s", "v") },
	"ActivationStatus":  func(ctx context.Context, c *caracal.Client) { _, _ = c.ActivationStatus(ctx, "z", "s", "v") },
	"Grants":            func(ctx context.Context, c *caracal.Client) { _, _ = c.Grants(ctx, "z", caracal.GrantQuery{}) },
	"Audit":             func(ctx context.Context, c *caracal.Client) { _, _ = c.Audit(ctx, "z", caracal.AuditQuery{}) },
	"AuditByRequest":    func(ctx context.Context, c *caracal.Client) { _, _ = c.AuditByRequest(ctx, "z", "r") },
	"Explain":           func(ctx context.Context, c *caracal.Client) { _, _ = c.Explain(ctx, "z", "r") },
	"AdminAudit": func(ctx context.Context, c *caracal.Client) {
		_, _ = c.AdminAudit(ctx, "z", caracal.AdminAuditQuery{})
	},
	"Sessions": func(ctx context.Context, c *caracal.Client) { _, _ = c.Sessions(ctx, "z", caracal.SessionQuery{}) },
	"AuthorityRecords": func(ctx context.Context, c *caracal.Client) {
		_, _ = c.AuthorityRecords(ctx, "z", caracal.AuthorityRecordQuery{})
	},
}

func TestEveryMethodIsCovered(t *testing.T) {
	typ := reflect.TypeFor[*caracal.Client]()
	var exported []string
	for m := range typ.Methods() {
		exported = append(exported, m.Name)
	}
	var covered []string
	for name := range everyMethod {
		covered = append(covered, name)
	}
	sort.Strings(exported)
	sort.Strings(covered)
	assert.Equal(t, exported, covered)
}

// TestClientIsReadOnly drives every method against a server that answers 200
// to anything and records the HTTP methods it receives: all must be GET.
func TestClientIsReadOnly(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		reply{body: []byte(`{"items":[],"next_cursor":null}`)}.write(w)
	})
	c := newClient(f)
	for name, invoke := range everyMethod {
		before := len(f.Hits())
		invoke(t.Context(), c)
		assert.Greater(t, len(f.Hits()), before, "%s made no request", name)
	}
	hits := f.Hits()
	require.GreaterOrEqual(t, len(hits), len(everyMethod))
	for _, h := range hits {
		assert.Equal(t, http.MethodGet, h.Method, h.Path)
	}
}
