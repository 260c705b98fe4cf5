package caracal

import (
	"context"
	"fmt"
)

// maxOperatorBodyBytes caps the operator objects (metrics, stats, approval
// status): fixed shapes of a few KiB (API.md §3.4 to §3.8), so a larger
// body is not what Caracal sends, and is not read past this.
const maxOperatorBodyBytes = 1 << 20

// STSMetrics reads STS GET /metrics.json (API.md §3.4). The metrics bearer is
// sent only when configured; without it a non-dev STS answers a plain-text
// 401 "unauthorized" (an *Error with an empty Code).
func (c *Client) STSMetrics(ctx context.Context) (*STSMetrics, error) {
	return getObject[STSMetrics](ctx, c, c.metricsCall(ServiceSTS))
}

// GatewayMetrics reads Gateway /metrics.json (API.md §3.5).
func (c *Client) GatewayMetrics(ctx context.Context) (*GatewayMetrics, error) {
	return getObject[GatewayMetrics](ctx, c, c.metricsCall(ServiceGateway))
}

// AuditMetrics reads Audit GET /metrics.json (API.md §3.6).
func (c *Client) AuditMetrics(ctx context.Context) (*AuditMetrics, error) {
	return getObject[AuditMetrics](ctx, c, c.metricsCall(ServiceAudit))
}

// metricsCall is GET /metrics.json on svc with the metrics bearer, if any.
func (c *Client) metricsCall(svc Service) call {
	return call{svc: svc, path: "/metrics.json", token: c.metricsTok, limit: maxOperatorBodyBytes}
}

// CoordinatorStats reads Coordinator GET /stats with the operator token
// (API.md §3.7). Without a CoordinatorToken it returns an error wrapping
// ErrNotConfigured and sends nothing.
func (c *Client) CoordinatorStats(ctx context.Context) (*CoordinatorStats, error) {
	if c.coordTok == "" {
		return nil, fmt.Errorf("caracal: coordinator operator token: %w", ErrNotConfigured)
	}
	return getObject[CoordinatorStats](ctx, c, call{svc: ServiceCoordinator, path: "/stats", token: c.coordTok, limit: maxOperatorBodyBytes})
}

// ApprovalStatus reads STS GET /approvals/{id} (API.md §3.8): the public
// state of an approval hold. It sends no credentials (the id is the
// capability) and no wait parameter, so it never long-polls.
func (c *Client) ApprovalStatus(ctx context.Context, approvalID string) (*ApprovalStatus, error) {
	path, err := buildPath("/approvals/%s", param("approval id", approvalID))
	if err != nil {
		return nil, err
	}
	return getObject[ApprovalStatus](ctx, c, call{svc: ServiceSTS, path: path, limit: maxOperatorBodyBytes})
}
