// Package bottest has fakes for the tests of the bot and its platform
// adapters: a clock whose sleeps take no time, and a Submitter that records
// requests and de-duplicates them as the dispatcher does.
package bottest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
)

// Clock is a fake clock for code that takes Now and Sleep functions: Sleep
// advances it at once and records the wait. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep advances the clock by d at once, unless ctx has ended.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

// Sleeps are the waits slept so far, in order.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Submitter stands for the dispatcher in the adapters: it records requests and refuses a
// repeated de-duplication key as Duplicate, like the dispatcher, answering
// the others with its outcome (Accepted by default).
type Submitter struct {
	mu      sync.Mutex
	calls   []bot.Request // every Submit
	run     []bot.Request // those that were not duplicates
	seen    map[string]bool
	outcome bot.Outcome
	got     chan bot.Request
}

// NewSubmitter returns a Submitter that accepts requests.
func NewSubmitter() *Submitter {
	return &Submitter{seen: map[string]bool{}, got: make(chan bot.Request, 64),
		outcome: bot.Outcome{Status: bot.Accepted, Ack: "Working on it: running why…"}}
}

// Submit implements bot.Submitter.
func (f *Submitter) Submit(_ context.Context, req bot.Request) bot.Outcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	if req.DedupKey != "" && f.seen[req.DedupKey] {
		return bot.Outcome{Status: bot.Duplicate}
	}
	f.seen[req.DedupKey] = true
	f.run = append(f.run, req)
	select {
	case f.got <- req:
	default:
	}
	return f.outcome
}

// SetOutcome sets the answer to the next requests that are not duplicates.
func (f *Submitter) SetOutcome(o bot.Outcome) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcome = o
}

// Dispatched are the requests that were not duplicates.
func (f *Submitter) Dispatched() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.run...)
}

// Submitted are all the requests submitted.
func (f *Submitter) Submitted() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.calls...)
}

// Next waits up to five seconds for the next request that was not a
// duplicate.
func (f *Submitter) Next(t testing.TB) bot.Request {
	t.Helper()
	select {
	case r := <-f.got:
		return r
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no request dispatched")
		return bot.Request{}
	}
}
