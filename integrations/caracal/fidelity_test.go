package caracal_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// modelFor maps a fixture name to a fresh pointer of the model it is a sample
// of, or nil when the fixture is not a model shape of this package.
func modelFor(name string) any {
	switch {
	case name == "explain-gateway-invalid-token.json":
		return nil
	case strings.HasPrefix(name, "explain-"):
		return new(caracal.Explain)
	case name == "zones.json":
		return new(caracal.List[caracal.Zone])
	case name == "zone.json":
		return new(caracal.Zone)
	case name == "zone-overview.json":
		return new(caracal.ZoneOverview)
	case name == "resources.json":
		return new(caracal.List[caracal.Resource])
	case name == "resource.json":
		return new(caracal.Resource)
	case name == "policies.json":
		return new(caracal.List[caracal.Policy])
	case name == "policy.json":
		return new(caracal.Policy)
	case strings.HasPrefix(name, "policy-sets"):
		return new(caracal.List[caracal.PolicySet])
	case name == "policy-set.json":
		return new(caracal.PolicySet)
	case name == "policy-set-versions.json":
		return new(caracal.List[caracal.PolicySetVersion])
	case name == "policy-set-version.json":
		return new(caracal.PolicySetVersion)
	case strings.HasPrefix(name, "activation-status"):
		return new(caracal.ActivationStatus)
	case name == "grants.json":
		return new(caracal.List[caracal.Grant])
	case name == "applications.json":
		return new(caracal.List[caracal.Application])
	case strings.HasPrefix(name, "admin-audit"):
		return new(caracal.List[caracal.AdminAuditRow])
	case name == "sessions.json":
		return new(caracal.List[caracal.Session])
	case name == "authority-records.json":
		return new(caracal.List[caracal.AuthorityRecord])
	case name == "audit-list-fields.json":
		return nil
	case strings.HasPrefix(name, "audit-list"):
		return new(caracal.List[caracal.AuditRow])
	case name == "audit-by-request.json":
		return new([]caracal.AuditRow)
	case strings.HasPrefix(name, "metrics-sts"):
		return new(caracal.STSMetrics)
	case strings.HasPrefix(name, "metrics-gateway"):
		return new(caracal.GatewayMetrics)
	case strings.HasPrefix(name, "metrics-audit"):
		return new(caracal.AuditMetrics)
	case strings.HasPrefix(name, "stats-coordinator"):
		return new(caracal.CoordinatorStats)
	case name == "sts-approval-status.json":
		return new(caracal.ApprovalStatus)
	}
	return nil
}

func TestFixtureFidelity(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	require.NoError(t, err)
	seen := 0
	for _, path := range names {
		name := filepath.Base(path)
		model := modelFor(name)
		if model == nil {
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			raw := fixture(t, name)
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(model), "strict decode")
			out, err := json.Marshal(model)
			require.NoError(t, err)
			var want, got any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(out, &got))
			assert.Equal(t, want, got, "re-encoded model differs from fixture")
		})
	}
	assert.GreaterOrEqual(t, seen, 40, "fixture mapping lost files")
}
