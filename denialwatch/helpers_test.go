package denialwatch_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/bottest"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/denialwatch"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

const (
	zone       = "zone-research"
	billingBot = "app-billing-bot"
	pipernet   = "resource://pipernet"
	layout     = "2006-01-02T15:04:05.000Z"
)

// t0 is when the watches of these tests first start.
var t0 = time.Date(2026, 8, 22, 14, 0, 0, 0, time.UTC)

// auditLog is a zone's audit list in memory, served the way the Admin API
// serves it: since, until and decision filters, newest first by
// (occurred_at, id), pages of limit rows with an opaque cursor.
type auditLog struct {
	mu    sync.Mutex
	rows  []caracal.AuditRow
	pages int
	fail  error
}

func (l *auditLog) add(rows ...caracal.AuditRow) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rows = append(l.rows, rows...)
}

func (l *auditLog) Audit(_ context.Context, zoneID string, q caracal.AuditQuery) (*caracal.List[caracal.AuditRow], error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return nil, l.fail
	}
	l.pages++
	var kept []caracal.AuditRow
	for _, r := range l.rows {
		at, _ := time.Parse(time.RFC3339Nano, r.OccurredAt)
		switch {
		case r.ZoneID != zoneID, !q.Since.IsZero() && at.Before(q.Since), !q.Until.IsZero() && !at.Before(q.Until):
		case q.Decision != "" && (r.Decision == nil || *r.Decision != q.Decision):
		default:
			kept = append(kept, r)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].OccurredAt != kept[j].OccurredAt {
			return kept[i].OccurredAt > kept[j].OccurredAt
		}
		return kept[i].ID > kept[j].ID
	})
	start := 0
	if q.Cursor != "" {
		// The cursor is the last row's position, as a keyset: the rows
		// after it, even if rows were added meanwhile.
		for start < len(kept) && !(kept[start].OccurredAt+"|"+kept[start].ID < q.Cursor) {
			start++
		}
	}
	end := min(start+q.Limit, len(kept))
	page := &caracal.List[caracal.AuditRow]{Items: append([]caracal.AuditRow{}, kept[start:end]...)}
	if end-start == q.Limit {
		last := kept[end-1]
		next := last.OccurredAt + "|" + last.ID
		page.NextCursor = &next
	}
	return page, nil
}

func (l *auditLog) pagesRead() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pages
}

// denial returns the two deny rows of a policy deny (API.md §7.7): the
// reason-bearing token_exchange row and, 1 ms later, exchange_denied.
func denial(requestID, app, resource, reason string, at time.Time) []caracal.AuditRow {
	return []caracal.AuditRow{reasonRow(requestID, app, resource, reason, at), closingRow(requestID, app, resource, at.Add(time.Millisecond))}
}

func reasonRow(requestID, app, resource, reason string, at time.Time) caracal.AuditRow {
	r := row(requestID, "complete", at, map[string]any{"application_id": app, "application_name": name(app), "resource": resource})
	r.DiagnosticsJSON = []map[string]any{{"reason": reason}}
	return r
}

func closingRow(requestID, app, resource string, at time.Time) caracal.AuditRow {
	return row(requestID, "exchange_denied", at, map[string]any{"application_id": app, "application_name": name(app), "requested": []any{resource}})
}

func row(requestID, status string, at time.Time, md map[string]any) caracal.AuditRow {
	deny := "deny"
	return caracal.AuditRow{ID: requestID + "/" + status, ZoneID: zone, EventType: "token_exchange", RequestID: &requestID,
		Decision: &deny, EvaluationStatus: &status, MetadataJSON: md, OccurredAt: at.UTC().Format(layout),
		IngestedAt: at.Add(240 * time.Millisecond).UTC().Format(layout)}
}

func name(app string) string { return app[len("app-"):] }

// burst returns n policy denials of billing-bot on pipernet for reason,
// one every second from at.
func burst(prefix string, n int, reason string, at time.Time) []caracal.AuditRow {
	var rows []caracal.AuditRow
	for i := range n {
		rows = append(rows, denial(prefix+"-"+strconv.Itoa(i), billingBot, pipernet, reason, at.Add(time.Duration(i)*time.Second))...)
	}
	return rows
}

// posted is one announcement a poster received.
type posted struct {
	Target scheduler.Target
	Reply  chat.Reply
}

// poster records what is posted; fail refuses every post.
type poster struct {
	mu    sync.Mutex
	posts []posted
	fail  bool
}

func (p *poster) Post(_ context.Context, t scheduler.Target, r chat.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return errors.New("channel_not_found")
	}
	p.posts = append(p.posts, posted{t, r})
	return nil
}

func (p *poster) all() []posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]posted(nil), p.posts...)
}

// runner answers `why` with a diagnosis of the request it is asked about.
type runner struct {
	mu   sync.Mutex
	invs []chat.Invocation
	fail error
}

func (r *runner) Run(_ context.Context, inv chat.Invocation) (commands.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.invs = append(r.invs, inv)
	if r.fail != nil {
		return commands.Result{}, r.fail
	}
	value := inv.Args[0] + " --zone " + inv.Args[2]
	return commands.Result{OK: true, Reply: chat.Reply{
		Summary:  "The policy engine denied application billing-bot on resource " + pipernet,
		Severity: chat.SeverityError,
		Fields:   []chat.Field{{Label: "Request ID", Value: inv.Args[0]}, {Label: "Cause", Value: "resource_not_granted"}},
		Sections: []chat.Section{{Title: "Steps", Items: []chat.Item{{Mark: chat.MarkFail, Text: "4. Policy: denied"}}},
			{Title: "Next actions", Items: chat.Numbered(chat.Item{Text: "Bind billing-bot in app_ids"})}},
		Buttons: []chat.Button{{Action: chat.ActionTicket, Label: "Upload bundle to ticket", Value: value},
			{Action: chat.ActionTrace, Label: "Show trace", Value: value}, {Action: chat.ActionRerun, Label: "Re-run", Value: value}},
	}}, nil
}

func (r *runner) asked() []chat.Invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Invocation(nil), r.invs...)
}

// rig is a watch with its fakes.
type rig struct {
	w      *denialwatch.Watch
	log    *auditLog
	clock  *bottest.Clock
	poster *poster
	runner *runner
	store  *denialwatch.MemoryStore
	leases *scheduler.MemoryLeases
}

// targets are where the watches of these tests post.
var targets = []scheduler.Target{{Platform: "slack", ChannelID: "C0ONCALL"}, {Platform: "discord", ChannelID: "112233"}}

// newRig builds a watch (threshold 5 in 10m, quiet 1h) at t0; change
// adjusts its options.
func newRig(t *testing.T, change ...func(*denialwatch.Options)) *rig {
	t.Helper()
	r := &rig{log: &auditLog{}, clock: bottest.NewClock(t0), poster: &poster{}, runner: &runner{}, store: &denialwatch.MemoryStore{},
		leases: scheduler.NewMemoryLeases()}
	r.w = r.watch(t, "replica-a", change...)
	return r
}

// watch builds another watch sharing r's fakes, store and leases: a
// replica, or the same one after a restart.
func (r *rig) watch(t *testing.T, holder string, change ...func(*denialwatch.Options)) *denialwatch.Watch {
	t.Helper()
	opts := denialwatch.Options{Zones: []string{zone}, Interval: time.Second, Threshold: 5, Window: 10 * time.Minute, Quiet: time.Hour,
		Targets: targets, Source: r.log, Runner: r.runner, Poster: r.poster, Lease: r.leases.Holder(holder), Store: r.store,
		PagesPerMinute: 60_000, Now: r.clock.Now}
	for _, c := range change {
		c(&opts)
	}
	w, err := denialwatch.New(opts)
	require.NoError(t, err)
	return w
}

// tick moves the clock on by d and ticks w.
func (r *rig) tick(w *denialwatch.Watch, d time.Duration) denialwatch.Report {
	r.clock.Add(d)
	return w.Tick(context.Background())
}

// stop stops w as serve does at shutdown: it gives the lease up.
func stop(w *denialwatch.Watch) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = w.Run(ctx)
}

// roots returns the summaries of the posts to the first target.
func (r *rig) roots() []string {
	var out []string
	for _, p := range r.poster.all() {
		if p.Target == targets[0] {
			out = append(out, p.Reply.Summary)
		}
	}
	return out
}

func fieldValue(r chat.Reply, label string) string {
	for _, f := range r.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	return fmt.Sprintf("(no field %q)", label)
}
