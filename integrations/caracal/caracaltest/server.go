package caracaltest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Server is a simulator running on five loopback httptest servers, one per
// service. It embeds the Simulator, so srv.UseScenario and srv.Inject work.
type Server struct {
	*Simulator
	// Base URLs of the five services, e.g. http://127.0.0.1:41234.
	APIURL, STSURL, GatewayURL, AuditURL, CoordinatorURL string
}

// URLs returns each service's base URL.
func (s *Server) URLs() map[caracal.Service]string {
	return map[caracal.Service]string{
		caracal.ServiceAPI: s.APIURL, caracal.ServiceSTS: s.STSURL, caracal.ServiceGateway: s.GatewayURL,
		caracal.ServiceAudit: s.AuditURL, caracal.ServiceCoordinator: s.CoordinatorURL,
	}
}

// URL returns one service's base URL.
func (s *Server) URL(svc caracal.Service) string { return s.URLs()[svc] }

// Start runs a new simulator on five loopback servers and closes them when
// the test ends (hanging requests are released first).
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	sim := New(opts...)
	srv := &Server{Simulator: sim}
	urls := map[caracal.Service]*string{
		caracal.ServiceAPI: &srv.APIURL, caracal.ServiceSTS: &srv.STSURL, caracal.ServiceGateway: &srv.GatewayURL,
		caracal.ServiceAudit: &srv.AuditURL, caracal.ServiceCoordinator: &srv.CoordinatorURL,
	}
	var servers []*httptest.Server
	for _, svc := range caracal.AllServices() {
		hs := httptest.NewServer(sim.ServiceHandler(svc))
		servers = append(servers, hs)
		*urls[svc] = hs.URL
	}
	t.Cleanup(func() {
		sim.Close()
		for _, hs := range servers {
			hs.Close()
		}
	})
	return srv
}

// DefaultAddrs are Caracal's default ports on host (API.md §1).
func DefaultAddrs(host string) map[caracal.Service]string {
	return map[caracal.Service]string{
		caracal.ServiceAPI: net.JoinHostPort(host, "3000"), caracal.ServiceSTS: net.JoinHostPort(host, "8080"),
		caracal.ServiceGateway: net.JoinHostPort(host, "8081"), caracal.ServiceAudit: net.JoinHostPort(host, "9090"),
		caracal.ServiceCoordinator: net.JoinHostPort(host, "4000"),
	}
}

// Listener is a simulator serving real addresses until its context ends.
type Listener struct {
	urls map[caracal.Service]string
	done chan struct{}
	err  error
}

// URLs returns each served service's base URL (with the bound port).
func (l *Listener) URLs() map[caracal.Service]string {
	out := make(map[caracal.Service]string, len(l.urls))
	for k, v := range l.urls {
		out[k] = v
	}
	return out
}

// Wait blocks until every server has shut down and returns the first serve error.
func (l *Listener) Wait() error {
	<-l.done
	return l.err
}

// Listen serves each service in addrs on its own address (a port of 0
// picks a free one) until ctx ends, then shuts down gracefully. It returns
// once every address is bound.
func (s *Simulator) Listen(ctx context.Context, addrs map[caracal.Service]string) (*Listener, error) {
	if len(addrs) == 0 {
		return nil, errors.New("caracaltest: Listen: no addresses")
	}
	var binds []binding
	for _, svc := range caracal.AllServices() {
		if addr, ok := addrs[svc]; ok {
			binds = append(binds, binding{addr, s.ServiceHandler(svc), func(url string, urls map[caracal.Service]string) {
				urls[svc] = url
			}})
		}
	}
	if len(binds) != len(addrs) {
		return nil, fmt.Errorf("caracaltest: Listen: unknown service in %v", addrs)
	}
	return s.serveAll(ctx, binds)
}

// ListenPrefixed serves all five services on one address under their
// prefixes (/api, /sts, /gateway, /audit, /coordinator) until ctx ends.
func (s *Simulator) ListenPrefixed(ctx context.Context, addr string) (*Listener, error) {
	return s.serveAll(ctx, []binding{{addr, s.Handler(), func(url string, urls map[caracal.Service]string) {
		for _, svc := range caracal.AllServices() {
			urls[svc] = url + Prefix(svc)
		}
	}}})
}

// binding is one address to serve and how its URL names services.
type binding struct {
	addr  string
	h     http.Handler
	bound func(url string, urls map[caracal.Service]string)
}

func (s *Simulator) serveAll(ctx context.Context, binds []binding) (*Listener, error) {
	l := &Listener{urls: map[caracal.Service]string{}, done: make(chan struct{})}
	lns := make([]net.Listener, 0, len(binds))
	for _, b := range binds {
		ln, err := net.Listen("tcp", b.addr)
		if err != nil {
			for _, o := range lns {
				_ = o.Close()
			}
			return nil, fmt.Errorf("caracaltest: listen %s: %w", b.addr, err)
		}
		lns = append(lns, ln)
		b.bound("http://"+ln.Addr().String(), l.urls)
	}
	var wg sync.WaitGroup
	var once sync.Once
	servers := make([]*http.Server, 0, len(binds))
	for i, b := range binds {
		hs := &http.Server{Handler: b.h, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := hs.Serve(lns[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				once.Do(func() { l.err = err })
			}
		}()
	}
	go func() {
		<-ctx.Done()
		s.Close() // release hanging requests so shutdown completes
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, hs := range servers {
			_ = hs.Shutdown(shutdown)
		}
		wg.Wait()
		close(l.done)
	}()
	return l, nil
}
