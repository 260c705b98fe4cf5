package collect

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Group runs independent reads at the same time, each under its own
// deadline, and records every failure as missing evidence.
type Group struct {
	ctx         context.Context
	callTimeout time.Duration
	wg          sync.WaitGroup
	mu          sync.Mutex
	missing     *[]diagnose.Missing
}

// NewGroup returns a group whose reads run under ctx, each for at most
// callTimeout, and whose failures are appended to missing.
func NewGroup(ctx context.Context, callTimeout time.Duration, missing *[]diagnose.Missing) *Group {
	return &Group{ctx: ctx, callTimeout: callTimeout, missing: missing}
}

// Go runs read in the background; read stores its results through Store.
// A failure is recorded as the evidence what, read from source, missing.
func (g *Group) Go(what, source string, read func(ctx context.Context) error) {
	g.wg.Go(func() {
		ctx, cancel := context.WithTimeout(g.ctx, g.callTimeout)
		defer cancel()
		if err := read(ctx); err != nil {
			g.fail(what, source, err)
		}
	})
}

// fail records the read what, from source, as missing evidence.
func (g *Group) fail(what, source string, err error) {
	g.Store(func() {
		*g.missing = append(*g.missing, diagnose.Missing{What: what, Source: source, Reason: Describe(err)})
	})
}

// Store runs change under the group's lock.
func (g *Group) Store(change func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	change()
}

// Wait blocks until every read started so far has finished.
func (g *Group) Wait() { g.wg.Wait() }

// gatherer is a Group gathering the evidence of one query.
type gatherer struct {
	*Group
	ev *diagnose.Evidence
	// policies is the zone's policy list, read to find the active documents.
	policies []caracal.Policy
}

func (c *Collector) gatherer(ctx context.Context, ev *diagnose.Evidence) *gatherer {
	return &gatherer{Group: NewGroup(ctx, c.CallDeadline(), &ev.Missing), ev: ev}
}

// with runs fn on the evidence under the group's lock.
func (g *gatherer) with(fn func(ev *diagnose.Evidence)) { g.Store(func() { fn(g.ev) }) }

// Describe says in a few words why evidence is missing.
func Describe(err error) string {
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
