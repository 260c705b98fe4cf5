// Package scheduler posts Caracal health digests on cron schedules and runs
// the readiness watch, which announces when Caracal stops or starts being
// ready. It posts through a Poster (the composition root adapts Slack and
// Discord), only while holding a leader Lease so that one replica of
// several posts, and keeps a RunLog of fire times so that runs missed while
// the bot was down are reported in the next digest.
//
// Each job runs on its own robfig/cron instance with cron.WithLocation (the
// job's time zone) and cron.WithChain(SkipIfStillRunning, Recover), in that
// order: a run that overlaps the previous one is skipped and logged, and a
// panicking run is logged and the job runs again at its next time.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/doctor"
)

// Defaults.
const (
	DefaultLeaseName     = "caracal-bot/scheduler"
	DefaultLeaseTTL      = 2 * time.Minute
	DefaultJobTimeout    = 5 * time.Minute
	DefaultShutdownGrace = 30 * time.Second
	DefaultWatchInterval = 60 * time.Second
	DefaultWatchHold     = 2
	// maxListedMissed is how many missed fire times a note spells out.
	maxListedMissed = 5
	// maxLeasePoll is how often, at most, a replica that does not lead asks
	// whether the leader posted: short, so that it learns of the post well
	// before anything could make it take over.
	maxLeasePoll = 2 * time.Second
)

// Digester builds a digest; *commands.Registry is one.
type Digester interface {
	Digest(ctx context.Context, opts commands.DigestOptions) (commands.Result, error)
}

// Job is one scheduled digest.
type Job struct {
	Name     string        // unique; names the job in logs and the run log
	Spec     string        // 5-field cron spec or @daily-style descriptor
	Timezone string        // IANA zone the spec is read in; "" is UTC
	Zones    []string      // zones the digest covers; empty is the default zone
	Since    time.Duration // the digest's window; 0 is 24h
	Targets  []Target      // channels the digest is posted to
}

// WatchOptions configure the readiness watch.
type WatchOptions struct {
	Enabled  bool          // run the watch
	Interval time.Duration // between polls; 0 is one minute
	Hold     int           // polls a state must hold before it is announced; 0 is 2
	Targets  []Target      // channels transitions are posted to
}

// Options configure a Scheduler. Poster is required, Digester when there
// are jobs and Prober when the watch is enabled.
type Options struct {
	Jobs     []Job
	Watch    WatchOptions
	Digester Digester      // builds each digest (*commands.Registry)
	Prober   doctor.Prober // probes /ready for the watch (*caracal.Client)
	Poster   Poster        // delivers to Slack and Discord
	// Denials, when set, are the denial watch's running aggregates: each
	// digest counts the whole hours they cover from them instead of
	// reading the audit log (commands.DigestOptions.Denials).
	Denials digest.DenialSource
	// Lease decides which replica posts; nil is a private in-memory lease
	// (a single replica always leads).
	Lease     Lease
	LeaseName string
	// LeaseTTL is how long a holding lasts without renewal; it is raised
	// to three watch intervals when shorter.
	LeaseTTL time.Duration
	// RunLog keeps the last fire time per job; nil keeps it in memory.
	RunLog RunLog
	// JobTimeout bounds one digest run, posting included.
	JobTimeout time.Duration
	// ShutdownGrace is how long Run waits for running jobs once its
	// context ends.
	ShutdownGrace time.Duration
	// Logger receives why a run posted nothing; nil discards.
	Logger *slog.Logger
	// Metrics, when set, counts each digest run by outcome (Digests: posted,
	// failed, not_posted), every job's series starting at zero.
	Metrics *bot.Metrics
	// Seconds reads every job's spec with a leading seconds field, like
	// robfig/cron's WithSeconds. Only tests of whole bot processes set it,
	// so as not to wait for minute boundaries: the configuration cannot
	// (config.CheckCronSpec refuses seconds).
	Seconds bool
}

// Scheduler runs the digest jobs and the readiness watch. Build it with
// New and run it with Run.
type Scheduler struct {
	opts  Options
	log   *slog.Logger
	lead  *Leadership
	jobs  []*job
	watch *watcher
	// leasePoll is how often a replica waiting on the leader asks again.
	leasePoll time.Duration
	// ctx is Run's context, set before any job can start.
	ctx context.Context
}

// job is a Job with its parsed schedule and its cron runner.
type job struct {
	Job
	sched Schedule
	cron  *cron.Cron
	log   *slog.Logger
}

// New checks the options and parses every job's schedule; an invalid job
// is an error naming the job and the reason.
func New(opts Options) (*Scheduler, error) {
	if opts.Poster == nil {
		return nil, errors.New("scheduler: no Poster")
	}
	if len(opts.Jobs) > 0 && opts.Digester == nil {
		return nil, errors.New("scheduler: jobs need a Digester")
	}
	if opts.Watch.Enabled && opts.Prober == nil {
		return nil, errors.New("scheduler: the readiness watch needs a Prober")
	}
	if opts.Watch.Enabled && len(opts.Watch.Targets) == 0 {
		return nil, errors.New("scheduler: the readiness watch has no channels to post to")
	}
	defaults(&opts)
	s := &Scheduler{opts: opts, log: opts.Logger, leasePoll: min(maxLeasePoll, opts.LeaseTTL/3),
		lead: NewLeadership(opts.Lease, opts.LeaseName, opts.LeaseTTL)}
	seen := map[string]bool{}
	for _, j := range opts.Jobs {
		if j.Name == "" || seen[j.Name] {
			return nil, fmt.Errorf("scheduler: job names must be set and unique, got %q", j.Name)
		}
		seen[j.Name] = true
		sched, err := parseSchedule(j.Spec, j.Timezone, opts.Seconds)
		if err != nil {
			return nil, fmt.Errorf("scheduler: job %q: %w", j.Name, err)
		}
		if len(j.Targets) == 0 {
			return nil, fmt.Errorf("scheduler: job %q has no channels to post to", j.Name)
		}
		jl := s.log.With("job", j.Name)
		cl := cronLogger{jl}
		jb := &job{Job: j, sched: sched, log: jl, cron: cron.New(cron.WithLocation(sched.Location()), cron.WithLogger(cl),
			cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))}
		jb.cron.Schedule(sched, cron.FuncJob(func() { s.runDigest(jb) }))
		s.jobs = append(s.jobs, jb)
		s.initCounts(jb)
	}
	if opts.Watch.Enabled {
		s.watch = &watcher{s: s, opts: opts.Watch}
	}
	return s, nil
}

func defaults(o *Options) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Lease == nil {
		o.Lease = NewMemoryLeases().Holder("local")
	}
	if o.LeaseName == "" {
		o.LeaseName = DefaultLeaseName
	}
	if o.Watch.Interval <= 0 {
		o.Watch.Interval = DefaultWatchInterval
	}
	if o.Watch.Hold <= 0 {
		o.Watch.Hold = DefaultWatchHold
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.Watch.Enabled {
		o.LeaseTTL = max(o.LeaseTTL, 3*o.Watch.Interval)
	}
	if o.RunLog == nil {
		o.RunLog = NewMemoryRunLog()
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = DefaultJobTimeout
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
}

// Run starts the jobs and the watch and blocks until ctx ends (call it
// once, e.g. in the serve errgroup); then it stops
// scheduling, waits up to ShutdownGrace for running jobs (their context is
// cancelled, so nothing half-made is posted) and releases the lease.
func (s *Scheduler) Run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = runCtx
	for _, j := range s.jobs {
		s.reportMissedAtStart(runCtx, j)
		j.cron.Start()
	}
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		if s.watch != nil {
			s.watch.run(runCtx)
		}
	}()
	s.log.Info("scheduler started", "jobs", len(s.jobs), "watch", s.watch != nil)
	<-ctx.Done()
	cancel()
	grace := time.NewTimer(s.opts.ShutdownGrace)
	defer grace.Stop()
	for _, j := range s.jobs {
		select {
		case <-j.cron.Stop().Done():
		case <-grace.C:
			s.log.Warn("scheduler stopped with a job still running", "job", j.Name)
		}
	}
	<-watchDone
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if err := s.lead.Release(rctx); err != nil {
		s.log.Warn("could not release the scheduler lease", "err", err)
	}
	s.log.Info("scheduler stopped")
	return nil
}

// cronLogger sends robfig/cron's log lines to slog: skips as warnings,
// panics and errors as errors, the rest at debug level.
type cronLogger struct{ l *slog.Logger }

// Info implements cron.Logger.
func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		c.l.Warn("scheduled run skipped: the previous run of this job is still running")
		return
	}
	c.l.Debug("cron "+msg, kv...)
}

// Error implements cron.Logger.
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("scheduled run failed: "+msg, append([]any{"err", err}, kv...)...)
}
