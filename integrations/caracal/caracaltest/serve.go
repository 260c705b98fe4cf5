package caracaltest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

type servicePrefix struct {
	svc    caracal.Service
	prefix string
}

// servicePrefixes are Handler's path prefixes.
func servicePrefixes() []servicePrefix {
	return []servicePrefix{
		{caracal.ServiceAPI, "/api"}, {caracal.ServiceSTS, "/sts"}, {caracal.ServiceGateway, "/gateway"},
		{caracal.ServiceAudit, "/audit"}, {caracal.ServiceCoordinator, "/coordinator"},
	}
}

// Prefix returns the path prefix under which Handler serves a service.
func Prefix(svc caracal.Service) string {
	for _, p := range servicePrefixes() {
		if p.svc == svc {
			return p.prefix
		}
	}
	return ""
}

// Handler serves all five services on one port, each under its prefix
// (/api, /sts, /gateway, /audit, /coordinator).
func (s *Simulator) Handler() http.Handler {
	prefixes := servicePrefixes()
	handlers := map[caracal.Service]http.Handler{}
	for _, p := range prefixes {
		handlers[p.svc] = http.StripPrefix(p.prefix, s.ServiceHandler(p.svc))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range prefixes {
			if r.URL.Path == p.prefix || strings.HasPrefix(r.URL.Path, p.prefix+"/") {
				handlers[p.svc].ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintln(w, "Caracal simulator: the services live under /api, /sts, /gateway, /audit and /coordinator.")
	})
}

// ServiceHandler serves one service at its real root paths.
func (s *Simulator) ServiceHandler(svc caracal.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(svc, w, r) })
}

func (s *Simulator) serve(svc caracal.Service, w http.ResponseWriter, r *http.Request) {
	reqID := requestIDFor(svc, r)
	w.Header().Set("X-Request-Id", reqID)
	w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat)) // the services' clock is the simulator's
	s.record(svc, r)
	if !s.sleep(r.Context(), s.latency) {
		closeConn(w)
		return
	}
	world := s.world.Load()
	st := world.Service(svc)
	if st == nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case st.Down:
		closeConn(w)
		return
	case st.Hang:
		s.hang(r)
		closeConn(w)
		return
	}
	c := &call{sim: s, world: world, svc: svc, w: w, r: r, reqID: reqID}
	if f, ok := s.matchFault(svc, r); ok && s.applyFault(c, f) {
		return
	}
	if r.Method != http.MethodGet {
		c.json(http.StatusMethodNotAllowed, errBody("method_not_allowed"))
		return
	}
	c.dispatch()
}

// sleep waits d; it stops early when the simulator is closed, and reports
// false when the client gave up first.
func (s *Simulator) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.closed:
	case <-ctx.Done():
		return false
	}
	return true
}

// hang blocks until the client gives up or the simulator is closed.
func (s *Simulator) hang(r *http.Request) {
	s.hanging.Add(1)
	defer s.hanging.Add(-1)
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
}

// closeConn drops the connection without an answer.
func closeConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// requestIDFor picks the x-request-id: the Fastify services use a supplied
// header as-is, the Gateway one of 1–128 printable characters; otherwise a
// random UUIDv4.
func requestIDFor(svc caracal.Service, r *http.Request) string {
	in := r.Header.Get("X-Request-Id")
	switch svc {
	case caracal.ServiceAPI, caracal.ServiceCoordinator:
		if in != "" {
			return in
		}
	case caracal.ServiceGateway:
		if printableID(in) {
			return in
		}
	}
	return newRequestID()
}

func printableID(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
