// Package caracaltest is the Caracal simulator: an http.Handler that serves
// Caracal's five services (Admin API, STS, Gateway, Audit, Coordinator) with
// the exact wire shapes of the shared contract (caracal/API.md), from a
// catalog of scenarios, with latency and fault injection. Tests, the
// `caracal-bot demo` and `caracal-bot sim` commands and benchmarks use it.
//
// # Quick start
//
//	srv := caracaltest.Start(t) // five loopback servers, closed on t.Cleanup
//	client := caracal.New(caracal.Config{
//		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL,
//		AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
//		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
//	})
//	sc, _ := caracaltest.ScenarioByName("deny-no-grant")
//	_ = srv.UseScenario(sc.Name) // by name or by request ID
//	// diagnose sc.ID asked in sc.AskZone with sc.Hints; expect sc.Surface and sc.Cause
//
// Every scenario names the ROUTER.md row it exercises (Row), what the
// caller saw (Hints, and CallerSaw: the error body to paste), the zone its
// trace lives in (Zone; "" when Caracal kept none) and the zone the user
// asks in (AskZone). Scenarios lists them ordered by row.
//
// # Serving
//
// ServiceHandler serves one service at its real root paths (e.g. the Admin
// API's /v1/zones/{zone}/audit). Handler serves all five on one port under
// the path prefixes /api, /sts, /gateway, /audit and /coordinator, so the base
// URL of the Admin API is http://host:port/api, of STS http://host:port/sts,
// and so on. Start runs one httptest server per service; Listen and
// ListenPrefixed serve real addresses for the standalone `sim` command.
//
// Only GET is served. Any other method answers 405 {"error":"method_not_allowed"}
// and counts as a write attempt (WriteAttempts), so tests can assert that the
// bot never writes. Every response carries an x-request-id header, and a
// Date header from the simulator's clock.
//
// # Credentials
//
// Admin API /v1 routes need "Authorization: Bearer sim-admin-token" (see
// WithAdminToken); otherwise 401 {"error":"invalid_admin_token"}. The
// Coordinator's /stats needs "Bearer sim-coordinator-token". The Go services'
// /metrics.json are open unless WithMetricsBearer sets a bearer (Caracal's own
// compose files set METRICS_BEARER, even in dev mode: API.md §0).
//
// # Worlds and scenarios
//
// A World is plain data: readiness per service, operator metrics, the two
// zones (Research and Staging) with their configuration and audit tables, and
// STS approvals. The base world is healthy and holds the trace of every
// scenario plus a day of background traffic in both zones (ZoneResearch and
// ZoneStaging). Scenarios that need a degraded world carry changes that
// UseScenario applies; Reset returns to the base world; SetWorld installs any
// world. Switching is safe under concurrent requests.
//
// The world is authored around ReferenceTime (2026-08-22T14:10:00.512Z) and
// every timestamp is shifted by the clock's offset from it when a world is
// built, so "the last 24 hours" always holds the story. A built world is
// reused while the clock has moved less than a minute. With
// WithClock(FixedClock(ReferenceTime())) the timestamps are the fixtures' own.
//
// # Faults
//
// Inject adds per-route latency, error statuses, Retry-After, hangs, closed
// connections and garbage bodies, for the next N requests or for all of them.
// Routes are written "[service] [METHOD] /path", where a path segment "*" or
// "{name}" matches one segment and a final "**" matches the rest, e.g.
// "api /v1/zones/*/audit/by-request/*/explain", "sts /ready", "* /metrics.json",
// "gateway /**".
package caracaltest

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Default credentials of a simulator.
const (
	DefaultAdminToken       = "sim-admin-token"
	DefaultCoordinatorToken = "sim-coordinator-token"
)

// maxRecorded bounds the request log; older entries are dropped.
const maxRecorded = 10000

// Simulator serves Caracal's HTTP surfaces from a World. Build one with New.
type Simulator struct {
	adminToken, zoneScope, metricsBearer, coordinatorToken string
	latency                                                time.Duration
	clock                                                  func() time.Time
	startScenario                                          string
	synthetic                                              *SyntheticDenials

	catalog []Scenario
	world   atomic.Pointer[World]

	mu       sync.Mutex // guards the fields below
	built    map[string]builtWorld
	scenario string
	faults   []*faultRule
	log      []RecordedRequest
	writes   int

	closed    chan struct{}
	closeOnce sync.Once
	hanging   atomic.Int32 // requests held by a hang right now
}

// Option configures a Simulator.
type Option func(*Simulator)

// WithAdminToken sets the bearer the Admin API accepts (default "sim-admin-token").
func WithAdminToken(tok string) Option { return func(s *Simulator) { s.adminToken = tok } }

// WithZoneScopedToken makes the admin token zone-scoped: GET /v1/zones and
// other zones' paths answer 403 admin_token_zone_mismatch, and applications
// come without traits.
func WithZoneScopedToken(zoneID string) Option { return func(s *Simulator) { s.zoneScope = zoneID } }

// WithMetricsBearer protects STS, Gateway and Audit /metrics.json with a
// bearer (401 text/plain "unauthorized" otherwise), as METRICS_BEARER does in
// every mode, dev included. Empty leaves them open, as a deployment without
// METRICS_BEARER.
func WithMetricsBearer(tok string) Option { return func(s *Simulator) { s.metricsBearer = tok } }

// WithCoordinatorToken sets the Coordinator operator token /stats needs
// (default "sim-coordinator-token").
func WithCoordinatorToken(tok string) Option { return func(s *Simulator) { s.coordinatorToken = tok } }

// WithScenario starts the simulator in a scenario's world (by name or
// request ID). New panics on an unknown scenario.
func WithScenario(id string) Option { return func(s *Simulator) { s.startScenario = id } }

// WithLatency adds the same latency to every request, for benchmarks.
func WithLatency(d time.Duration) Option { return func(s *Simulator) { s.latency = d } }

// WithClock sets the simulator's clock (default time.Now). The world's
// timestamps are shifted so that ReferenceTime reads as the clock's time
// when the world is built; the overview's generated_at and its 24-hour
// window read the clock on every request.
func WithClock(now func() time.Time) Option { return func(s *Simulator) { s.clock = now } }

// New builds a simulator serving the healthy base world (or WithScenario's).
func New(opts ...Option) *Simulator {
	s := &Simulator{
		adminToken: DefaultAdminToken, coordinatorToken: DefaultCoordinatorToken,
		clock: time.Now, closed: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.catalog = Scenarios()
	if s.startScenario != "" {
		if err := s.UseScenario(s.startScenario); err != nil {
			panic(err)
		}
	} else {
		s.Reset()
	}
	return s
}

// Scenarios returns the simulator's catalog (the same as the package's Scenarios).
func (s *Simulator) Scenarios() []Scenario { return append([]Scenario(nil), s.catalog...) }

// UseScenario switches to a scenario's world, by name or request ID: the
// base world plus the scenario's changes.
func (s *Simulator) UseScenario(id string) error {
	sc, ok := findScenario(s.catalog, id)
	if !ok {
		return fmt.Errorf("caracaltest: unknown scenario %q", id)
	}
	key := "" // scenarios without changes share the base world
	if sc.mutate != nil {
		key = sc.Name
	}
	s.install(s.worldFor(key, sc.mutate), sc.Name)
	return nil
}

// Reset switches back to the healthy base world.
func (s *Simulator) Reset() { s.install(s.worldFor("", nil), "") }

// Scenario returns the name of the scenario whose world is served ("" for
// the base world or a world installed with SetWorld).
func (s *Simulator) Scenario() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scenario
}

// World returns a deep copy of the world being served.
func (s *Simulator) World() World { return s.world.Load().Clone() }

// SetWorld serves a copy of w, as it reads on the wire, from now on.
// Timestamps are used as given.
func (s *Simulator) SetWorld(w World) {
	c := decodeWorld(encodeWorld(&w))
	s.install(&c, "")
}

func (s *Simulator) install(w *World, scenario string) {
	s.world.Store(w)
	s.mu.Lock()
	s.scenario = scenario
	s.mu.Unlock()
}

// builtWorld is a scenario's world, built for a clock offset. Served
// worlds are never modified, so one can be installed again.
type builtWorld struct {
	w     *World
	delta time.Duration
}

// worldFor returns the named world for the current clock, reusing the one
// built last time when the clock has moved less than a minute since.
func (s *Simulator) worldFor(name string, mutate func(*World)) *World {
	d := s.clock().Sub(ReferenceTime()).Truncate(time.Millisecond)
	s.mu.Lock()
	b, ok := s.built[name]
	s.mu.Unlock()
	if ok && (d-b.delta).Abs() < time.Minute {
		return b.w
	}
	w := worldAtReference(name, mutate)
	if d != 0 {
		shifted := w.shifted(d)
		w = &shifted
	}
	if s.synthetic != nil {
		w = withSynthetic(w, *s.synthetic, d)
	}
	s.mu.Lock()
	if s.built == nil {
		s.built = map[string]builtWorld{}
	}
	s.built[name] = builtWorld{w, d}
	s.mu.Unlock()
	return w
}

// baseWorld is the healthy base world at ReferenceTime, as it reads on the
// wire, built once per process. Worlds are never modified once built:
// simulators whose clock reads ReferenceTime all serve the same one.
var baseWorld = sync.OnceValue(func() *World {
	w := buildBaseWorld(Scenarios())
	w = decodeWorld(encodeWorld(&w))
	return &w
})

// scenarioWorlds caches each scenario's world at ReferenceTime, by scenario
// name, for the whole process: a scenario changes the base world the same
// way every time.
var scenarioWorlds sync.Map

// worldAtReference returns the named world, the base world with mutate
// applied, at ReferenceTime.
func worldAtReference(name string, mutate func(*World)) *World {
	if mutate == nil {
		return baseWorld()
	}
	if cached, ok := scenarioWorlds.Load(name); ok {
		return cached.(*World)
	}
	w := baseWorld().Clone()
	mutate(&w)
	w = decodeWorld(encodeWorld(&w))
	scenarioWorlds.Store(name, &w)
	return &w
}

func encodeWorld(w *World) []byte {
	raw, err := json.Marshal(w)
	if err != nil {
		panic(fmt.Sprintf("caracaltest: world: %v", err))
	}
	return raw
}

func decodeWorld(raw []byte) World {
	var w World
	if err := json.Unmarshal(raw, &w); err != nil {
		panic(fmt.Sprintf("caracaltest: world: %v", err))
	}
	return w
}

// Close releases requests held by Hang faults or hanging services (their
// connections are closed) and makes later hangs return at once. The
// simulator keeps serving otherwise.
func (s *Simulator) Close() { s.closeOnce.Do(func() { close(s.closed) }) }
