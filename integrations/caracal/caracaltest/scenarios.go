package caracaltest

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// Symptom words a caller may report (ROUTER.md "Input: a query").
const (
	SymptomNoAudit = "no-audit" // the call worked but no audit event was written
	SymptomRevoked = "revoked"  // access continues after a revocation
)

// Hints are what the caller saw, as a user would tell the bot.
type Hints struct {
	Status      int    `json:"status,omitempty"`            // HTTP status the caller saw
	ErrorCode   string `json:"error,omitempty"`             // the envelope's error code
	Description string `json:"error_description,omitempty"` // the envelope's error_description
	Symptom     string `json:"symptom,omitempty"`           // "", SymptomNoAudit or SymptomRevoked
}

// Scenario is one failure the simulator can stage: a request ID to
// diagnose, what the caller saw, and what the symptom router must conclude.
// Traces of all scenarios live in the shared audit tables of the base world,
// so most scenarios coexist in one healthy world; scenarios that need a
// degraded world (outages, the audit pipeline, revocation) carry world
// changes that Simulator.UseScenario applies.
type Scenario struct {
	ID    string // the request ID to diagnose
	Name  string // short slug, e.g. "deny-no-grant"
	Title string // one line for humans
	Row   int    // ROUTER.md rule row (1–22) the scenario exercises
	// Surface and Cause are what the router must conclude.
	Surface diagnose.Surface
	Cause   diagnose.Cause
	// Hints are what the caller saw and tells the bot.
	Hints Hints
	// Zone is where the trace lives ("" when Caracal kept no trace);
	// AskZone is the zone the user asks in.
	Zone, AskZone string
	// CallerSaw is what the caller could paste: the error body or message
	// ("" when the call produced none).
	CallerSaw string
	// WorldChanges describe how this scenario's world differs from the
	// shared base world (empty: the base world).
	WorldChanges []string

	seed   func(*World) // supporting data added to the shared base world
	mutate func(*World) // this scenario's own world changes
}

// Scenarios returns the catalog, ordered by ROUTER.md row. Each call builds
// a fresh slice.
func Scenarios() []Scenario {
	var all []Scenario
	for _, family := range [][]Scenario{
		infrastructureScenarios(), policyScenarios(), gateScenarios(), approvalRetryScenarios(), approvalScenarios(),
		auditPipelineScenarios(), revocationScenarios(), upstreamScenarios(), callerScenarios(), largestScenarios(),
	} {
		all = append(all, family...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Row < all[j].Row })
	return all
}

// ScenarioByID finds a scenario by its request ID.
func ScenarioByID(id string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.ID == id {
			return s, true
		}
	}
	return Scenario{}, false
}

// ScenarioByName finds a scenario by its slug.
func ScenarioByName(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// findScenario matches an ID or a name.
func findScenario(catalog []Scenario, key string) (Scenario, bool) {
	for _, s := range catalog {
		if s.ID == key || s.Name == key {
			return s, true
		}
	}
	return Scenario{}, false
}

// fixtureBody returns a fixture compacted to one line (a pasteable error).
func fixtureBody(name string) string {
	raw, err := Fixture(name)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		panic(err)
	}
	return buf.String()
}

// goError is a Go service's error envelope (STS, Gateway).
func goError(code, description, requestID string) string {
	b, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
		RequestID   string `json:"requestId,omitempty"`
	}{code, description, requestID})
	return string(b)
}

// both chains world functions.
func both(fs ...func(*World)) func(*World) {
	return func(w *World) {
		for _, f := range fs {
			if f != nil {
				f(w)
			}
		}
	}
}

// research returns a function that edits the Research zone.
func research(f func(z *ZoneData)) func(*World) {
	return func(w *World) { f(w.ZoneByID(ZoneResearch)) }
}
