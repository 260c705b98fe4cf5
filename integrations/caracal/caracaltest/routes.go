package caracaltest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// call is one request being answered.
type call struct {
	sim    *Simulator
	world  *World
	svc    caracal.Service
	w      http.ResponseWriter
	r      *http.Request
	reqID  string
	params map[string]string
}

// route maps a path pattern ("/v1/zones/{zone}") to a handler.
type route struct {
	pattern string
	handle  func(c *call)
}

// dispatch answers a GET on the service's routes.
func (c *call) dispatch() {
	switch c.svc {
	case caracal.ServiceAPI:
		c.serveAPI()
	case caracal.ServiceSTS:
		c.serveSTS()
	case caracal.ServiceGateway:
		c.serveGateway()
	case caracal.ServiceAudit:
		c.serveAudit()
	case caracal.ServiceCoordinator:
		c.serveCoordinator()
	}
}

// match finds the route for the request path and fills c.params.
func (c *call) match(routes []route) *route {
	segs := splitPath(c.r.URL.EscapedPath())
	for i := range routes {
		if params, ok := matchSegments(splitPath(routes[i].pattern), segs); ok {
			c.params = params
			return &routes[i]
		}
	}
	return nil
}

// matchSegments matches path segments against a pattern where "{x}" and
// "*" match one segment and a final "**" matches the rest.
func matchSegments(pattern, segs []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, p := range pattern {
		if p == "**" && i == len(pattern)-1 {
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			params[p[1:len(p)-1]] = segs[i]
		case p == "*":
		case p != segs[i]:
			return nil, false
		}
	}
	return params, len(pattern) == len(segs)
}

// splitPath splits an escaped path into unescaped segments; "/" is no segment.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if u, err := url.PathUnescape(s); err == nil {
			parts[i] = u
		}
	}
	return parts
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9_.\-:]{1,128}$`)

// validID checks a path id the way the Admin API does.
func validID(s string) bool { return idRE.MatchString(s) }

// fastify reports whether the service is a Fastify (Node) service.
func (c *call) fastify() bool {
	return c.svc == caracal.ServiceAPI || c.svc == caracal.ServiceCoordinator
}

// json writes a JSON answer with the service's content type.
func (c *call) json(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal_error"}`)
	}
	c.raw(status, b)
}

// raw writes a JSON body as-is.
func (c *call) raw(status int, body []byte) {
	ct := "application/json"
	if c.fastify() {
		ct = "application/json; charset=utf-8"
	}
	c.w.Header().Set("Content-Type", ct)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// text writes a plain-text answer, as Go's http.Error does.
func (c *call) text(status int, body string) {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.Header().Set("X-Content-Type-Options", "nosniff")
	c.w.WriteHeader(status)
	_, _ = c.w.Write([]byte(body + "\n"))
}

// empty writes a status with no body and no content type (Go /health).
func (c *call) empty(status int) {
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(status)
}

var requestIDKeyRE = regexp.MustCompile(`"requestId":"[^"]*"`)

// reply writes a canned Reply, stamping this request's id into "requestId",
// or hangs.
func (c *call) reply(rep *Reply) {
	if rep.Hang {
		c.sim.hang(c.r)
		closeConn(c.w)
		return
	}
	body := []byte(rep.Body)
	if requestIDKeyRE.Match(body) {
		body = requestIDKeyRE.ReplaceAll(body, []byte(`"requestId":"`+c.reqID+`"`))
	}
	if len(body) == 0 {
		c.empty(rep.Status)
		return
	}
	c.raw(rep.Status, body)
}

// errBody is the Admin API's usual error body: {"error": code}.
func errBody(code string) map[string]string { return map[string]string{"error": code} }

// goErr is a Go service's CaracalError envelope.
func goErr(code, description, requestID string) map[string]string {
	m := map[string]string{"error": code, "error_description": description}
	if requestID != "" {
		m["requestId"] = requestID
	}
	return m
}

// internalError is the Fastify services' unhandled-error envelope.
func (c *call) internalError(status int) {
	c.json(status, map[string]string{
		"error": "internal_error", "error_description": "The service failed to process the request", "requestId": c.reqID,
	})
}

// notFound answers an unknown route the way the service's framework does.
func (c *call) notFound() {
	if c.fastify() {
		c.json(http.StatusNotFound, map[string]any{
			"message": "Route " + c.r.Method + ":" + c.r.URL.Path + " not found", "error": "Not Found", "statusCode": 404,
		})
		return
	}
	c.text(http.StatusNotFound, "404 page not found")
}

// bearer returns the request's bearer token, or "".
func (c *call) bearer() string {
	h := c.r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func itoa(i int) string { return strconv.Itoa(i) }
