package scheduler

import (
	"context"
	"time"

	"github.com/caracal-bot/caracal-bot/commands"
)

// Outcomes of a digest run, counted in bot.Metrics.Digests. A digest
// another replica posts, or that shutdown cuts short, is not counted.
const (
	// digestPosted: this replica posted it, to one channel at least.
	digestPosted = "posted"
	// digestFailed: this replica led but posted nothing: the digest failed,
	// was late, or every channel refused it.
	digestFailed = "failed"
	// digestNotPosted: no replica could post it within the job timeout
	// (the shared state was away, say).
	digestNotPosted = "not_posted"
)

// initCounts starts j's counts of every outcome at zero, so that an alert
// on their increase sees the first one.
func (s *Scheduler) initCounts(j *job) {
	if s.opts.Metrics == nil {
		return
	}
	for _, o := range []string{digestPosted, digestFailed, digestNotPosted} {
		s.opts.Metrics.Digests.WithLabelValues(j.Name, o)
	}
}

// count counts a run of j as outcome; a failure during shutdown is not one.
func (s *Scheduler) count(j *job, outcome string) {
	if s.opts.Metrics == nil || (outcome != digestPosted && s.ctx.Err() != nil) {
		return
	}
	s.opts.Metrics.Digests.WithLabelValues(j.Name, outcome).Inc()
}

// runDigest is one scheduled run of a digest job. It records the fire time
// (so a later start can tell what it missed), and when this replica holds
// the lease builds the digest and posts it. A digest that fails, or that
// finishes after shutdown began, posts nothing and is logged; a digest that
// cannot reach Caracal is posted and says so.
func (s *Scheduler) runDigest(j *job) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.JobTimeout)
	defer cancel()
	start := time.Now()
	last, err := s.opts.RunLog.LastRun(ctx, j.Name)
	if err != nil {
		j.log.Warn("could not read the run log; missed runs are not reported", "err", err)
	}
	fire := j.sched.currentFire(start, last)
	notes := missedNotes(j, last, fire)
	if err := s.opts.RunLog.RecordRun(ctx, j.Name, fire); err != nil {
		j.log.Warn("could not record the run; missed runs may be misreported", "err", err)
	}
	// Fire times that pass while this run works were skipped on purpose
	// (SkipIfStillRunning), not missed: record the last one at the end.
	defer func() {
		if latest := j.sched.latestFire(fire, time.Now()); latest.After(fire) {
			if err := s.opts.RunLog.RecordRun(context.WithoutCancel(ctx), j.Name, latest); err != nil {
				j.log.Warn("could not record the run", "err", err)
			}
		}
	}()
	token, ok := s.awaitTurn(ctx, j, fire)
	if !ok {
		return
	}
	defer s.lead.KeepWhile(ctx)()
	// The window ends at the fire time, a whole minute: with the running
	// aggregates, a digest fired on the hour reads no deny rows at all.
	res, err := s.opts.Digester.Digest(ctx, commands.DigestOptions{Zones: j.Zones, Since: j.Since, Notes: notes,
		Until: fire, Denials: s.opts.Denials})
	if err != nil {
		j.log.Error("digest failed; nothing posted", "err", err)
		s.count(j, digestFailed)
		return
	}
	if err := ctx.Err(); err != nil {
		j.log.Error("digest finished too late; nothing posted", "err", err)
		s.count(j, digestFailed)
		return
	}
	n, held := s.lead.Post(ctx, s.opts.Poster, token, j.Targets, res.Reply, j.log)
	if !held {
		return
	}
	if n > 0 {
		s.count(j, digestPosted)
	} else {
		s.count(j, digestFailed)
	}
	// Recorded even when some channels failed: another replica posting
	// again would repeat the digest where it did arrive.
	if err := s.opts.Lease.MarkPosted(context.WithoutCancel(ctx), j.Name, fire); err != nil {
		j.log.Warn("could not record the digest as posted; a replica waiting on it may post it again", "err", err)
	}
	if n > 0 {
		j.log.Info("digest posted", "fire", fire, "channels", n, "headline", res.Reply.Summary, "took", time.Since(start).Round(time.Millisecond))
	}
}

// awaitTurn decides whether this replica posts job's run at fire. It does
// when it holds the lease and no replica has posted that run yet. A replica
// that does not lead waits, polling, until the leader has posted it; if the
// leader dies first, its lease expires and a waiting replica takes over. It
// also waits out a shared-state outage. It gives up, and nothing is posted,
// when ctx ends (job timeout or shutdown).
func (s *Scheduler) awaitTurn(ctx context.Context, j *job, fire time.Time) (token int64, ok bool) {
	poll := time.NewTicker(s.leasePoll)
	defer poll.Stop()
	var waitingOn string
	for {
		token, leader, err := s.lead.Acquire(ctx)
		posted := false
		if err == nil {
			posted, err = s.opts.Lease.Posted(ctx, j.Name, fire)
		}
		switch {
		case err == nil && posted:
			j.log.Info("digest posted by another replica", "fire", fire)
			return 0, false
		case err == nil && leader:
			return token, true
		}
		reason := "another replica leads; waiting for it to post the digest"
		if err != nil {
			reason = "shared state unavailable; waiting to post the digest"
		}
		if reason != waitingOn {
			j.log.Info(reason, "err", err)
			waitingOn = reason
		}
		select {
		case <-ctx.Done():
			if s.ctx.Err() == nil {
				j.log.Error("digest not posted: no replica could post it within the job timeout", "waiting", waitingOn, "err", err)
				s.count(j, digestNotPosted)
			}
			return 0, false
		case <-poll.C:
		}
	}
}

// missedNotes returns the note about the job's runs missed between its
// last recorded fire time and fire, nil when none were.
func missedNotes(j *job, last, fire time.Time) []string {
	times, total := MissedRuns(j.sched, last, fire, maxListedMissed)
	if total == 0 {
		return nil
	}
	note := MissedNote(times, total, j.sched.Location())
	j.log.Warn("scheduled runs were missed", "missed", total, "note", note)
	return []string{note}
}

// reportMissedAtStart logs the runs a job missed while the bot was down;
// its next digest reports them in the channel.
func (s *Scheduler) reportMissedAtStart(ctx context.Context, j *job) {
	last, err := s.opts.RunLog.LastRun(ctx, j.Name)
	if err != nil {
		j.log.Warn("could not read the run log", "err", err)
		return
	}
	if _, total := MissedRuns(j.sched, last, time.Now(), 0); total > 0 {
		j.log.Warn("runs were missed while the bot was down; the next digest reports them", "missed", total, "last_run", last)
	}
}
