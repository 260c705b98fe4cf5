package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Options configure a Dispatcher. Zero values take the defaults noted.
type Options struct {
	Runner Runner
	// Workers run commands concurrently (default 4); Queue holds accepted
	// commands waiting for a worker (default 64). When both are full the
	// user is told the bot is busy.
	Workers int
	Queue   int
	Dedup   Deduper // default: in memory
	Policy  Policy
	Metrics *Metrics // optional
	Logger  *slog.Logger
	// RunTimeout bounds one command (default 60s); DeliverTimeout its
	// delivery, retries included (default 3m).
	RunTimeout     time.Duration
	DeliverTimeout time.Duration
	// DedupFor is how long delivery keys are remembered (default 10m).
	DedupFor time.Duration
	// UserLimit is how many commands one user may start per minute, and
	// ChannelLimit how many may start in one channel (0: unlimited);
	// RateLimiter counts them (default: in memory).
	UserLimit    int
	ChannelLimit int
	RateLimiter  RateLimiter
	// Scrubber removes secrets from every command text before it runs and
	// from every reply and acknowledgement before the adapter sees it
	// (default: one that knows the shapes of secrets but no configured value).
	Scrubber *redact.Scrubber
}

// Dispatcher acknowledges, authorizes, de-duplicates and queues requests,
// runs them on a bounded pool and hands replies to the adapters.
type Dispatcher struct {
	opts    Options
	queue   chan job
	mu      sync.RWMutex // guards stopped against sends on a closed queue
	stopped bool
	done    chan struct{}
	// abort ends when Shutdown's grace period is over: running commands
	// are cancelled and they, and queued ones, are handed back.
	abort     context.Context
	abortNow  context.CancelFunc
	handedOff atomic.Int64 // commands handed back, for Shutdown's error
}

// handBackTime bounds the delivery of the notes that hand commands back
// once Shutdown's grace period is over.
const handBackTime = 5 * time.Second

type job struct {
	req      Request
	received time.Time
	// removed lists the secrets taken out of the user's text, for the
	// private note that says so.
	removed []redact.Hit
}

// NewDispatcher starts the worker pool.
func NewDispatcher(opts Options) *Dispatcher {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Queue < 0 {
		opts.Queue = 0
	} else if opts.Queue == 0 {
		opts.Queue = 64
	}
	if opts.Dedup == nil {
		opts.Dedup = NewMemoryDeduper(nil)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = time.Minute
	}
	if opts.DeliverTimeout <= 0 {
		opts.DeliverTimeout = 3 * time.Minute
	}
	if opts.DedupFor <= 0 {
		opts.DedupFor = 10 * time.Minute
	}
	if opts.RateLimiter == nil {
		opts.RateLimiter = NewMemoryRateLimiter(nil)
	}
	if opts.Scrubber == nil {
		opts.Scrubber = redact.New()
	}
	d := &Dispatcher{opts: opts, queue: make(chan job, opts.Queue), done: make(chan struct{})}
	d.abort, d.abortNow = context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range d.queue {
				d.run(j)
			}
		}()
	}
	go func() { wg.Wait(); close(d.done) }()
	return d
}

// Submit decides at once what happens to a request and never blocks on the
// command itself: the adapter acknowledges the user with Outcome.Ack.
// Secrets in what the user typed or pasted are removed before anything
// else sees the text.
func (d *Dispatcher) Submit(ctx context.Context, req Request) Outcome {
	var removed []redact.Hit
	req.Invocation.Text, removed = d.opts.Scrubber.Text(req.Invocation.Text)
	req.Invocation.Command = d.opts.Scrubber.String(req.Invocation.Command)
	out := d.submit(ctx, req, removed)
	out.Ack = d.opts.Scrubber.String(out.Ack)
	d.count(req.Invocation.Command, string(out.Status))
	return out
}

func (d *Dispatcher) submit(ctx context.Context, req Request, removed []redact.Hit) Outcome {
	if err := d.opts.Policy.Authorize(req); err != nil {
		return Outcome{Status: Forbidden, Ack: err.Error()}
	}
	if req.DedupKey != "" {
		ttl := req.DedupFor
		if ttl <= 0 {
			ttl = d.opts.DedupFor
		}
		first, err := d.opts.Dedup.FirstSeen(ctx, req.DedupKey, ttl)
		if err != nil {
			d.opts.Logger.Warn("de-duplication unavailable; running the request anyway", "key", req.DedupKey, "err", err)
		} else if !first {
			return Outcome{Status: Duplicate}
		}
	}
	inv := req.Invocation
	if !d.withinLimit(ctx, "user:"+inv.Platform+":"+inv.UserID, inv.UserID, d.opts.UserLimit) {
		d.forget(ctx, req)
		return Outcome{Status: Throttled, Ack: "You are sending commands faster than caracal-bot allows; try again in a minute."}
	}
	if !d.withinLimit(ctx, "channel:"+inv.Platform+":"+inv.ChannelID, inv.ChannelID, d.opts.ChannelLimit) {
		d.forget(ctx, req)
		return Outcome{Status: Throttled, Ack: fmt.Sprintf("This channel has started %d commands in the last minute, caracal-bot's limit; try again in a minute.", d.opts.ChannelLimit)}
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.stopped {
		d.forget(ctx, req)
		return Outcome{Status: Stopping, Ack: "caracal-bot is restarting; try again in a few seconds."}
	}
	select {
	case d.queue <- job{req: req, received: time.Now(), removed: removed}:
		return Outcome{Status: Accepted, Ack: fmt.Sprintf("Working on it: running %s…", commandName(req.Invocation.Command))}
	default:
		d.forget(ctx, req)
		return Outcome{Status: Busy, Ack: "caracal-bot is busy with other diagnoses; try again in a minute."}
	}
}

// withinLimit counts one command against key's per-minute limit; an empty
// id or no limit is not limited, and a limiter that fails lets the command
// through (the bot keeps answering) and logs why.
func (d *Dispatcher) withinLimit(ctx context.Context, key, id string, limit int) bool {
	if limit <= 0 || id == "" {
		return true
	}
	ok, err := d.opts.RateLimiter.Allow(ctx, key, limit, time.Minute)
	if err != nil {
		d.opts.Logger.Warn("rate limiter unavailable; not limiting", "err", err)
		return true
	}
	return ok
}

func (d *Dispatcher) forget(ctx context.Context, req Request) {
	if req.DedupKey != "" {
		_ = d.opts.Dedup.Forget(ctx, req.DedupKey)
	}
}

// run executes one job and delivers its reply; a panic in the command or
// the adapter becomes an error reply, never a crash.
func (d *Dispatcher) run(j job) {
	inv := j.req.Invocation
	if d.abort.Err() != nil { // queued when the grace period ran out
		d.handBack(j)
		return
	}
	reply := d.execute(inv)
	if d.abort.Err() != nil { // cut short: the reply rests on half the evidence
		d.handBack(j)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.opts.DeliverTimeout)
	defer cancel()
	if err := d.deliver(ctx, j.req.Responder, reply); err != nil {
		d.opts.Logger.Error("reply not delivered", "platform", inv.Platform, "command", inv.Command, "channel", inv.ChannelID, "err", err)
	}
	if len(j.removed) > 0 {
		if err := d.note(ctx, j.req.Responder, RemovedNote(j.removed)); err != nil {
			d.opts.Logger.Warn("the note on removed secrets was not delivered", "platform", inv.Platform, "channel", inv.ChannelID, "err", err)
		}
	}
}

// RemovedNote is the private note telling a user that secrets were taken
// out of what they typed or pasted, and what to do about them.
func RemovedNote(removed []redact.Hit) chat.Reply {
	var kinds []string
	for _, h := range removed {
		if !slices.Contains(kinds, h.Kind) {
			kinds = append(kinds, h.Kind)
		}
	}
	return chat.Reply{Severity: chat.SeverityWarning, Ephemeral: true, Summary: fmt.Sprintf(
		"caracal-bot removed %d secret(s) (%s) from what you sent before running it; nothing it posted contains them. "+
			"If you also pasted them in a channel message, delete that message and rotate the credentials.",
		len(removed), strings.Join(kinds, ", "))}
}

// handBack tells the user that a command was cut short by a restart and
// must be run again: better than a diagnosis built from half the evidence,
// or silence.
func (d *Dispatcher) handBack(j job) {
	d.handedOff.Add(1)
	inv := j.req.Invocation
	ctx, cancel := context.WithTimeout(context.Background(), handBackTime)
	defer cancel()
	note := chat.Reply{Summary: "caracal-bot restarted before it could finish " + commandName(inv.Command) + "; please run it again.",
		Severity: chat.SeverityWarning, Ephemeral: true}
	if err := d.deliver(ctx, j.req.Responder, note); err != nil {
		d.opts.Logger.Error("command handed back at shutdown; the user could not be told", "platform", inv.Platform,
			"command", inv.Command, "channel", inv.ChannelID, "err", err)
	}
}

func (d *Dispatcher) execute(inv chat.Invocation) (reply chat.Reply) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(d.abort, d.opts.RunTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			d.opts.Logger.Error("command panicked", "command", inv.Command, "panic", fmt.Sprint(p))
			reply = chat.Reply{Summary: "caracal-bot hit an internal error running " + commandName(inv.Command) + "; it has been logged.", Severity: chat.SeverityError, Ephemeral: true}
		}
		if d.opts.Metrics != nil {
			d.opts.Metrics.RunLatency.WithLabelValues(metricCommand(inv.Command)).Observe(time.Since(start).Seconds())
		}
		outcome := "ok"
		if reply.Ephemeral && reply.Severity == chat.SeverityError {
			outcome = "error"
		}
		d.count(inv.Command, outcome)
	}()
	return d.opts.Runner.Handle(ctx, inv)
}

// deliver hands a reply, scrubbed, to the adapter: no reply reaches a
// platform any other way.
func (d *Dispatcher) deliver(ctx context.Context, r Responder, reply chat.Reply) error {
	return d.hand(r, reply, func(r Responder, reply chat.Reply) error { return r.Deliver(ctx, reply) })
}

// note hands a private note, scrubbed, to the adapter.
func (d *Dispatcher) note(ctx context.Context, r Responder, note chat.Reply) error {
	return d.hand(r, note, func(r Responder, note chat.Reply) error { return r.Note(ctx, note) })
}

// hand scrubs reply and calls send; an adapter's panic becomes an error.
func (d *Dispatcher) hand(r Responder, reply chat.Reply, send func(Responder, chat.Reply) error) (err error) {
	if r == nil {
		return errors.New("no responder")
	}
	reply, _ = d.opts.Scrubber.Reply(reply)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("responder panicked: %v", p)
		}
	}()
	return send(r, reply)
}

// Shutdown stops taking new requests and lets queued and running ones
// finish and be delivered. When ctx ends first, the grace period is over:
// running commands are cancelled, and they and the queued ones are handed
// back (each user is told to run the command again, within a few seconds);
// the error says how many.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	d.mu.Lock()
	if !d.stopped {
		d.stopped = true
		close(d.queue)
	}
	d.mu.Unlock()
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
	}
	d.abortNow()
	select {
	case <-d.done:
	case <-time.After(handBackTime + time.Second):
	}
	return fmt.Errorf("dispatcher: grace period over, %d command(s) handed back to their users: %w", d.handedOff.Load(), ctx.Err())
}

func (d *Dispatcher) count(command, outcome string) {
	if d.opts.Metrics != nil {
		d.opts.Metrics.Commands.WithLabelValues(metricCommand(command), outcome).Inc()
	}
}

// metricCommand bounds the label's cardinality: users can type anything.
func metricCommand(c string) string {
	switch c {
	case "why", "status", "doctor", "trace", "audit", "help", "bundle", "ticket", "digest":
		return c
	}
	return "other"
}

func commandName(c string) string {
	if m := metricCommand(c); m != "other" {
		return m
	}
	return "the command"
}
