package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// demoBurst is how many requests `/caracal watch` has the simulator deny:
// the default threshold.
const demoBurst = config.DefaultDenialThreshold

// demoWatch is the denial watch of the demo: it watches the simulator's
// Research zone with the default threshold, window and quiet period, and
// posts to the terminal. `/caracal watch` has the simulator deny a burst
// of requests (copies of deny-no-grant) and runs one tick of the watch,
// whose announcement is the reply.
type demoWatch struct {
	sim   *caracaltest.Simulator
	watch *denialwatch.Watch
	posts *postedReplies
}

// newDemoWatch starts the watch: denials that occurred before now are
// never announced.
func newDemoWatch(ctx context.Context, sim *caracaltest.Simulator, source denialwatch.Source, registry *commands.Registry) (*demoWatch, error) {
	posts := &postedReplies{}
	w, err := denialwatch.New(denialwatch.Options{Zones: []string{caracaltest.ZoneResearch}, Interval: config.DefaultDenialInterval,
		Threshold: config.DefaultDenialThreshold, Window: config.DefaultDenialWindow, Quiet: config.DefaultDenialQuiet,
		Targets: []scheduler.Target{{Platform: "console", ChannelID: "console"}}, Source: source, Runner: registry, Poster: posts})
	if err != nil {
		return nil, err
	}
	w.Tick(ctx)
	return &demoWatch{sim: sim, watch: w, posts: posts}, nil
}

// burst has the simulator deny demoBurst requests now, runs the watch once
// and answers with what it posted, or why it posted nothing.
func (d *demoWatch) burst(ctx context.Context) chat.Reply {
	w := d.sim.World()
	if _, err := w.AddDenials("deny-no-grant", demoBurst, time.Now(), 50*time.Millisecond); err != nil {
		return commands.ErrorReply(err)
	}
	d.sim.SetWorld(w)
	rep := d.watch.Tick(ctx)
	if posted := d.posts.take(); len(posted) > 0 {
		return posted[0]
	}
	r := chat.Reply{Summary: fmt.Sprintf("The simulator denied %d requests; the denial watch counted %d and announced nothing.", demoBurst, rep.Counted),
		Severity: chat.SeverityInfo}
	if len(rep.Quiet) > 0 {
		items := make([]chat.Item, 0, len(rep.Quiet))
		for _, q := range rep.Quiet {
			items = append(items, chat.Item{Text: q})
		}
		r.Sections = []chat.Section{{Title: "Announced already, quiet for now", Items: items}}
	}
	return r
}

// postedReplies is the demo watch's poster: it keeps what is posted for
// the reply to `/caracal watch`.
type postedReplies struct {
	mu      sync.Mutex
	replies []chat.Reply
}

// Post implements scheduler.Poster.
func (p *postedReplies) Post(_ context.Context, _ scheduler.Target, r chat.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replies = append(p.replies, r)
	return nil
}

// take returns what was posted since it was last called.
func (p *postedReplies) take() []chat.Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.replies
	p.replies = nil
	return out
}
