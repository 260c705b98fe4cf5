package denialwatch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// announceDue announces every cluster at the threshold that is not quiet,
// and lists the announced ones and those that stay quiet. A cluster is
// marked announced, and the mark saved, before it is posted: a restart or
// another replica never posts it again. A post that fails is logged and
// not tried again: its root message may have been posted before the part
// that failed.
func (w *Watch) announceDue(ctx context.Context, token int64, now time.Time) (announced, quiet []string) {
	if w.st == nil {
		return nil, nil
	}
	var due []*cluster
	for _, c := range w.st.Clusters {
		if !c.AnnouncedAt.IsZero() && !now.Before(c.AnnouncedAt.Add(w.opts.Quiet)) {
			c.AnnouncedAt, w.dirty = time.Time{}, true
		}
		n := w.buckets.count(c, now)
		switch {
		case n < w.opts.Threshold:
		case !c.AnnouncedAt.IsZero():
			quiet = append(quiet, fmt.Sprintf("%s: %d denied requests in %s; announced at %s, quiet until %s", c.name(), n,
				scheduler.RoughDuration(w.opts.Window), c.AnnouncedAt.UTC().Format(time.RFC3339), c.AnnouncedAt.Add(w.opts.Quiet).UTC().Format(time.RFC3339)))
		default:
			due = append(due, c)
		}
	}
	w.prune(now)
	if len(due) == 0 {
		return nil, quiet
	}
	for _, c := range due {
		c.AnnouncedAt = now
	}
	w.dirty = true
	if !w.save(ctx) {
		for _, c := range due {
			c.AnnouncedAt = time.Time{}
		}
		return nil, quiet
	}
	for _, c := range due {
		reply := w.announcement(ctx, c, w.buckets.count(c, now))
		log := w.log.With("cluster", c.name(), "zone", c.Zone)
		posted, held := w.lead.Post(ctx, w.opts.Poster, token, w.opts.Targets, reply, log)
		switch {
		case !held:
			log.Error("denial watch: the lease was lost before the announcement was posted everywhere; another replica leads")
			return announced, quiet
		case posted == 0:
			log.Error("denial watch: the announcement reached no channel; it is not posted again")
		default:
			log.Info("denial watch: announced", "summary", reply.Summary, "channels", posted)
			announced = append(announced, reply.Summary)
		}
	}
	return announced, quiet
}

// prune drops the buckets that left the window and the clusters left with
// none that are not quiet.
func (w *Watch) prune(now time.Time) {
	w.st.Clusters = slices.DeleteFunc(w.st.Clusters, func(c *cluster) bool {
		w.buckets.prune(c, now)
		if len(c.Buckets) > 0 || !c.AnnouncedAt.IsZero() {
			return false
		}
		delete(w.index, c.key())
		w.dirty = true
		return true
	})
}

// announcement is the root message naming the cluster and its count, with
// the diagnosis of its newest request as the thread: the verdict and the
// fields of `why`, its sections, and its buttons but Re-run (which would
// replace this root message with the diagnosis).
func (w *Watch) announcement(ctx context.Context, c *cluster, n int) chat.Reply {
	window := scheduler.RoughDuration(w.opts.Window)
	app := c.appName()
	if c.Application != "" && c.ApplicationID != "" {
		app += " (" + c.ApplicationID + ")"
	}
	r := chat.Reply{
		Summary:  fmt.Sprintf("%s was denied %s in %s on %s: %s", c.appName(), times(n), window, c.Resource, c.Cause),
		Severity: chat.SeverityWarning,
		Fields: []chat.Field{
			{Label: "Zone", Value: c.Zone},
			{Label: "Application", Value: app},
			{Label: "Resource", Value: c.Resource},
			{Label: "Cause", Value: c.Cause},
			{Label: "Denied requests", Value: fmt.Sprintf("%d in the last %s (threshold %d)", n, window, w.opts.Threshold)},
			{Label: "Newest request", Value: c.Newest},
		},
	}
	again := fmt.Sprintf("caracal-bot does not announce more denials of this cluster for %s. Diagnose another of its requests with /caracal why <request-id> --zone %s.",
		scheduler.RoughDuration(w.opts.Quiet), c.Zone)
	res, err := w.opts.Runner.Run(ctx, chat.Invocation{Platform: "denial-watch", Command: "why", Args: []string{c.Newest, "--zone", c.Zone}})
	if err != nil {
		w.log.Warn("denial watch: the newest request of the cluster could not be diagnosed", "request", c.Newest, "zone", c.Zone, "err", err)
		r.Sections = []chat.Section{
			{Title: "Diagnosis of the newest request", Text: fmt.Sprintf("Request %s could not be diagnosed: %s", c.Newest, err)},
			{Text: again},
		}
		return r
	}
	d := res.Reply
	items := make([]chat.Item, 0, len(d.Fields))
	for _, f := range d.Fields {
		items = append(items, chat.Item{Text: f.Label + ": " + f.Value})
	}
	r.Sections = append([]chat.Section{{Title: "Diagnosis of the newest request", Text: d.Summary, Items: items}}, d.Sections...)
	r.Sections = append(r.Sections, chat.Section{Text: again})
	r.Buttons = slices.DeleteFunc(slices.Clone(d.Buttons), func(b chat.Button) bool { return b.Action == chat.ActionRerun })
	return r
}

// times says how often: "once", "5 times".
func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
