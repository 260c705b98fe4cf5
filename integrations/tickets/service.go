package tickets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/internal/clock"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Service defaults.
const (
	DefaultLockTTL   = 2 * time.Minute
	DefaultLockWait  = 3 * time.Second
	defaultPollEvery = 100 * time.Millisecond
)

// Options tune a Service.
type Options struct {
	// Store keeps the tickets per idempotency key (default: in memory).
	Store Store
	// Labels are added to every ticket.
	Labels []string
	// RulesetVersion goes into the idempotency key (default RulesetVersion).
	RulesetVersion string
	// LockTTL bounds how long one click holds its key (default 2m).
	LockTTL time.Duration
	// LockWait is how long a concurrent click waits for the other one's
	// ticket before answering that it is being created (default 3s).
	LockWait time.Duration
	// PollEvery is how often that wait looks for the ticket (default 100ms).
	PollEvery time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
	// Scrubber removes secrets from every ticket, comment and spooled item
	// before anything is sent or written (default: one that knows the
	// shapes of secrets but no configured value).
	Scrubber *redact.Scrubber
}

// Service files tickets idempotently and spools what it cannot deliver.
type Service struct {
	systems map[string]Ticketer
	def     string
	store   Store
	spool   *Spool
	o       Options
}

// NewService serves the given Ticketers; defaultSystem is used when a
// request names none (it must be one of them); spoolDir keeps undelivered
// tickets.
func NewService(systems []Ticketer, defaultSystem, spoolDir string, o Options) (*Service, error) {
	if len(systems) == 0 {
		return nil, ErrNotConfigured
	}
	s := &Service{systems: map[string]Ticketer{}, def: defaultSystem, store: o.Store}
	for _, t := range systems {
		s.systems[t.Name()] = t
	}
	if _, ok := s.systems[defaultSystem]; !ok {
		return nil, &SystemError{Name: defaultSystem, Configured: s.Systems()}
	}
	if s.store == nil {
		s.store = NewMemoryStore(o.Now)
	}
	if o.RulesetVersion == "" {
		o.RulesetVersion = RulesetVersion
	}
	o.LockTTL = cmp.Or(o.LockTTL, DefaultLockTTL)
	o.LockWait = cmp.Or(o.LockWait, DefaultLockWait)
	o.PollEvery = cmp.Or(o.PollEvery, defaultPollEvery)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Scrubber == nil {
		o.Scrubber = redact.New()
	}
	s.o = o
	sp, err := NewSpool(spoolDir, s.deliverSpooled, o.Logger, o.Now)
	if err != nil {
		return nil, err
	}
	s.spool = sp
	return s, nil
}

// Systems lists the configured systems, sorted.
func (s *Service) Systems() []string {
	out := make([]string, 0, len(s.systems))
	for n := range s.systems {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Default is the system used when a request names none.
func (s *Service) Default() string { return s.def }

// Spool returns the spool (for Run in the composition root).
func (s *Service) Spool() *Spool { return s.spool }

// RetrySpooled retries every spooled ticket once.
func (s *Service) RetrySpooled(ctx context.Context) (RetryReport, error) {
	return s.spool.RetrySpooled(ctx)
}

// Submit files req's ticket once per key: the first click creates it (or
// spools it when the system fails), later clicks get the existing ticket
// and comment on it when the diagnosis changed, and a click that arrives
// while another is creating it waits up to LockWait for that ticket. A key
// the Store does not know is looked up in the ticket system (Finder) before
// anything is created; when that lookup fails the ticket is spooled, never
// created blindly, and the spool's retry looks it up again.
// Errors are for a bad request or a failing Store; delivery failures are
// reported in the Outcome.
func (s *Service) Submit(ctx context.Context, req Request) (Outcome, error) {
	name := cmp.Or(req.System, s.def)
	sys, ok := s.systems[name]
	if !ok {
		return Outcome{}, &SystemError{Name: name, Configured: s.Systems()}
	}
	key := Key(req.Zone, req.RequestID, cmp.Or(req.RulesetVersion, s.o.RulesetVersion))
	out := Outcome{Key: key}
	req.Ticket.Key, req.Ticket.DiagnosisHash = key, req.DiagnosisHash
	req.Ticket.Labels = mergeLabels(s.o.Labels, req.Ticket.Labels)
	req.Ticket, req.Comment = s.scrub(req.Ticket), req.Comment.mapText(s.o.Scrubber.String)
	unlock, ok, err := s.store.Lock(ctx, key, s.o.LockTTL)
	if err != nil {
		return out, fmt.Errorf("tickets: lock %s: %w", key, err)
	}
	if !ok {
		return s.awaitOther(ctx, out)
	}
	defer unlock()
	rec, found, err := s.store.Get(ctx, key)
	if err != nil {
		return out, fmt.Errorf("tickets: look up %s: %w", key, err)
	}
	if !found {
		if rec, found, err = find(ctx, sys, key); err != nil {
			return s.spoolRequest(sys, req, out, err), nil
		}
		if found {
			s.record(ctx, key, rec.Ref, rec.DiagnosisHash)
		}
	}
	if found {
		return s.existing(ctx, rec, req, out), nil
	}
	return s.create(ctx, sys, req, out), nil
}

// find asks the ticket system for key's ticket, when it can be asked.
func find(ctx context.Context, sys Ticketer, key string) (Record, bool, error) {
	if f, ok := sys.(Finder); ok {
		return f.Find(ctx, key)
	}
	return Record{}, false, nil
}

func (s *Service) create(ctx context.Context, sys Ticketer, req Request, out Outcome) Outcome {
	t := req.Ticket
	if a := t.Attachment; a != nil && !TakesAttachments(sys) {
		if p, err := s.spool.Keep(a.Name, a.Data); err != nil {
			s.o.Logger.Warn("cannot keep the bundle in the spool directory", "err", err)
		} else {
			out.KeptBundle = p
		}
	}
	ref, err := sys.Create(ctx, t)
	var attachErr *AttachError
	if err != nil && !(errors.As(err, &attachErr) && ref.ID != "") {
		return s.spoolRequest(sys, req, out, err)
	}
	if attachErr != nil {
		out.Warning = "the bundle could not be attached to the ticket: " + attachErr.Err.Error()
	}
	out.Created, out.Ref = true, ref
	s.record(ctx, out.Key, ref, req.DiagnosisHash)
	return out
}

// spoolRequest keeps the ticket of req, which sys could not take (err), in
// the spool.
func (s *Service) spoolRequest(sys Ticketer, req Request, out Outcome, err error) Outcome {
	it := Item{Key: out.Key, System: sys.Name(), Zone: req.Zone, RequestID: req.RequestID, Ticket: req.Ticket,
		DiagnosisHash: req.DiagnosisHash, Attempts: 1, LastError: err.Error(), LastTriedAt: s.o.Now()}
	out.Spooled, out.Err = true, err
	p, serr := s.spool.Save(it)
	if serr != nil {
		out.Err = fmt.Errorf("%w (and it could not be spooled: %v)", err, serr)
	}
	out.SpoolFile = p
	s.o.Logger.Warn("ticket spooled", "system", sys.Name(), "key", out.Key, "err", err, "spool_err", serr)
	return out
}

func (s *Service) existing(ctx context.Context, rec Record, req Request, out Outcome) Outcome {
	out.Existing, out.Ref = true, rec.Ref
	if req.DiagnosisHash == "" || req.DiagnosisHash == rec.DiagnosisHash || req.Comment.Empty() {
		return out
	}
	sys, ok := s.systems[rec.Ref.System]
	if !ok {
		out.Err = &SystemError{Name: rec.Ref.System, Configured: s.Systems()}
		return out
	}
	u := Update{Body: req.Comment, DiagnosisHash: req.DiagnosisHash, BundleName: bundleName(req.Ticket)}
	if err := sys.Comment(ctx, rec.Ref, u); err != nil {
		out.Err = err
		return out
	}
	out.Commented = true
	s.record(ctx, out.Key, rec.Ref, req.DiagnosisHash)
	return out
}

// record stores the ticket of key and drops its spooled item, if any.
func (s *Service) record(ctx context.Context, key string, ref Ref, hash string) {
	s.put(ctx, key, ref, hash)
	if s.spool.Has(key) {
		if err := s.spool.Remove(key); err != nil {
			s.o.Logger.Warn("cannot remove the spooled ticket", "key", key, "err", err)
		}
	}
}

// put stores the ticket of key; a failure is logged (the ticket system's
// lookup, where there is one, still finds the ticket; without one the next
// click would file a second ticket, which beats losing this one).
func (s *Service) put(ctx context.Context, key string, ref Ref, hash string) {
	if err := s.store.Put(context.WithoutCancel(ctx), key, Record{Ref: ref, DiagnosisHash: hash, UpdatedAt: s.o.Now()}); err != nil {
		s.o.Logger.Error("cannot record the ticket", "key", key, "ticket", ref.ID, "err", err)
	}
}

// awaitOther waits up to LockWait for the click holding the key to record
// its ticket.
func (s *Service) awaitOther(ctx context.Context, out Outcome) (Outcome, error) {
	deadline := time.Now().Add(s.o.LockWait)
	for {
		rec, found, err := s.store.Get(ctx, out.Key)
		if err != nil {
			return out, fmt.Errorf("tickets: look up %s: %w", out.Key, err)
		}
		if found {
			out.Existing, out.Ref = true, rec.Ref
			return out, nil
		}
		if !time.Now().Before(deadline) || clock.Sleep(ctx, s.o.PollEvery) != nil {
			break
		}
	}
	if s.spool.Has(out.Key) {
		out.Spooled, out.SpoolFile = true, s.spool.path(ItemID(out.Key), ".json")
		out.Err = errors.New("the ticket system did not take it")
		return out, nil
	}
	out.Pending = true
	return out, nil
}

// deliverSpooled files one spooled item, unless its key got a ticket
// meanwhile: one the Store knows or the ticket system finds (a failed
// lookup leaves the item spooled).
func (s *Service) deliverSpooled(ctx context.Context, it Item) (Ref, error) {
	unlock, ok, err := s.store.Lock(ctx, it.Key, s.o.LockTTL)
	if err != nil {
		return Ref{}, err
	}
	if !ok {
		return Ref{}, errors.New("a click is filing this ticket right now")
	}
	defer unlock()
	if rec, found, err := s.store.Get(ctx, it.Key); err != nil || found {
		return rec.Ref, err
	}
	sys, ok := s.systems[it.System]
	if !ok {
		sys = s.systems[s.def]
	}
	if rec, found, err := find(ctx, sys, it.Key); err != nil {
		return Ref{}, err
	} else if found {
		s.put(ctx, it.Key, rec.Ref, rec.DiagnosisHash)
		return rec.Ref, nil
	}
	ref, err := sys.Create(ctx, it.Ticket)
	var attachErr *AttachError
	if err != nil && !(errors.As(err, &attachErr) && ref.ID != "") {
		return Ref{}, err
	}
	s.put(ctx, it.Key, ref, it.DiagnosisHash)
	return ref, nil
}

// scrub removes secrets from everything a ticket carries; the bundle,
// built by a scrubbing bundle.Build, loses only configured secrets.
func (s *Service) scrub(t Ticket) Ticket {
	sc := s.o.Scrubber
	t.Title, t.Body, t.BundleLink = sc.String(t.Title), t.Body.mapText(sc.String), sc.String(t.BundleLink)
	labels := make([]string, len(t.Labels))
	for i, l := range t.Labels {
		labels[i] = sc.String(l)
	}
	t.Labels = labels
	if a := t.Attachment; a != nil {
		data, _ := sc.Known(a.Data)
		t.Attachment = &Attachment{Name: sc.String(a.Name), ContentType: a.ContentType, Data: data}
	}
	return t
}

// mergeLabels joins label lists without duplicates, in order.
func mergeLabels(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, v := range l {
			if v = strings.TrimSpace(v); v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}
