package caracaltest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Fault is what Inject does to the requests matching a route. Latency is
// applied first; then the first of Hang, Close, Garbage and Status that is
// set answers the request. A fault with only Latency (or RetryAfter) lets
// the normal answer through.
type Fault struct {
	Latency time.Duration // added before answering; ends early if the client gives up
	Status  int           // answer this status instead of the route's
	// Body is sent with Status verbatim; "" sends the service's usual
	// envelope for that status (e.g. 429 {"error":"rate_limited"} on the
	// Admin API, 503 sts_unavailable with a requestId on the Gateway).
	Body       string
	RetryAfter string // Retry-After header on the answer
	Times      int    // 0: every matching request; N: the next N only
	Hang       bool   // never answer; returns as soon as the client gives up
	Close      bool   // close the connection without an answer
	Garbage    bool   // 200 with a body that is not valid JSON
}

// faultRule is an injected fault with its route and remaining uses.
type faultRule struct {
	svc    string // "*" or a service name
	method string // "" or an HTTP method
	path   []string
	fault  Fault
	left   int // remaining uses; 0 = unlimited
}

// ValidateRoute checks a fault route: "[service] [METHOD] /path", where
// service is api, sts, gateway, audit, coordinator or * (default *), and in
// the path "*" or "{name}" matches one segment and a final "**" the rest.
// A lone "*" matches every request.
func ValidateRoute(route string) error {
	_, err := parseRoute(route)
	return err
}

func parseRoute(route string) (faultRule, error) {
	r := faultRule{svc: "*"}
	fields := strings.Fields(route)
	if len(fields) == 1 && fields[0] == "*" {
		r.path = []string{"**"}
		return r, nil
	}
	if len(fields) > 0 && !strings.HasPrefix(fields[0], "/") {
		switch svc := fields[0]; svc {
		case "*", string(caracal.ServiceAPI), string(caracal.ServiceSTS), string(caracal.ServiceGateway),
			string(caracal.ServiceAudit), string(caracal.ServiceCoordinator):
			r.svc, fields = svc, fields[1:]
		}
	}
	if len(fields) > 1 && fields[0] == strings.ToUpper(fields[0]) && !strings.HasPrefix(fields[0], "/") {
		r.method, fields = fields[0], fields[1:]
	}
	if len(fields) != 1 || !strings.HasPrefix(fields[0], "/") {
		return faultRule{}, fmt.Errorf("caracaltest: fault route %q: want \"[service] [METHOD] /path\", e.g. \"api /v1/zones/*/audit\"", route)
	}
	r.path = strings.Split(strings.TrimPrefix(fields[0], "/"), "/")
	if len(r.path) == 1 && r.path[0] == "" {
		r.path = nil
	}
	return r, nil
}

// Inject adds a fault for the requests matching route (see ValidateRoute
// for the syntax; it panics on a malformed route). The most recently
// injected matching fault wins.
func (s *Simulator) Inject(route string, f Fault) {
	r, err := parseRoute(route)
	if err != nil {
		panic(err)
	}
	r.fault, r.left = f, f.Times
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &r)
}

// ClearFaults removes every injected fault.
func (s *Simulator) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault finds the newest fault matching the request and uses it up.
func (s *Simulator) matchFault(svc caracal.Service, r *http.Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	segs := splitPath(r.URL.EscapedPath())
	for i := len(s.faults) - 1; i >= 0; i-- {
		fr := s.faults[i]
		if (fr.svc != "*" && fr.svc != string(svc)) || (fr.method != "" && fr.method != r.Method) {
			continue
		}
		if _, ok := matchSegments(fr.path, segs); !ok {
			continue
		}
		if fr.left > 0 {
			fr.left--
			if fr.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return fr.fault, true
	}
	return Fault{}, false
}

// applyFault runs a fault; it reports whether the fault answered the request.
func (s *Simulator) applyFault(c *call, f Fault) bool {
	if !s.sleep(c.r.Context(), f.Latency) {
		closeConn(c.w)
		return true
	}
	if f.RetryAfter != "" {
		c.w.Header().Set("Retry-After", f.RetryAfter)
	}
	switch {
	case f.Hang:
		s.hang(c.r)
		closeConn(c.w)
	case f.Close:
		closeConn(c.w)
	case f.Garbage:
		c.raw(http.StatusOK, []byte(`{"items":[{"id":"01a0`))
	case f.Status != 0 && f.Body != "":
		c.w.Header().Set("Content-Type", "application/json")
		c.w.WriteHeader(f.Status)
		_, _ = c.w.Write([]byte(f.Body))
	case f.Status != 0:
		c.defaultError(f.Status)
	default:
		return false
	}
	return true
}

// defaultError answers a status with the envelope the service uses for it.
func (c *call) defaultError(status int) {
	path := c.r.URL.Path
	metrics := path == "/metrics" || path == "/metrics.json"
	switch {
	case path == "/ready" && status >= 500:
		c.defaultNotReady(status)
	case c.fastify():
		c.fastifyError(status)
	case status == http.StatusUnauthorized && metrics, c.svc == caracal.ServiceAudit:
		c.text(status, strings.ToLower(http.StatusText(status)))
	case c.svc == caracal.ServiceGateway:
		code, desc := gatewayCode(status)
		c.json(status, goErr(code, desc, c.reqID))
	default:
		code, desc := stsCode(status)
		c.json(status, goErr(code, desc, c.reqID))
	}
}

func (c *call) defaultNotReady(status int) {
	switch c.svc {
	case caracal.ServiceAPI, caracal.ServiceCoordinator:
		c.json(status, map[string]any{"ok": false, "error": "postgres_unreachable", "dependency": "postgres"})
	case caracal.ServiceAudit:
		c.reply(goNotReadyStatus(status, "consumer_unhealthy"))
	default:
		c.reply(goNotReadyStatus(status, "redis_unreachable"))
	}
}

func goNotReadyStatus(status int, reason string) *Reply {
	r := goNotReady(reason)
	r.Status = status
	return r
}

func (c *call) fastifyError(status int) {
	switch {
	case status == http.StatusTooManyRequests:
		c.json(status, errBody("rate_limited"))
	case status == http.StatusUnauthorized && c.svc == caracal.ServiceAPI:
		c.json(status, errBody("invalid_admin_token"))
	case status == http.StatusUnauthorized:
		c.json(status, errBody("missing_token"))
	case status == http.StatusForbidden && c.svc == caracal.ServiceAPI:
		c.json(status, errBody("admin_token_zone_mismatch"))
	case status == http.StatusForbidden:
		c.json(status, errBody("operator_token_required"))
	case status == http.StatusBadRequest:
		c.json(status, errBody("invalid_query"))
	case status == http.StatusNotFound:
		c.notFound()
	default:
		c.internalError(status)
	}
}

// gatewayCode is the Gateway's own error for a status (API.md §9).
func gatewayCode(status int) (string, string) {
	switch status {
	case 400:
		return "invalid_token", "missing routing headers"
	case 401:
		return "invalid_token", "missing bearer token"
	case 403:
		return "access_denied", "policy denied"
	case 429:
		return "provider_rate_limited", "authentication rate limit exceeded"
	case 502:
		return "internal_error", "upstream unreachable"
	case 503:
		return "sts_unavailable", "sts unavailable"
	case 504:
		return "sts_unavailable", "sts timeout"
	}
	return "internal_error", strings.ToLower(http.StatusText(status))
}

// stsCode is STS's error for a status (API.md §8).
func stsCode(status int) (string, string) {
	switch status {
	case 400:
		return "invalid_token", "malformed request body"
	case 401:
		return "access_denied", "invalid client credentials"
	case 403:
		return "access_denied", "policy denied"
	case 404:
		return "resource_not_found", "approval not found"
	case 429:
		return "provider_rate_limited", "authentication rate limit exceeded"
	case 503:
		return "sts_unavailable", "trusted time unavailable"
	}
	return "internal_error", strings.ToLower(http.StatusText(status))
}
