// Package denialwatch is the denial watch: it tails the audit log's deny
// rows, counts denied requests (a request, not a row) by cluster (zone,
// application, resource, cause), and when a cluster reaches a threshold
// inside a window it posts one root message per cluster naming it, whose
// thread holds the diagnosis (`why`) of the cluster's newest request.
//
// Only denials that occurred after the watch first started are counted, a
// cluster announced is not announced again for a quiet period, and the
// watch's state (its cursor, when it started, the counts and what it
// announced) is kept in a Store shared by the replicas, so that a restart
// announces nothing again. With several replicas only the holder of a
// lease reads and announces; the state is saved under its fencing token.
package denialwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/time/rate"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// Defaults.
const (
	DefaultLeaseName = "caracal-bot/denial-watch"
	// DefaultOverlap is how far before its cursor the watch reads again:
	// a row ingested up to this late (ingested_at − occurred_at) is still
	// counted, once.
	DefaultOverlap = 2 * time.Minute
	// DefaultPagesPerTick bounds the audit pages one tick reads per zone;
	// a longer read goes on at the next tick.
	DefaultPagesPerTick = 5
	// DefaultPagesPerMinute paces the pages: a tenth of Caracal's default
	// per-token limit of 600 calls a minute (API.md §2.3).
	DefaultPagesPerMinute = 60
	// DefaultPageSize is the audit page size (the API's maximum).
	DefaultPageSize = 1000
	// minLeaseTTL is the shortest lease: a tick's diagnoses and posts
	// run under it (renewed while they last).
	minLeaseTTL = 15 * time.Second
	// maxClusters bounds the clusters counted at once; the denials of
	// further clusters are not counted until some leave the window.
	maxClusters = 1000
)

// Source reads a page of a zone's audit list; *caracal.Client is one.
type Source interface {
	Audit(ctx context.Context, zoneID string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error)
}

// Runner runs a command; *commands.Registry is one. The watch runs `why`
// through it for the diagnosis it posts.
type Runner interface {
	Run(ctx context.Context, inv chat.Invocation) (commands.Result, error)
}

// Options configure a Watch. Zones, Targets, Source, Runner and Poster are
// required.
type Options struct {
	Zones     []string
	Interval  time.Duration // between reads (config.DefaultDenialInterval when 0)
	Threshold int           // denied requests of a cluster inside Window that are announced
	Window    time.Duration
	Quiet     time.Duration // an announced cluster is not announced again for this long
	// Aggregate is how long the running aggregates of the denials are kept
	// for scheduled digests (aggregates.go); 0 keeps none.
	Aggregate time.Duration
	Targets   []scheduler.Target

	Source Source
	Runner Runner
	Poster scheduler.Poster
	// Lease decides which replica reads and announces; nil is a private
	// in-memory lease. LeaseName defaults to DefaultLeaseName.
	Lease     scheduler.Lease
	LeaseName string
	// Store keeps the state; nil is a private MemoryStore.
	Store Store

	Overlap        time.Duration // DefaultOverlap when 0
	PagesPerTick   int           // DefaultPagesPerTick when 0
	PagesPerMinute int           // DefaultPagesPerMinute when 0
	PageSize       int           // DefaultPageSize when 0
	Logger         *slog.Logger  // nil discards
	Now            func() time.Time
}

// Watch is the denial watch. Build it with New; Run runs it, or a caller
// (the demo, tests) calls Tick.
type Watch struct {
	opts    Options
	log     *slog.Logger
	lead    *scheduler.Leadership
	pages   *rate.Limiter
	buckets buckets

	// The fields below belong to the caller of Tick (Run's goroutine).
	st      *snapshot // nil until loaded while leading
	token   int64     // the fencing token st was loaded under
	tails   map[string]*zoneTail
	index   map[clusterKey]*cluster
	dirty   bool // st changed since it was saved
	counted int  // denied requests counted during this tick
	warned  map[string]bool
}

// Report is what one tick did.
type Report struct {
	// Leader is set when this replica held the lease and read.
	Leader bool
	// Pages is how many audit pages were read.
	Pages int
	// Counted is how many denied requests were counted (those that
	// occurred after the watch started).
	Counted int
	// Announced lists the root messages posted (their summaries).
	Announced []string
	// Quiet lists the clusters at the threshold that stay quiet because
	// they were announced less than Quiet ago.
	Quiet []string
}

// New checks the options and fills in the defaults.
func New(opts Options) (*Watch, error) {
	switch {
	case len(opts.Zones) == 0:
		return nil, errors.New("denial watch: no zones to watch")
	case len(opts.Targets) == 0:
		return nil, errors.New("denial watch: no channels to post to")
	case opts.Source == nil || opts.Runner == nil || opts.Poster == nil:
		return nil, errors.New("denial watch: needs a Source, a Runner and a Poster")
	case opts.Aggregate < 0 || opts.Aggregate > MaxAggregate:
		return nil, fmt.Errorf("denial watch: aggregates are kept at most %s, got %s", MaxAggregate, opts.Aggregate)
	case opts.Threshold < 1 || opts.Window <= 0 || opts.Quiet <= 0 || opts.Interval <= 0:
		return nil, fmt.Errorf("denial watch: threshold %d, window %s, quiet %s and interval %s must be positive",
			opts.Threshold, opts.Window, opts.Quiet, opts.Interval)
	}
	if opts.Lease == nil {
		opts.Lease = scheduler.NewMemoryLeases().Holder("local")
	}
	if opts.LeaseName == "" {
		opts.LeaseName = DefaultLeaseName
	}
	if opts.Store == nil {
		opts.Store = &MemoryStore{}
	}
	if opts.Overlap <= 0 {
		opts.Overlap = DefaultOverlap
	}
	if opts.PagesPerTick <= 0 {
		opts.PagesPerTick = DefaultPagesPerTick
	}
	if opts.PagesPerMinute <= 0 {
		opts.PagesPerMinute = DefaultPagesPerMinute
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ttl := max(3*opts.Interval, minLeaseTTL)
	return &Watch{opts: opts, log: opts.Logger, lead: scheduler.NewLeadership(opts.Lease, opts.LeaseName, ttl),
		pages:   rate.NewLimiter(rate.Limit(float64(opts.PagesPerMinute)/60), opts.PagesPerTick),
		buckets: newBuckets(opts.Window), warned: map[string]bool{}}, nil
}

// Run reads every Interval until ctx ends, then gives the lease up.
func (w *Watch) Run(ctx context.Context) error {
	t := time.NewTicker(w.opts.Interval)
	defer t.Stop()
	w.log.Info("denial watch started", "zones", w.opts.Zones, "threshold", w.opts.Threshold, "window", w.opts.Window, "quiet", w.opts.Quiet)
	for ctx.Err() == nil {
		w.Tick(ctx)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.lead.Release(rctx); err != nil {
		w.log.Warn("denial watch: could not release the lease", "err", err)
	}
	return nil
}

// Tick reads once, when this replica holds the lease: the new deny rows of
// every zone, then the announcements due. Calls must not overlap.
func (w *Watch) Tick(ctx context.Context) Report {
	token, leader, err := w.lead.Acquire(ctx)
	switch {
	case err != nil:
		w.warn("denial watch: lease unavailable; not reading", "err", err)
		return Report{}
	case !leader:
		if w.st != nil {
			w.log.Info("denial watch: another replica leads; it reads and announces")
		}
		w.st = nil
		return Report{}
	}
	defer w.lead.KeepWhile(ctx)()
	if w.st == nil || token != w.token {
		if !w.load(ctx, token) {
			return Report{Leader: true}
		}
	}
	rep := Report{Leader: true}
	now := w.opts.Now()
	w.counted = 0
	for _, zone := range w.opts.Zones {
		rep.Pages += w.read(ctx, zone, now)
		w.settleAll(zone, now)
	}
	rep.Counted = w.counted
	rep.Announced, rep.Quiet = w.announceDue(ctx, token, now)
	if w.st != nil && w.dirty {
		w.save(ctx)
	}
	w.warned = map[string]bool{}
	return rep
}

// load reads the saved state after the lease was taken: a state another
// replica may have moved on since this one last led.
func (w *Watch) load(ctx context.Context, token int64) bool {
	data, err := w.opts.Store.Load(ctx)
	if err != nil {
		w.warn("denial watch: state unavailable; not reading", "err", err)
		return false
	}
	st, ok, err := decodeSnapshot(data)
	if err != nil {
		w.log.Warn("denial watch: saved state unreadable; starting again from now", "err", err)
	}
	if !ok {
		st = newSnapshot()
	}
	w.st, w.token, w.dirty = st, token, !ok
	w.tails = map[string]*zoneTail{}
	w.index = map[clusterKey]*cluster{}
	for _, c := range st.Clusters {
		w.index[c.key()] = c
	}
	w.log.Info("denial watch: leading", "resumed", ok)
	return true
}

// save saves the state under the lease's token. A refusal (another replica
// saved under a newer token) drops the state: that replica leads now.
func (w *Watch) save(ctx context.Context) bool {
	data, err := json.Marshal(w.st)
	if err == nil {
		err = w.opts.Store.Save(ctx, w.token, data)
	}
	switch {
	case errors.Is(err, ErrFenced):
		w.log.Info("denial watch: another replica leads now; dropping this one's state")
		w.st = nil
		return false
	case err != nil:
		w.warn("denial watch: state not saved; announcing nothing until it is", "err", err)
		return false
	}
	w.dirty = false
	return true
}

// zoneState returns the saved state of a zone, started now when new.
func (w *Watch) zoneState(zone string, now time.Time) *zoneState {
	z := w.st.Zones[zone]
	if z == nil {
		z = &zoneState{Started: now, Cursor: now, Counted: map[string]int64{}}
		w.st.Zones[zone] = z
		w.dirty = true
		w.log.Info("denial watch: watching a zone; denials before now are not counted", "zone", zone, "started", now)
	}
	return z
}

// tail returns what is known of a zone's tail besides its saved state.
func (w *Watch) tail(zone string) *zoneTail {
	t := w.tails[zone]
	if t == nil {
		t = &zoneTail{pending: map[string]*pending{}}
		w.tails[zone] = t
	}
	return t
}

// cluster returns the cluster of k, new when needed; nil when there are
// maxClusters already.
func (w *Watch) cluster(k clusterKey) *cluster {
	if c := w.index[k]; c != nil {
		return c
	}
	if len(w.index) >= maxClusters {
		w.warn("denial watch: too many clusters at once; the denials of new ones are not counted", "zone", k.zone)
		return nil
	}
	c := &cluster{Zone: k.zone, ApplicationID: k.app, Resource: k.resource, Cause: k.cause, Buckets: map[int64]int{}}
	w.index[k] = c
	w.st.Clusters = append(w.st.Clusters, c)
	return c
}

// warn logs msg once a tick.
func (w *Watch) warn(msg string, args ...any) {
	if !w.warned[msg] {
		w.warned[msg] = true
		w.log.Warn(msg, args...)
	}
}
