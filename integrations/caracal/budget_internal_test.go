package caracal

import (
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBudgetedBodiesNeverReadPastTheBudget reads many bodies at once under
// one budget, with buffers of every size: the bytes handed out, complete
// bodies and cut ones together, never exceed it (run with -race).
func TestBudgetedBodiesNeverReadPastTheBudget(t *testing.T) {
	for _, budget := range []int64{1, 1000, 64 << 10, 1 << 20} {
		b := &readBudget{limit: budget}
		b.left.Store(budget)
		var handed, cut atomic.Int64
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				body := &budgetedBody{ReadCloser: io.NopCloser(strings.NewReader(strings.Repeat("x", 50<<10))), budget: b}
				buf := make([]byte, 1+i*97)
				for {
					n, err := body.Read(buf)
					handed.Add(int64(n))
					if err != nil {
						if be := (*ReadBudgetError)(nil); errors.As(err, &be) {
							cut.Add(1)
						}
						return
					}
				}
			})
		}
		wg.Wait()
		assert.LessOrEqual(t, handed.Load(), budget)
		assert.Positive(t, cut.Load(), "32 bodies of 50 KiB do not fit in %d bytes", budget)
		assert.GreaterOrEqual(t, b.left.Load(), int64(0))
	}
}
