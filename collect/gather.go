package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// gatherer runs independent evidence calls at the same time, each under its
// own deadline, and turns every failure into a Missing entry.
type gatherer struct {
	ctx         context.Context
	callTimeout time.Duration
	wg          sync.WaitGroup
	mu          sync.Mutex
	ev          *Evidence
}

// fetch runs fn in the background; fn stores its result through g.set.
func (g *gatherer) fetch(what, source string, fn func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		ctx, cancel := context.WithTimeout(g.ctx, g.callTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			g.set(func(ev *Evidence) { ev.missing(what, source, describeError(err)) })
		}
	}()
}

// set applies a change to the evidence under the gatherer's lock.
func (g *gatherer) set(change func(ev *Evidence)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	change(g.ev)
}

// read runs fn with the evidence under the lock, for decisions between phases.
func (g *gatherer) read(fn func(ev *Evidence)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(g.ev)
}

// wait blocks until every fetch started so far has finished.
func (g *gatherer) wait() { g.wg.Wait() }

// describeError says in a few words why evidence is missing.
func describeError(err error) string {
	var te *caracal.TransportError
	var de *caracal.DecodeError
	var be *caracal.ReadBudgetError
	switch {
	case errors.As(err, &be):
		return be.Reason()
	case errors.As(err, &te) && te.Timeout, errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &te):
		return "unreachable"
	case errors.Is(err, caracal.ErrNotConfigured):
		return err.Error()
	case errors.As(err, &de):
		return "unreadable response (not the JSON Caracal sends)"
	}
	if e, ok := caracal.AsError(err); ok {
		s := fmt.Sprintf("HTTP %d", e.Status)
		if e.Code != "" {
			s += " " + e.Code
		}
		if e.Status == 401 && e.Code == "" {
			s += " (metrics bearer missing or wrong)"
		}
		return s
	}
	return err.Error()
}
