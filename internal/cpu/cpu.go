// Package cpu keeps a processor free for work that must answer at once.
// Background work (a diagnosis decoding Caracal's answers, rendering its
// reply) enters a Gate around its CPU-heavy parts; the gate has one slot
// fewer than the processors the Go runtime uses, so an acknowledgement
// that arrives while every diagnosis is busy still finds a processor to
// run on instead of queueing behind them.
package cpu

import (
	"context"
	"runtime"
)

// Gate bounds how much background work runs on the processors at once.
type Gate struct{ slots chan struct{} }

// NewGate returns a gate of n slots; n <= 0 means one fewer than
// GOMAXPROCS, and at least one.
func NewGate(n int) *Gate {
	if n <= 0 {
		n = max(runtime.GOMAXPROCS(0)-1, 1)
	}
	return &Gate{slots: make(chan struct{}, n)}
}

// Slots is how many pieces of background work may run at once.
func (g *Gate) Slots() int { return cap(g.slots) }

// gateKey carries a *Gate in a context.
type gateKey struct{}

// With returns a context whose CPU-heavy work enters g.
func With(ctx context.Context, g *Gate) context.Context {
	return context.WithValue(ctx, gateKey{}, g)
}

// Enter waits for a slot of the gate ctx carries, if any, and returns the
// function that gives it back. Without a gate (or a context), or once ctx
// ends, it returns at once: work is never refused, only kept from crowding
// the processors.
func Enter(ctx context.Context) (leave func()) {
	if ctx == nil {
		return func() {}
	}
	g, _ := ctx.Value(gateKey{}).(*Gate)
	if g == nil {
		return func() {}
	}
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }
	case <-ctx.Done():
		return func() {}
	}
}
