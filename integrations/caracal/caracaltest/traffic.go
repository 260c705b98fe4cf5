package caracaltest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// trafficPlan describes the background calls of a zone: long-running
// service Sessions minting and calling through the Gateway, so audit lists,
// overview counts and authority records look like a working day.
type trafficPlan struct {
	zone     string
	version  policyVersion
	from, to time.Time
	every    time.Duration // mean gap between calls
	quiet    [][2]time.Time
	sessions []bgSession
	seed     uint64
}

// bgSession is one background Session and what it calls.
type bgSession struct {
	name         string // seeds the Session, Delegation and authority record ids
	app, appName string
	labels       []string
	targets      []bgTarget
	// denyScope, when set, is requested now and then and refused
	// (role_scope_mismatch): the label's role does not grant it.
	denyScope string

	root, child, edge, subject string // derived from name
}

type bgTarget struct {
	resource, scope, method, host, provider string
	bytes                                   int
}

func researchTraffic() trafficPlan {
	pipernet := bgTarget{"resource://pipernet", "pipernet:read", "GET", "pipernet:8088", providerPipernet, 1834}
	nucleus := bgTarget{"resource://nucleus", "nucleus:tool:call", "POST", "nucleus-mcp:9000", providerNucleus, 611}
	write := bgTarget{"resource://pipernet", "pipernet:write", "POST", "pipernet:8088", providerPipernet, 97}
	ref := ReferenceTime()
	return trafficPlan{
		zone: ZoneResearch, version: policyVersion{setVersionV3, manifestV3}, from: ref.Add(-24 * time.Hour), to: at("14:00:00"),
		every: 12 * time.Minute, seed: 1,
		// A quiet morning keeps the fixture traces' neighbourhood as the fixtures show it.
		quiet: [][2]time.Time{{at("08:55:00"), at("10:10:00")}},
		sessions: []bgSession{
			{name: "research-reader", app: appResearchAgent, appName: "research-agent", labels: []string{"reader"},
				targets: []bgTarget{pipernet, nucleus}, denyScope: "pipernet:write"},
			{name: "research-writer", app: appResearchAgent, appName: "research-agent", labels: []string{"writer"},
				targets: []bgTarget{pipernet, write}},
		},
	}
}

func stagingTraffic() trafficPlan {
	pipernet := bgTarget{"resource://pipernet", "pipernet:read", "GET", "pipernet-staging:8088", stagingProviderPipernet, 1612}
	ref := ReferenceTime()
	return trafficPlan{
		zone: ZoneStaging, version: stagingVersion(), from: ref.Add(-24 * time.Hour), to: at("14:00:00"),
		every: 41 * time.Minute, seed: 2,
		sessions: []bgSession{
			{name: "staging-reader", app: stagingAppSupport, appName: "support-agent", labels: []string{"reader"},
				targets: []bgTarget{pipernet}},
		},
	}
}

// addTraffic adds the plan's Sessions, authority records and audit rows to the zone.
func addTraffic(z *ZoneData, p trafficPlan) {
	rng := rand.New(rand.NewPCG(p.seed, 0x5ca1ab1e))
	started := p.sessionStart()
	for i := range p.sessions {
		s := &p.sessions[i]
		s.derive(started)
		z.AuthorityRecords = append(z.AuthorityRecords, authorityRecord(recordSpec{
			zone: p.zone, id: s.subject, subject: s.app, created: started, ttl: 72 * time.Hour,
		}))
		for _, id := range []string{s.root, s.child} {
			ss := session(sessionSpec{id: id, app: s.app, labels: s.labels, started: started, subject: s.subject})
			ss.Lifecycle, ss.TTLSeconds = "service", nil
			ss.LastActiveAt = strp(ts(p.to))
			if id == s.child {
				ss.ParentSessionID, ss.Depth = strp(s.root), 1
			} else {
				ss.ChildCount = 1
			}
			z.Sessions = append(z.Sessions, ss)
		}
	}
	n := 0
	for t := p.from.Add(jitter(rng, p.every)); t.Before(p.to); t = t.Add(jitter(rng, p.every)) {
		if inQuiet(t, p.quiet) {
			continue
		}
		n++
		s := p.sessions[rng.IntN(len(p.sessions))]
		a := actor{appID: s.app, appName: s.appName, authority: s.subject, agentSession: s.child,
			parentSession: s.root, edge: s.edge, labels: s.labels, epoch: 3, lifecycle: "service"}
		mint := newTrace(p.zone, uuid7At(t, fmt.Sprintf("bg/%s/%d", p.zone, n)), t)
		if s.denyScope != "" && n%23 == 0 {
			mint.policyDeny(p.version, a.mintMD("resource://pipernet", []string{s.denyScope}), "role_scope_mismatch")
			mint.exchangeDenied(a, "resource://pipernet")
			z.AddAudit(mint.rows...)
			continue
		}
		tg := s.targets[rng.IntN(len(s.targets))]
		mint.policyAllow(p.version, a.mintMD(tg.resource, []string{tg.scope}), "caracal-"+s.appName+"-mint")
		mandate := uuid7At(t.Add(20*time.Millisecond), fmt.Sprintf("bg-ar/%s/%d", p.zone, n))
		z.AuthorityRecords = append(z.AuthorityRecords, authorityRecord(recordSpec{
			zone: p.zone, id: mandate, subject: s.app, parent: s.subject, created: t.Add(20 * time.Millisecond), ttl: 15 * time.Minute,
		}))
		use := a
		use.authority = mandate
		gwAt := t.Add(time.Duration(250+rng.IntN(900)) * time.Millisecond)
		gw := newTrace(p.zone, uuid4From(fmt.Sprintf("bg-gw/%s/%d", p.zone, n)), gwAt)
		gw.policyAllow(p.version, use.mintMD(tg.resource, nil), "caracal-"+s.appName+"-use")
		status := 200
		if rng.IntN(40) == 0 {
			status = 404
		}
		gw.gateway(use, gatewayCall{method: tg.method, resource: tg.resource, upstreamHost: tg.host, providerID: tg.provider,
			upstreamStatus: status, gatewayStatus: status, latencyMS: 20 + rng.IntN(60), responseBytes: tg.bytes})
		z.AddAudit(mint.rows...)
		z.AddAudit(gw.rows...)
	}
}

// sessionStart is when the plan's service Sessions started.
func (p trafficPlan) sessionStart() time.Time { return p.from.Add(-2 * time.Hour) }

// derive fills the Session, Delegation and authority record ids from the name.
func (s *bgSession) derive(started time.Time) {
	s.subject = uuid7At(started, "bg-subject/"+s.name)
	s.root = uuid7At(started.Add(time.Second), "bg-root/"+s.name)
	s.edge = uuid7At(started.Add(2*time.Second), "bg-edge/"+s.name)
	s.child = uuid7At(started.Add(3*time.Second), "bg-child/"+s.name)
}

// backgroundActor is the research-agent in the named background Session.
func backgroundActor(name string) actor {
	p := researchTraffic()
	for _, s := range p.sessions {
		if s.name == name {
			s.derive(p.sessionStart())
			return actor{appID: s.app, appName: s.appName, authority: s.subject, agentSession: s.child,
				parentSession: s.root, edge: s.edge, labels: s.labels, epoch: 3, lifecycle: "service"}
		}
	}
	panic("caracaltest: no background session " + name)
}

func jitter(rng *rand.Rand, mean time.Duration) time.Duration {
	// between half and one and a half times the mean, at millisecond precision
	return (mean/2 + time.Duration(rng.Int64N(int64(mean)))).Truncate(time.Millisecond)
}

func inQuiet(t time.Time, quiet [][2]time.Time) bool {
	for _, q := range quiet {
		if !t.Before(q[0]) && t.Before(q[1]) {
			return true
		}
	}
	return false
}
