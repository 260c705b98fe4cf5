package denialwatch_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/denialwatch"
)

func TestAnnouncesAClusterOnceWithTheDiagnosisOfItsNewest(t *testing.T) {
	r := newRig(t)
	rep := r.tick(r.w, 0)
	require.True(t, rep.Leader)

	r.log.add(burst("req", 4, "resource_not_granted", t0.Add(10*time.Second))...)
	rep = r.tick(r.w, time.Minute)
	assert.Equal(t, 4, rep.Counted, "four denied requests, eight rows")
	assert.Empty(t, r.poster.all(), "under the threshold")

	r.log.add(denial("req-newest", billingBot, pipernet, "resource_not_granted", t0.Add(70*time.Second))...)
	rep = r.tick(r.w, 30*time.Second)
	assert.Equal(t, 1, rep.Counted)
	require.Len(t, rep.Announced, 1)
	posts := r.poster.all()
	require.Len(t, posts, 2, "one root message in each channel")
	assert.Equal(t, targets[0], posts[0].Target)
	assert.Equal(t, targets[1], posts[1].Target)

	root := posts[0].Reply
	assert.Equal(t, "billing-bot was denied 5 times in 10m on resource://pipernet: resource_not_granted", root.Summary)
	assert.Equal(t, chat.SeverityWarning, root.Severity)
	assert.Equal(t, zone, fieldValue(root, "Zone"))
	assert.Equal(t, "billing-bot (app-billing-bot)", fieldValue(root, "Application"))
	assert.Equal(t, pipernet, fieldValue(root, "Resource"))
	assert.Equal(t, "resource_not_granted", fieldValue(root, "Cause"), "the exact cause token")
	assert.Equal(t, "5 in the last 10m (threshold 5)", fieldValue(root, "Denied requests"))
	assert.Equal(t, "req-newest", fieldValue(root, "Newest request"))

	asked := r.runner.asked()
	require.Len(t, asked, 1, "one diagnosis, shared by the channels")
	assert.Equal(t, "why", asked[0].Command)
	assert.Equal(t, []string{"req-newest", "--zone", zone}, asked[0].Args, "the newest request, in its zone")

	require.GreaterOrEqual(t, len(root.Sections), 4)
	first := root.Sections[0]
	assert.Equal(t, "Diagnosis of the newest request", first.Title)
	assert.Equal(t, "The policy engine denied application billing-bot on resource resource://pipernet", first.Text, "the verdict")
	assert.Equal(t, []chat.Item{{Text: "Request ID: req-newest"}, {Text: "Cause: resource_not_granted"}}, first.Items)
	assert.Equal(t, "Steps", root.Sections[1].Title)
	assert.Equal(t, "Next actions", root.Sections[2].Title)
	assert.Contains(t, root.Sections[3].Text, "does not announce more denials of this cluster for 1h")
	var actions []string
	for _, b := range root.Buttons {
		actions = append(actions, b.Action)
		assert.Equal(t, "req-newest --zone "+zone, b.Value)
	}
	assert.Equal(t, []string{chat.ActionTicket, chat.ActionTrace}, actions, "the diagnosis's buttons but Re-run, which would replace this message")

	for range 3 {
		rep = r.tick(r.w, time.Second)
		assert.Zero(t, rep.Counted, "rows read again are not counted again")
	}
	assert.Len(t, r.poster.all(), 2, "announced once")
}

func TestDenialsBeforeTheFirstStartAreNeverAnnounced(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
	r.log.add(burst("old", 20, "resource_not_granted", t0.Add(-5*time.Minute))...)
	r.log.add(burst("just-before", 3, "no_rule_matched", t0.Add(-10*time.Second))...)
	for range 5 {
		rep := r.tick(r.w, time.Second)
		assert.Zero(t, rep.Counted)
	}
	assert.Empty(t, r.poster.all(), "no flood at start")

	r.log.add(denial("after", billingBot, pipernet, "no_rule_matched", r.clock.Now())...)
	r.tick(r.w, time.Second)
	assert.Equal(t, []string{"billing-bot was denied once in 10m on resource://pipernet: no_rule_matched"}, r.roots())
}

func TestARequestCountsOnceWithTheCauseOfItsReasonBearingRow(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
	r.tick(r.w, 0)
	at := t0.Add(20 * time.Second)
	// The closing exchange_denied is read first; its reason-bearing row is
	// ingested a tick later.
	r.log.add(closingRow("req-split", billingBot, pipernet, at.Add(time.Millisecond)))
	rep := r.tick(r.w, 10*time.Second)
	assert.Zero(t, rep.Counted, "exchange_denied alone names no cause: the request waits")
	r.log.add(reasonRow("req-split", billingBot, pipernet, "role_scope_mismatch", at))
	rep = r.tick(r.w, 10*time.Second)
	assert.Equal(t, 1, rep.Counted)
	assert.Equal(t, []string{"billing-bot was denied once in 10m on resource://pipernet: role_scope_mismatch"}, r.roots())
	for range 3 {
		assert.Zero(t, r.tick(r.w, time.Second).Counted)
	}
}

func TestARequestWithoutItsReasonIsCountedAsUnknownAfterTheOverlap(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1; o.Overlap = time.Minute })
	r.tick(r.w, 0)
	r.log.add(closingRow("req-lone", billingBot, pipernet, t0.Add(time.Second)))
	assert.Zero(t, r.tick(r.w, 30*time.Second).Counted)
	assert.Equal(t, 1, r.tick(r.w, 61*time.Second).Counted, "its reason-bearing row did not come within the overlap")
	assert.Equal(t, []string{"billing-bot was denied once in 10m on resource://pipernet: unknown"}, r.roots())
}

func TestALateRowIsCountedOnceAndNotLost(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 3 })
	r.tick(r.w, 0)
	r.log.add(burst("early", 2, "resource_not_granted", t0.Add(30*time.Second))...)
	assert.Equal(t, 2, r.tick(r.w, time.Minute).Counted)
	for range 3 {
		assert.Zero(t, r.tick(r.w, time.Second).Counted, "the overlap reads them again: not counted twice")
	}
	assert.Empty(t, r.poster.all())

	// A row ingested now that occurred before the newest row read: behind
	// the cursor, inside the overlap.
	r.log.add(denial("late", billingBot, pipernet, "resource_not_granted", t0.Add(20*time.Second))...)
	assert.Equal(t, 1, r.tick(r.w, time.Second).Counted, "the late request is counted")
	require.Len(t, r.roots(), 1)
	assert.Equal(t, "3 in the last 10m (threshold 3)", fieldValue(r.poster.all()[0].Reply, "Denied requests"), "each request once")
	assert.Equal(t, "early-1", fieldValue(r.poster.all()[0].Reply, "Newest request"), "the newest by when it occurred")
}

func TestAProducerClockAheadDoesNotMakeTheWatchSkipRows(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 2 })
	r.tick(r.w, 0)
	// One STS writes occurred_at an hour ahead of every other clock.
	r.log.add(denial("ahead", billingBot, pipernet, "resource_not_granted", t0.Add(time.Hour))...)
	assert.Equal(t, 1, r.tick(r.w, time.Second).Counted)
	// A row from a correct clock, ingested a few seconds after it occurred.
	r.log.add(denial("on-time", billingBot, pipernet, "resource_not_granted", t0.Add(2*time.Second))...)
	assert.Equal(t, 1, r.tick(r.w, 5*time.Second).Counted, "the cursor did not jump an hour ahead")
	assert.Len(t, r.roots(), 1)
}

func TestAnAnnouncedClusterStaysQuiet(t *testing.T) {
	r := newRig(t)
	r.tick(r.w, 0)
	r.log.add(burst("first", 5, "resource_not_granted", t0.Add(5*time.Second))...)
	r.tick(r.w, 10*time.Second)
	require.Len(t, r.roots(), 1)

	r.log.add(burst("more", 10, "resource_not_granted", t0.Add(30*time.Second))...)
	rep := r.tick(r.w, 40*time.Second)
	assert.Equal(t, 10, rep.Counted)
	assert.Empty(t, rep.Announced)
	require.Len(t, rep.Quiet, 1)
	assert.Contains(t, rep.Quiet[0], "billing-bot on resource://pipernet: resource_not_granted: 15 denied requests in 10m; announced at")
	assert.Len(t, r.roots(), 1, "no new root message inside the quiet hour")

	// Another cluster is announced meanwhile.
	r.log.add(burst("other", 5, "no_rule_matched", r.clock.Now())...)
	r.tick(r.w, 10*time.Second)
	require.Len(t, r.roots(), 2)
	assert.Contains(t, r.roots()[1], "no_rule_matched")

	// After the quiet hour, a new burst of the first cluster is announced again.
	r.clock.Add(time.Hour)
	r.log.add(burst("later", 5, "resource_not_granted", r.clock.Now())...)
	r.tick(r.w, 10*time.Second)
	require.Len(t, r.roots(), 3)
	assert.Equal(t, "billing-bot was denied 5 times in 10m on resource://pipernet: resource_not_granted", r.roots()[2],
		"the old denials left the window")
}

func TestARestartAnnouncesNothingAgain(t *testing.T) {
	r := newRig(t)
	r.tick(r.w, 0)
	r.log.add(burst("before-restart", 5, "resource_not_granted", t0.Add(5*time.Second))...)
	r.tick(r.w, 10*time.Second)
	require.Len(t, r.roots(), 1)
	stop(r.w)

	// The bot restarts: a new process with the same state.
	again := r.watch(t, "replica-a-restarted")
	rep := r.tick(again, 5*time.Second)
	require.True(t, rep.Leader)
	assert.Zero(t, rep.Counted, "the requests counted before the restart are remembered")
	r.log.add(burst("after-restart", 3, "resource_not_granted", r.clock.Now())...)
	rep = r.tick(again, 5*time.Second)
	assert.Equal(t, 3, rep.Counted)
	require.Len(t, rep.Quiet, 1, "the quiet memory survived")
	assert.Contains(t, rep.Quiet[0], "8 denied requests", "the counts survived")
	assert.Len(t, r.roots(), 1, "nothing announced again")
}

func TestTwoReplicasAnnounceOnce(t *testing.T) {
	r := newRig(t)
	b := r.watch(t, "replica-b")
	assert.True(t, r.tick(r.w, 0).Leader)
	assert.False(t, r.tick(b, 0).Leader, "one replica leads")
	r.log.add(burst("req", 6, "resource_not_granted", t0.Add(time.Second))...)
	for range 3 {
		r.tick(r.w, time.Second)
		r.tick(b, 0)
	}
	assert.Len(t, r.roots(), 1)

	// The leader stops; the other takes over with its state.
	stop(r.w)
	rep := r.tick(b, time.Second)
	require.True(t, rep.Leader)
	assert.Zero(t, rep.Counted)
	assert.Len(t, r.roots(), 1, "the new leader does not announce again")
	r.log.add(burst("new", 5, "no_rule_matched", r.clock.Now())...)
	r.tick(b, time.Second)
	assert.Len(t, r.roots(), 2, "it announces what is new")
}

func TestALongReadGoesOnAtTheNextTicks(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.PageSize = 10; o.PagesPerTick = 2; o.Threshold = 100 })
	r.tick(r.w, 0)
	r.log.add(burst("big", 55, "resource_not_granted", t0.Add(time.Second))...)
	pages, counted := r.log.pagesRead(), 0
	for i := range 8 {
		rep := r.tick(r.w, time.Second)
		assert.LessOrEqual(t, rep.Pages, 2, "tick %d", i)
		counted += rep.Counted
	}
	assert.Equal(t, 55, counted, "every request once, over several ticks")
	assert.Less(t, r.log.pagesRead()-pages, 8*2+1)
}

func TestPagesArePacedUnderTheRateLimit(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.PageSize = 10; o.PagesPerTick = 5; o.PagesPerMinute = 60 })
	r.log.add(burst("big", 100, "resource_not_granted", t0.Add(-time.Second))...)
	assert.Equal(t, 5, r.tick(r.w, 0).Pages, "a tick's pages may come at once")
	assert.Zero(t, r.tick(r.w, 0).Pages, "then one a second")
	assert.Equal(t, 2, r.tick(r.w, 2*time.Second).Pages)
}

func TestAFailedAnnouncementIsNotPostedAgain(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
	r.tick(r.w, 0)
	r.poster.fail = true // a part of it may have reached the channel
	r.log.add(denial("req", billingBot, pipernet, "resource_not_granted", t0.Add(time.Second))...)
	assert.Empty(t, r.tick(r.w, time.Second).Announced)
	r.poster.fail = false
	rep := r.tick(r.w, time.Second)
	assert.Empty(t, rep.Announced, "never twice")
	assert.Len(t, rep.Quiet, 1)
	assert.Empty(t, r.roots())
}

func TestADiagnosisThatFailsStillAnnounces(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
	r.runner.fail = errors.New("Caracal rejected the bot's admin token")
	r.tick(r.w, 0)
	r.log.add(denial("req", billingBot, pipernet, "resource_not_granted", t0.Add(time.Second))...)
	r.tick(r.w, time.Second)
	posts := r.poster.all()
	require.NotEmpty(t, posts)
	assert.Equal(t, "Request req could not be diagnosed: Caracal rejected the bot's admin token", posts[0].Reply.Sections[0].Text)
	assert.Empty(t, posts[0].Reply.Buttons)
}

func TestAnUnreadableAuditLogIsReadAgainLater(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
	r.tick(r.w, 0)
	r.log.fail = errors.New("503 Service Unavailable")
	r.log.add(denial("req", billingBot, pipernet, "resource_not_granted", t0.Add(time.Second))...)
	assert.Zero(t, r.tick(r.w, time.Second).Counted)
	r.log.fail = nil
	assert.Equal(t, 1, r.tick(r.w, time.Second).Counted)
	assert.Len(t, r.roots(), 1)
}

func TestAnUnreadableStateStartsAgainFromNow(t *testing.T) {
	r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
	require.NoError(t, r.store.Save(context.Background(), 0, []byte("{not json")))
	r.log.add(denial("old", billingBot, pipernet, "resource_not_granted", t0.Add(-time.Second))...)
	rep := r.tick(r.w, 0)
	require.True(t, rep.Leader)
	assert.Zero(t, rep.Counted, "denials before this start are not counted")
	state, err := r.store.Load(context.Background())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(state), `{"version":1,`), "a new state is saved: %s", state)
}

func TestASparseStateIsReadWithoutFault(t *testing.T) {
	for _, doc := range []string{`{"version":1}`, `{"version":1,"zones":{"zone-research":null},"clusters":[null,{"zone":"zone-research"}]}`} {
		r := newRig(t, func(o *denialwatch.Options) { o.Threshold = 1 })
		require.NoError(t, r.store.Save(context.Background(), 0, []byte(doc)))
		require.True(t, r.tick(r.w, 0).Leader, doc)
		r.log.add(denial("req", billingBot, pipernet, "resource_not_granted", t0.Add(time.Second))...)
		assert.Equal(t, 1, r.tick(r.w, time.Second).Counted, doc)
		assert.Len(t, r.roots(), 1, doc)
	}
}

func TestMemoryStoreFences(t *testing.T) {
	var s denialwatch.MemoryStore
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, 2, []byte("b")))
	assert.ErrorIs(t, s.Save(ctx, 1, []byte("a")), denialwatch.ErrFenced, "an older holding may not overwrite a newer one's state")
	require.NoError(t, s.Save(ctx, 2, []byte("c")))
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "c", string(got))
}

func TestNewRefusesIncompleteOptions(t *testing.T) {
	_, err := denialwatch.New(denialwatch.Options{Zones: []string{zone}})
	assert.ErrorContains(t, err, "no channels")
	_, err = denialwatch.New(denialwatch.Options{Zones: []string{zone}, Targets: targets, Source: &auditLog{}, Runner: &runner{}, Poster: &poster{}})
	assert.ErrorContains(t, err, "must be positive")
}
