package router

import (
	"context"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Source is the set of Caracal reads the router needs. *caracal.Client
// satisfies it; tests may pass anything else that does.
type Source interface {
	Ready(ctx context.Context, svc caracal.Service) caracal.Probe
	Health(ctx context.Context, svc caracal.Service) caracal.Probe

	STSMetrics(ctx context.Context) (*caracal.STSMetrics, error)
	GatewayMetrics(ctx context.Context) (*caracal.GatewayMetrics, error)
	AuditMetrics(ctx context.Context) (*caracal.AuditMetrics, error)
	CoordinatorStats(ctx context.Context) (*caracal.CoordinatorStats, error)

	Zones(ctx context.Context) ([]caracal.Zone, error)
	Zone(ctx context.Context, zoneID string) (*caracal.Zone, error)
	Explain(ctx context.Context, zoneID, requestID string) (*caracal.Explain, error)
	Resources(ctx context.Context, zoneID string) ([]caracal.Resource, error)
	PolicySets(ctx context.Context, zoneID string) ([]caracal.PolicySet, error)
	PolicySetVersion(ctx context.Context, zoneID, policySetID, versionID string) (*caracal.PolicySetVersion, error)
	ActivationStatus(ctx context.Context, zoneID, policySetID, versionID string) (*caracal.ActivationStatus, error)
	Policy(ctx context.Context, zoneID, policyID string) (*caracal.Policy, error)
	Policies(ctx context.Context, zoneID string) ([]caracal.Policy, error)
	AdminAudit(ctx context.Context, zoneID string, q caracal.AdminAuditQuery) (*caracal.List[caracal.AdminAuditRow], error)
	Audit(ctx context.Context, zoneID string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error)
	Sessions(ctx context.Context, zoneID string, q caracal.SessionQuery) (*caracal.List[caracal.Session], error)
	AuthorityRecords(ctx context.Context, zoneID string, q caracal.AuthorityRecordQuery) (*caracal.List[caracal.AuthorityRecord], error)
	ApprovalStatus(ctx context.Context, approvalID string) (*caracal.ApprovalStatus, error)
}
