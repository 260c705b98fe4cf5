package cpu

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGateBoundsConcurrentWork(t *testing.T) {
	g := NewGate(2)
	ctx := With(context.Background(), g)
	var now, most atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			leave := Enter(ctx)
			defer leave()
			n := now.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			now.Add(-1)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 2, most.Load())
}

func TestEnterWithoutGateOrAfterTheEnd(t *testing.T) {
	Enter(context.Background())() // no gate: nothing to wait for

	g := NewGate(1)
	held := Enter(With(context.Background(), g))
	ctx, cancel := context.WithCancel(With(context.Background(), g))
	cancel()
	Enter(ctx)() // the gate is full, but ctx has ended: it does not wait
	held()
	assert.Equal(t, 0, len(g.slots))
}

func TestNewGateLeavesAProcessorFree(t *testing.T) {
	assert.GreaterOrEqual(t, NewGate(0).Slots(), 1)
	assert.Equal(t, 3, NewGate(3).Slots())
}
