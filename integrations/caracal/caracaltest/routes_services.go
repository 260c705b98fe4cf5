package caracaltest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// probe answers /health or /ready: the world's override, or the healthy answer.
func (c *call) probe(override *Reply, healthy func()) {
	if override != nil {
		c.reply(override)
		return
	}
	healthy()
}

// metricsAllowed applies the metrics bearer rule of the Go services: with a
// bearer configured it must match exactly; answers 401 text otherwise.
func (c *call) metricsAllowed() bool {
	tok := c.sim.metricsBearer
	if tok == "" || c.r.Header.Get("Authorization") == "Bearer "+tok {
		return true
	}
	c.text(http.StatusUnauthorized, "unauthorized")
	return false
}

// serveSTS: /health (empty), /ready, /metrics.json, /approvals/{id}.
func (c *call) serveSTS() {
	st := c.world.STS
	rt := c.match([]route{
		{"/health", func(c *call) { c.probe(st.Health, func() { c.empty(http.StatusOK) }) }},
		{"/ready", func(c *call) {
			c.probe(st.Ready, func() { c.raw(http.StatusOK, []byte(`{"ok":true,"ready":true}`)) })
		}},
		{"/metrics.json", func(c *call) {
			if c.metricsAllowed() {
				c.json(http.StatusOK, c.world.STSMetrics)
			}
		}},
		{"/approvals/{id}", (*call).approval},
	})
	if rt == nil {
		c.notFound()
		return
	}
	rt.handle(c)
}

// approval answers STS GET /approvals/{id}?wait=<s≤25>. A pending approval
// is long-polled for up to wait seconds (states never change on their own
// in the simulator, so the wait runs out).
func (c *call) approval() {
	a := c.world.Approval(c.params["id"])
	if a == nil {
		c.json(http.StatusNotFound, goErr("resource_not_found", "approval not found", ""))
		return
	}
	if wait, err := strconv.Atoi(c.r.URL.Query().Get("wait")); err == nil && wait > 0 && a.State == "pending" {
		if !c.sim.sleep(c.r.Context(), time.Duration(min(wait, 25))*time.Second) {
			closeConn(c.w)
			return
		}
	}
	c.json(http.StatusOK, a)
}

// serveGateway: /health (empty), /ready, /metrics.json; every other path is
// proxied, and the simulator answers with the Gateway's own checks.
func (c *call) serveGateway() {
	st := c.world.Gateway
	rt := c.match([]route{
		{"/health", func(c *call) { c.probe(st.Health, func() { c.empty(http.StatusOK) }) }},
		{"/ready", func(c *call) {
			c.probe(st.Ready, func() { c.raw(http.StatusOK, []byte(`{"ok":true,"ready":true}`)) })
		}},
		{"/metrics.json", func(c *call) {
			if c.metricsAllowed() {
				c.json(http.StatusOK, c.world.GatewayMetrics)
			}
		}},
	})
	if rt == nil {
		c.gatewayProxy()
		return
	}
	rt.handle(c)
}

// gatewayProxy runs the Gateway's local checks in order (API.md §9) on a
// proxied path. No mandate can pass them: the simulator has no signing keys.
func (c *call) gatewayProxy() {
	bearer := c.bearer()
	switch {
	case c.world.GatewayMetrics.RevocationSnapshotFresh == 0:
		c.json(http.StatusServiceUnavailable, goErr("sts_unavailable", "revocation state unavailable", c.reqID))
	case bearer == "":
		c.json(http.StatusUnauthorized, goErr("invalid_token", "missing bearer token", c.reqID))
	case len(bearer) > 4096:
		c.json(http.StatusUnauthorized, goErr("invalid_token", "bearer token too large", c.reqID))
	case strings.Count(bearer, ".") != 2:
		c.json(http.StatusUnauthorized, goErr("invalid_token", "malformed bearer token", c.reqID))
	case c.r.Header.Get("X-Caracal-Client-ID") != "":
		c.json(http.StatusBadRequest, goErr("invalid_token", "client identity derives from the bearer token", c.reqID))
	case c.r.Header.Get("X-Caracal-Resource") == "":
		c.json(http.StatusBadRequest, goErr("invalid_token", "missing routing headers", c.reqID))
	default:
		c.json(http.StatusUnauthorized, goErr("invalid_token", "bearer signature invalid", c.reqID))
	}
}

// serveAudit: /health (empty, or 503 consumer_unhealthy), /ready, /metrics.json.
func (c *call) serveAudit() {
	st := c.world.Audit
	rt := c.match([]route{
		{"/health", func(c *call) { c.probe(st.Health, func() { c.empty(http.StatusOK) }) }},
		{"/ready", func(c *call) { c.probe(st.Ready, func() { c.raw(http.StatusOK, []byte(`{"ready":true}`)) }) }},
		{"/metrics.json", func(c *call) {
			if c.metricsAllowed() {
				c.json(http.StatusOK, c.world.AuditMetrics)
			}
		}},
	})
	if rt == nil {
		c.notFound()
		return
	}
	rt.handle(c)
}

// serveCoordinator: /health, /ready, /stats (operator token), /metrics.json (401).
func (c *call) serveCoordinator() {
	st := c.world.Coordinator
	rt := c.match([]route{
		{"/health", func(c *call) { c.probe(st.Health, func() { c.raw(http.StatusOK, []byte(`{"ok":true}`)) }) }},
		{"/ready", func(c *call) { c.probe(st.Ready, func() { c.raw(http.StatusOK, []byte(`{"ok":true}`)) }) }},
		{"/stats", func(c *call) {
			switch tok := c.bearer(); {
			case tok == "":
				c.json(http.StatusUnauthorized, errBody("missing_token"))
			case tok != c.sim.coordinatorToken:
				c.json(http.StatusForbidden, errBody("operator_token_required"))
			default:
				c.json(http.StatusOK, c.world.CoordinatorStats)
			}
		}},
		{"/metrics.json", func(c *call) { c.json(http.StatusUnauthorized, errBody("invalid_token")) }},
	})
	if rt == nil {
		c.notFound()
		return
	}
	rt.handle(c)
}
