package collect

import (
	"context"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Prober probes the liveness and readiness of Caracal's services.
type Prober interface {
	Ready(ctx context.Context, svc caracal.Service) caracal.Probe
	Health(ctx context.Context, svc caracal.Service) caracal.Probe
}

// MetricsReader reads the operator metrics.
type MetricsReader interface {
	STSMetrics(ctx context.Context) (*caracal.STSMetrics, error)
	GatewayMetrics(ctx context.Context) (*caracal.GatewayMetrics, error)
	AuditMetrics(ctx context.Context) (*caracal.AuditMetrics, error)
	CoordinatorStats(ctx context.Context) (*caracal.CoordinatorStats, error)
}

// ZoneReader reads the visible zones and a zone's configuration.
type ZoneReader interface {
	Zones(ctx context.Context) ([]caracal.Zone, error)
	Zone(ctx context.Context, zoneID string) (*caracal.Zone, error)
	Applications(ctx context.Context, zoneID, status string) ([]caracal.Application, error)
	Resources(ctx context.Context, zoneID string) ([]caracal.Resource, error)
	PolicySets(ctx context.Context, zoneID string) ([]caracal.PolicySet, error)
	Policies(ctx context.Context, zoneID string) ([]caracal.Policy, error)
	AdminAudit(ctx context.Context, zoneID string, q caracal.AdminAuditQuery) (*caracal.List[caracal.AdminAuditRow], error)
}

// TraceReader looks request traces up.
type TraceReader interface {
	Explain(ctx context.Context, zoneID, requestID string) (*caracal.Explain, error)
	Audit(ctx context.Context, zoneID string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error)
}

// DetailReader reads what a trace points at: the active policy-set version,
// its propagation and documents, Sessions, authority records, the approval,
// and the audit rows after a revocation.
type DetailReader interface {
	ActivationStatus(ctx context.Context, zoneID, policySetID, versionID string) (*caracal.ActivationStatus, error)
	PolicySetVersion(ctx context.Context, zoneID, policySetID, versionID string) (*caracal.PolicySetVersion, error)
	Policy(ctx context.Context, zoneID, policyID string) (*caracal.Policy, error)
	Sessions(ctx context.Context, zoneID string, q caracal.SessionQuery) (*caracal.List[caracal.Session], error)
	AuthorityRecords(ctx context.Context, zoneID string, q caracal.AuthorityRecordQuery) (*caracal.List[caracal.AuthorityRecord], error)
	ApprovalStatus(ctx context.Context, approvalID string) (*caracal.ApprovalStatus, error)
	Audit(ctx context.Context, zoneID string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error)
}

// Source is every read a collection makes; *caracal.Client is one.
type Source interface {
	Prober
	MetricsReader
	ZoneReader
	TraceReader
	DetailReader
}

// Readers are the reads of a Collector, one narrow interface per part of
// the evidence. A nil reader is not read: its part of the evidence stays
// empty, so a test fakes only what it looks at.
type Readers struct {
	Probes  Prober
	Metrics MetricsReader
	Zones   ZoneReader
	Traces  TraceReader
	Details DetailReader
}

// ReadersOf reads every part of the evidence from src.
func ReadersOf(src Source) Readers {
	return Readers{Probes: src, Metrics: src, Zones: src, Traces: src, Details: src}
}
