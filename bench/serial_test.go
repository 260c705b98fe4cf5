package bench

import (
	"context"
	"sync"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// serialSource runs every call of the wrapped Source one after another, the
// way a naive diagnosis would: it measures the cost of not running calls in
// parallel, with the very same calls.
type serialSource struct {
	mu  sync.Mutex
	src collect.Source
}

func lock[T any](s *serialSource, f func() T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

func (s *serialSource) Ready(ctx context.Context, svc caracal.Service) caracal.Probe {
	return lock(s, func() caracal.Probe { return s.src.Ready(ctx, svc) })
}

func (s *serialSource) Health(ctx context.Context, svc caracal.Service) caracal.Probe {
	return lock(s, func() caracal.Probe { return s.src.Health(ctx, svc) })
}

type result[T any] struct {
	v   T
	err error
}

func call[T any](s *serialSource, f func() (T, error)) (T, error) {
	r := lock(s, func() result[T] { v, err := f(); return result[T]{v, err} })
	return r.v, r.err
}

func (s *serialSource) STSMetrics(ctx context.Context) (*caracal.STSMetrics, error) {
	return call(s, func() (*caracal.STSMetrics, error) { return s.src.STSMetrics(ctx) })
}

func (s *serialSource) GatewayMetrics(ctx context.Context) (*caracal.GatewayMetrics, error) {
	return call(s, func() (*caracal.GatewayMetrics, error) { return s.src.GatewayMetrics(ctx) })
}

func (s *serialSource) AuditMetrics(ctx context.Context) (*caracal.AuditMetrics, error) {
	return call(s, func() (*caracal.AuditMetrics, error) { return s.src.AuditMetrics(ctx) })
}

func (s *serialSource) CoordinatorStats(ctx context.Context) (*caracal.CoordinatorStats, error) {
	return call(s, func() (*caracal.CoordinatorStats, error) { return s.src.CoordinatorStats(ctx) })
}

func (s *serialSource) Zones(ctx context.Context) ([]caracal.Zone, error) {
	return call(s, func() ([]caracal.Zone, error) { return s.src.Zones(ctx) })
}

func (s *serialSource) Zone(ctx context.Context, z string) (*caracal.Zone, error) {
	return call(s, func() (*caracal.Zone, error) { return s.src.Zone(ctx, z) })
}

func (s *serialSource) Explain(ctx context.Context, z, id string) (*caracal.Explain, error) {
	return call(s, func() (*caracal.Explain, error) { return s.src.Explain(ctx, z, id) })
}

func (s *serialSource) Applications(ctx context.Context, z, status string) ([]caracal.Application, error) {
	return call(s, func() ([]caracal.Application, error) { return s.src.Applications(ctx, z, status) })
}

func (s *serialSource) Resources(ctx context.Context, z string) ([]caracal.Resource, error) {
	return call(s, func() ([]caracal.Resource, error) { return s.src.Resources(ctx, z) })
}

func (s *serialSource) PolicySets(ctx context.Context, z string) ([]caracal.PolicySet, error) {
	return call(s, func() ([]caracal.PolicySet, error) { return s.src.PolicySets(ctx, z) })
}

func (s *serialSource) PolicySetVersion(ctx context.Context, z, set, v string) (*caracal.PolicySetVersion, error) {
	return call(s, func() (*caracal.PolicySetVersion, error) { return s.src.PolicySetVersion(ctx, z, set, v) })
}

func (s *serialSource) ActivationStatus(ctx context.Context, z, set, v string) (*caracal.ActivationStatus, error) {
	return call(s, func() (*caracal.ActivationStatus, error) { return s.src.ActivationStatus(ctx, z, set, v) })
}

func (s *serialSource) Policy(ctx context.Context, z, id string) (*caracal.Policy, error) {
	return call(s, func() (*caracal.Policy, error) { return s.src.Policy(ctx, z, id) })
}

func (s *serialSource) Policies(ctx context.Context, z string) ([]caracal.Policy, error) {
	return call(s, func() ([]caracal.Policy, error) { return s.src.Policies(ctx, z) })
}

func (s *serialSource) AdminAudit(ctx context.Context, z string, q caracal.AdminAuditQuery) (*caracal.List[caracal.AdminAuditRow], error) {
	return call(s, func() (*caracal.List[caracal.AdminAuditRow], error) { return s.src.AdminAudit(ctx, z, q) })
}

func (s *serialSource) Audit(ctx context.Context, z string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
	return call(s, func() (*caracal.List[caracal.AuditRow], error) { return s.src.Audit(ctx, z, q) })
}

func (s *serialSource) Sessions(ctx context.Context, z string, q caracal.SessionQuery) (*caracal.List[caracal.Session], error) {
	return call(s, func() (*caracal.List[caracal.Session], error) { return s.src.Sessions(ctx, z, q) })
}

func (s *serialSource) AuthorityRecords(ctx context.Context, z string, q caracal.AuthorityRecordQuery) (*caracal.List[caracal.AuthorityRecord], error) {
	return call(s, func() (*caracal.List[caracal.AuthorityRecord], error) { return s.src.AuthorityRecords(ctx, z, q) })
}

func (s *serialSource) ApprovalStatus(ctx context.Context, id string) (*caracal.ApprovalStatus, error) {
	return call(s, func() (*caracal.ApprovalStatus, error) { return s.src.ApprovalStatus(ctx, id) })
}
