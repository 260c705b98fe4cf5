package collect_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestCollect_AllScenariosConcurrently runs Collect for every scenario,
// many at a time, from one Collector and one client against one simulator in
// the base world (run it with -race). Scenarios whose world is the base
// world must get their expected surface and cause; the others only a
// well-formed diagnosis.
func TestCollect_AllScenariosConcurrently(t *testing.T) {
	srv := sim(t)
	c := collector(newClient(srv))
	c.Timeout, c.CallTimeout = 15*time.Second, 10*time.Second
	scenarios := srv.Scenarios()
	require.NotEmpty(t, scenarios)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	results := make([]diagnose.Diagnosis, len(scenarios))
	evs := make([]*diagnose.Evidence, len(scenarios))
	// Sixteen at a time share the Collector, the client and the simulator:
	// enough for -race to see them overlap, few enough that a busy 2-core
	// machine answers within the call timeout.
	var wg sync.WaitGroup
	slots := make(chan struct{}, 16)
	for i, sc := range scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			evs[i] = c.Collect(ctx, query(sc))
			results[i] = diagnose.Diagnose(evs[i], docsBase)
		}()
	}
	wg.Wait()

	compared := 0
	for i, sc := range scenarios {
		d, ev := results[i], evs[i]
		require.NotNil(t, ev, sc.Name)
		assert.Len(t, d.Steps, 8, sc.Name)
		assert.NotEmpty(t, d.Cause, sc.Name)
		assert.NotEmpty(t, d.NextActions, sc.Name)
		assert.Equal(t, sc.ID, d.RequestID, sc.Name)
		if len(sc.WorldChanges) > 0 {
			continue
		}
		compared++
		assert.Empty(t, d.MissingEvidence, "%s: nothing missing in the base world", sc.Name)
		assert.Equal(t, sc.Surface, d.Surface, "%s surface; verdict: %s", sc.Name, d.Verdict)
		assert.Equal(t, sc.Cause, d.Cause, "%s cause; verdict: %s", sc.Name, d.Verdict)
		if sc.Zone != "" {
			assert.Equal(t, sc.Zone, d.ZoneID, "%s: diagnosed in the trace's zone", sc.Name)
			assert.True(t, ev.HasTrace(), sc.Name)
		}
	}
	assert.Greater(t, compared, len(scenarios)/2, "most scenarios live in the base world")

	// The same scenarios collected one by one give the same diagnoses:
	// concurrency does not change the answer.
	for i, sc := range scenarios {
		if len(sc.WorldChanges) > 0 {
			continue
		}
		_, d := gather(t, c, query(sc))
		assert.Equal(t, results[i].Surface, d.Surface, sc.Name)
		assert.Equal(t, results[i].Cause, d.Cause, sc.Name)
		assert.Equal(t, results[i].Verdict, d.Verdict, sc.Name)
		assert.Equal(t, results[i].Steps, d.Steps, sc.Name)
	}
}

// TestCollect_EveryScenarioInItsWorld checks each scenario's expected
// diagnosis in its own world, including the world-changing ones.
func TestCollect_EveryScenarioInItsWorld(t *testing.T) {
	for _, sc := range caracaltest.Scenarios() {
		if len(sc.WorldChanges) == 0 {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			srv := sim(t, caracaltest.WithScenario(sc.ID))
			_, d := gather(t, collector(newClient(srv)), query(sc))
			assert.Equal(t, sc.Surface, d.Surface, "verdict: %s", d.Verdict)
			assert.Equal(t, sc.Cause, d.Cause, "verdict: %s", d.Verdict)
		})
	}
}
