package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/doctor"
)

// maxProbeTime bounds one readiness poll.
const maxProbeTime = 30 * time.Second

// watcher polls readiness and announces transitions: Caracal became not
// ready (naming the services and their reasons) and Caracal is ready again
// (with the outage's duration). A state is announced only after it held
// for Hold polls in a row, so a one-poll flap stays quiet; the first state
// after start is announced only when it is not ready. Its fields belong to
// the watch goroutine.
type watcher struct {
	s    *Scheduler
	opts WatchOptions

	confirmed  *bool     // the state last settled on; nil before the first
	candidate  bool      // the state of the current streak of polls
	streak     int       // polls in the current streak
	streakFrom time.Time // first poll of the current streak
	outageFrom time.Time // first not-ready poll of the current outage
	atStart    bool      // the outage was already there when the watch started
	affected   []doctor.ServiceStatus
}

func (w *watcher) run(ctx context.Context) {
	t := time.NewTicker(w.opts.Interval)
	defer t.Stop()
	w.poll(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.poll(ctx)
		}
	}
}

// poll probes readiness once and announces a transition when one settled.
func (w *watcher) poll(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, min(w.opts.Interval, maxProbeTime))
	rep := doctor.Status(pctx, w.s.opts.Prober)
	cancel()
	if ctx.Err() != nil {
		return // shutting down: the probes were cut short
	}
	now := time.Now()
	// Renew the lease every poll, so the replica that leads keeps leading.
	token, leader, err := w.s.lead.Acquire(ctx)
	if err != nil {
		w.s.log.Warn("readiness watch: lease unavailable", "err", err)
	}
	ready := rep.Ready()
	if w.streak == 0 || ready != w.candidate {
		w.candidate, w.streak, w.streakFrom = ready, 0, now
		if !ready && (w.confirmed == nil || *w.confirmed) {
			w.affected = nil // a new outage may be starting
		}
	}
	w.streak++
	if !ready {
		w.noteAffected(rep)
	}
	if w.streak < w.opts.Hold || (w.confirmed != nil && *w.confirmed == ready) {
		return
	}
	prev := w.confirmed
	w.confirmed = &ready
	var reply chat.Reply
	switch {
	case !ready:
		w.outageFrom, w.atStart = w.streakFrom, prev == nil
		reply = w.downReply(rep)
	case prev != nil:
		reply = w.upReply(now)
	default:
		w.s.log.Info("readiness watch: Caracal is ready")
		return
	}
	if !leader {
		w.s.log.Info("readiness watch: another replica holds the lease and announces", "summary", reply.Summary)
		return
	}
	w.s.lead.Post(ctx, w.s.opts.Poster, token, w.opts.Targets, reply, w.s.log)
	w.s.log.Info("readiness watch: announced", "summary", reply.Summary)
}

// noteAffected remembers each service seen not ready during the outage,
// with the first reason seen.
func (w *watcher) noteAffected(rep doctor.StatusReport) {
	for _, s := range rep.Services {
		if s.OK {
			continue
		}
		known := false
		for _, a := range w.affected {
			known = known || a.Name == s.Name
		}
		if !known {
			w.affected = append(w.affected, s)
		}
	}
}

func (w *watcher) downReply(rep doctor.StatusReport) chat.Reply {
	var names []string
	t := &chat.Table{Header: []string{"service", "ready", "detail"}}
	for _, s := range rep.Services {
		mark := "yes"
		if !s.OK {
			mark = "NO"
			names = append(names, describeService(s))
		}
		t.Rows = append(t.Rows, []string{s.Name, mark, s.Detail})
	}
	summary := "Caracal is not ready: " + strings.Join(names, ", ")
	if w.atStart {
		summary = "Caracal is not ready (already when the watch started): " + strings.Join(names, ", ")
	}
	return chat.Reply{Summary: summary, Severity: chat.SeverityOutage,
		Fields:   []chat.Field{{Label: "Since", Value: w.outageFrom.UTC().Format(time.RFC3339)}},
		Sections: []chat.Section{{Title: "Readiness", Table: t}, {Text: "caracal-bot posts again when every service has been ready for " + plural(w.opts.Hold, "poll") + " in a row."}}}
}

func (w *watcher) upReply(now time.Time) chat.Reply {
	d := RoughDuration(w.streakFrom.Sub(w.outageFrom))
	if w.atStart {
		d = "at least " + d
	}
	var names []string
	for _, s := range w.affected {
		names = append(names, describeService(s))
	}
	summary := fmt.Sprintf("Caracal is ready again after %s (not ready: %s)", d, strings.Join(names, ", "))
	w.affected = nil
	return chat.Reply{Summary: summary, Severity: chat.SeverityOK, Fields: []chat.Field{
		{Label: "Outage", Value: fmt.Sprintf("%s → %s", w.outageFrom.UTC().Format(time.RFC3339), w.streakFrom.UTC().Format(time.RFC3339))},
		{Label: "Confirmed", Value: now.UTC().Format(time.RFC3339)},
	}}
}

// describeService renders "STS 503 redis_unreachable".
func describeService(s doctor.ServiceStatus) string {
	name := strings.ToUpper(s.Name)
	switch s.Name {
	case "api":
		name = "Admin API"
	case "gateway", "audit", "coordinator":
		name = strings.ToUpper(s.Name[:1]) + s.Name[1:]
	}
	return name + " " + s.Detail
}

// RoughDuration renders a duration for people: "45s", "3m", "1h5m".
func RoughDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Minute {
		d = d.Round(time.Minute)
	}
	s := d.String()
	if d >= time.Minute {
		s = strings.TrimSuffix(s, "0s")
	}
	if d >= time.Hour {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
