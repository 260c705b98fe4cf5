package diagnose

import (
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Metrics are the operator metrics read.
func (ev *Evidence) Metrics() health.Metrics {
	return health.Metrics{STS: ev.STSMetrics, Gateway: ev.GatewayMetrics, Audit: ev.AuditMetrics, Coordinator: ev.CoordinatorStats}
}

// propagationDetail explains why the zone's policy change is not live on STS.
func propagationDetail(ev *Evidence) string {
	return health.Propagation(ev.Activation, ev.readyReasonIs(caracal.ServiceAPI, "outbox_dead_messages"))
}

// readyReason returns the /ready reason of a service, "" when ready or not probed.
func (ev *Evidence) readyReason(svc caracal.Service) string {
	p, ok := ev.Ready[svc]
	if !ok || p.OK {
		return ""
	}
	return health.ProbeDetail(p)
}

// readyReasonIs reports whether a service's /ready failed with this reason.
func (ev *Evidence) readyReasonIs(svc caracal.Service, reason string) bool {
	p, ok := ev.Ready[svc]
	return ok && !p.OK && p.Reason == reason
}
