package scheduler_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// Inside a synctest bubble the clock starts at 2000-01-01 00:00 UTC, a
// Saturday; 09:00 in Paris is 08:00 UTC in January.

func morningJob() scheduler.Job {
	return scheduler.Job{Name: "morning", Spec: "0 9 * * *", Timezone: "Europe/Paris",
		Zones: []string{"zone-a"}, Since: 24 * time.Hour, Targets: slack("C0ONCALL")}
}

func day(d, hour int) time.Time { return time.Date(2000, 1, d, hour, 0, 0, 0, time.UTC) }

func postTimes(posts []post) []time.Time {
	out := make([]time.Time, len(posts))
	for i, p := range posts {
		out[i] = p.At.UTC()
	}
	return out
}

func TestDailyDigestRunsOncePerDay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		poster, dig := &fakePoster{}, &fakeDigester{}
		metrics := bot.NewMetrics(prometheus.NewRegistry())
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: dig, Poster: poster, Metrics: metrics}))
		time.Sleep(time.Until(day(4, 23)))
		synctest.Wait()
		stop()
		assert.Equal(t, map[string]float64{"posted": 4, "failed": 0, "not_posted": 0}, digestCounts(metrics, "morning"))

		posts := poster.all()
		assert.Equal(t, []time.Time{day(1, 8), day(2, 8), day(3, 8), day(4, 8)}, postTimes(posts), "09:00 Paris every day, once")
		for i, p := range posts {
			assert.Equal(t, "C0ONCALL", p.Target.ChannelID)
			assert.Equal(t, digestResult(i+1).Reply.Summary, p.Reply.Summary)
		}
		for i, c := range dig.all() {
			assert.Equal(t, day(i+1, 8), c.Until.UTC(), "the window ends at the fire time")
			c.Until = time.Time{}
			assert.Equal(t, commands.DigestOptions{Zones: []string{"zone-a"}, Since: 24 * time.Hour}, c, "no missed runs to report")
		}
	})
}

func TestJobIsSkippedWhileStillRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs syncbuf.Buffer
		poster := &fakePoster{}
		dig := &fakeDigester{fn: func(_ context.Context, n int) (commands.Result, error) {
			if n == 1 {
				time.Sleep(30 * time.Hour) // stuck past the next day's run
			}
			return digestResult(n), nil
		}}
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: dig, Poster: poster,
			JobTimeout: 48 * time.Hour, Logger: testLogger(&logs)}))
		time.Sleep(time.Until(day(3, 12)))
		synctest.Wait()
		stop()

		assert.Len(t, dig.all(), 2, "day 2's run was skipped: day 1's was still running")
		assert.Equal(t, []time.Time{day(2, 14), day(3, 8)}, postTimes(poster.all()))
		assert.Contains(t, logs.String(), "scheduled run skipped: the previous run of this job is still running")
		assert.Empty(t, dig.all()[1].Notes, "a run skipped on purpose is not a run missed while the bot was down")
	})
}

func TestPanickingJobRunsAgainNextTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs syncbuf.Buffer
		poster := &fakePoster{}
		dig := &fakeDigester{fn: func(_ context.Context, n int) (commands.Result, error) {
			if n == 1 {
				panic("boom: nil map in the digest")
			}
			return digestResult(n), nil
		}}
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: dig, Poster: poster, Logger: testLogger(&logs)}))
		time.Sleep(time.Until(day(3, 12)))
		synctest.Wait()
		stop()

		assert.Len(t, dig.all(), 3, "the job survived its panic")
		assert.Equal(t, []time.Time{day(2, 8), day(3, 8)}, postTimes(poster.all()), "nothing half-made was posted on day 1")
		assert.Contains(t, logs.String(), "boom: nil map in the digest")
		assert.Empty(t, dig.all()[1].Notes, "the panicked run is not reported as missed")
	})
}

func TestFailuresPostNothingHalfMade(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs syncbuf.Buffer
		poster := &fakePoster{fail: map[string]bool{"C0ARCHIVED": true}}
		metrics := bot.NewMetrics(prometheus.NewRegistry())
		dig := &fakeDigester{fn: func(ctx context.Context, n int) (commands.Result, error) {
			switch n {
			case 1:
				return commands.Result{}, errors.New("digest needs a zone")
			case 2:
				<-ctx.Done() // still gathering when the bot shuts down
			}
			return digestResult(n), nil
		}}
		job := morningJob()
		job.Targets = append(slack("C0ARCHIVED"), slack("C0ONCALL")...)
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{job}, Digester: dig, Poster: poster,
			Logger: testLogger(&logs), Metrics: metrics}))
		time.Sleep(time.Until(day(2, 8).Add(30 * time.Minute)))
		synctest.Wait()
		stop()

		assert.Empty(t, poster.all(), "a failed digest and one cut short by shutdown post nothing")
		assert.Contains(t, logs.String(), `digest failed; nothing posted" job=morning err="digest needs a zone"`)
		assert.Contains(t, logs.String(), "digest finished too late; nothing posted")
		assert.Equal(t, map[string]float64{"posted": 0, "failed": 2, "not_posted": 0}, digestCounts(metrics, "morning"),
			"the failed digest and the one past the job timeout")
	})
	synctest.Test(t, func(t *testing.T) {
		metrics := bot.NewMetrics(prometheus.NewRegistry())
		dig := &fakeDigester{fn: func(ctx context.Context, n int) (commands.Result, error) {
			<-ctx.Done() // still gathering when the bot shuts down
			return digestResult(n), nil
		}}
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: dig, Poster: &fakePoster{}, Metrics: metrics}))
		time.Sleep(time.Until(day(1, 8).Add(time.Minute)))
		stop()
		assert.Equal(t, map[string]float64{"posted": 0, "failed": 0, "not_posted": 0}, digestCounts(metrics, "morning"),
			"a digest cut short by shutdown is no failure")
	})
	synctest.Test(t, func(t *testing.T) {
		metrics := bot.NewMetrics(prometheus.NewRegistry())
		job := morningJob()
		job.Targets = slack("C0ARCHIVED")
		s := newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{job}, Digester: &fakeDigester{},
			Poster: &fakePoster{fail: map[string]bool{"C0ARCHIVED": true}}, Metrics: metrics})
		assert.Equal(t, 3, testutil.CollectAndCount(metrics.Digests), "every outcome's count exists from the start")
		stop := start(t, s)
		time.Sleep(time.Until(day(1, 12)))
		stop()
		assert.Equal(t, 1.0, digestCounts(metrics, "morning")["failed"], "no channel took it: failed")
	})
	synctest.Test(t, func(t *testing.T) {
		var logs syncbuf.Buffer
		poster := &fakePoster{fail: map[string]bool{"C0ARCHIVED": true}}
		job := morningJob()
		job.Targets = append(slack("C0ARCHIVED"), slack("C0ONCALL")...)
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{job}, Digester: &fakeDigester{}, Poster: poster, Logger: testLogger(&logs)}))
		time.Sleep(time.Until(day(1, 12)))
		stop()
		assert.Len(t, poster.all(), 1, "one archived channel does not stop the others")
		assert.Contains(t, logs.String(), "channel C0ARCHIVED is archived")
	})
}

// TestSecondsFieldFiresWithinTheMinute: with Options.Seconds, specs have a
// leading seconds field, and the job runs at those seconds.
func TestSecondsFieldFiresWithinTheMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		poster := &fakePoster{}
		job := morningJob()
		job.Spec = "*/20 0 9 * * *"
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{job}, Digester: &fakeDigester{}, Poster: poster, Seconds: true}))
		time.Sleep(time.Until(day(1, 12)))
		synctest.Wait()
		stop()
		assert.Equal(t, []time.Time{day(1, 8), day(1, 8).Add(20 * time.Second), day(1, 8).Add(40 * time.Second)}, postTimes(poster.all()))
	})
}

func TestMissedRunsAreReportedInTheNextDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		runs, err := scheduler.NewFileRunLog(dir)
		require.NoError(t, err)
		paris, err := time.LoadLocation("Europe/Paris")
		require.NoError(t, err)
		ctx := context.Background()
		// The bot last ran the job on 29 December, then was down until 1 January.
		require.NoError(t, runs.RecordRun(ctx, "morning", time.Date(1999, 12, 29, 9, 0, 0, 0, paris)))

		var logs syncbuf.Buffer
		poster, dig := &fakePoster{}, &fakeDigester{}
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: dig, Poster: poster,
			RunLog: runs, Logger: testLogger(&logs)}))
		time.Sleep(time.Until(day(2, 12)))
		synctest.Wait()
		stop()

		calls := dig.all()
		require.Len(t, calls, 2)
		assert.Equal(t, []string{"missed 2 scheduled runs at 1999-12-30 09:00 and 1999-12-31 09:00 Europe/Paris while the bot was down"}, calls[0].Notes)
		assert.Empty(t, calls[1].Notes, "reported once")
		assert.Contains(t, logs.String(), "runs were missed while the bot was down; the next digest reports them")

		reopened, err := scheduler.NewFileRunLog(dir)
		require.NoError(t, err)
		last, err := reopened.LastRun(ctx, "morning")
		require.NoError(t, err)
		assert.True(t, last.Equal(day(2, 8)), "the file keeps the last fire time, got %s", last)
	})
}

func TestTwoReplicasSharingALeasePostOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		leases := scheduler.NewMemoryLeases()
		poster := &fakePoster{}
		var digs [2]fakeDigester
		var stops []func()
		for i, id := range []string{"replica-a", "replica-b"} {
			s := newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: &digs[i], Poster: poster,
				Lease: leases.Holder(id)})
			stops = append(stops, start(t, s))
		}
		time.Sleep(time.Until(day(3, 12)))
		synctest.Wait()
		for _, stop := range stops {
			stop()
		}
		assert.Equal(t, []time.Time{day(1, 8), day(2, 8), day(3, 8)}, postTimes(poster.all()), "one post a day between the two")
		assert.Equal(t, 3, len(digs[0].all())+len(digs[1].all()), "only the replica holding the lease builds the digest")
	})
}

func TestNewRefusesBadJobs(t *testing.T) {
	ok := scheduler.Options{Poster: &fakePoster{}, Digester: &fakeDigester{}}
	with := func(change func(*scheduler.Options)) scheduler.Options {
		o := ok
		o.Jobs = []scheduler.Job{morningJob()}
		change(&o)
		return o
	}
	for name, tc := range map[string]struct {
		opts scheduler.Options
		want string
	}{
		"panicking spec": {with(func(o *scheduler.Options) { o.Jobs[0].Spec = "CRON_TZ=UTC" }),
			`scheduler: job "morning": cron spec "CRON_TZ=UTC" starts with TZ= or CRON_TZ=; set the job's timezone instead`},
		"garbage spec":  {with(func(o *scheduler.Options) { o.Jobs[0].Spec = "soon" }), `job "morning": cron spec "soon" must have 5 fields`},
		"bad time zone": {with(func(o *scheduler.Options) { o.Jobs[0].Timezone = "Europe/Pariss" }), `job "morning": time zone "Europe/Pariss"`},
		"no channels":   {with(func(o *scheduler.Options) { o.Jobs[0].Targets = nil }), `job "morning" has no channels`},
		"duplicate":     {with(func(o *scheduler.Options) { o.Jobs = append(o.Jobs, morningJob()) }), "unique"},
		"no poster":     {with(func(o *scheduler.Options) { o.Poster = nil }), "no Poster"},
		"no digester":   {with(func(o *scheduler.Options) { o.Digester = nil }), "need a Digester"},
		"no prober":     {with(func(o *scheduler.Options) { o.Watch.Enabled = true }), "needs a Prober"},
		"watch without channels": {with(func(o *scheduler.Options) {
			o.Watch.Enabled, o.Prober = true, fakeProber{}
		}), "the readiness watch has no channels"},
		"no seconds field": {with(func(o *scheduler.Options) { o.Seconds = true }),
			`cron spec "0 9 * * *" must have 6 fields (second minute hour day-of-month month day-of-week)`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := scheduler.New(tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// noAggregates is a digest.DenialSource with nothing counted yet.
type noAggregates struct{}

func (noAggregates) DenialAggregates(context.Context, string) (*digest.Aggregates, error) {
	return nil, nil
}

// With the denial watch's aggregates, every scheduled digest is given them
// (the on-demand digest is not: it has no scheduler).
func TestScheduledDigestsAreGivenTheWatchAggregates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dig := &fakeDigester{}
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{morningJob()}, Digester: dig, Poster: &fakePoster{}, Denials: noAggregates{}}))
		time.Sleep(time.Until(day(2, 23)))
		synctest.Wait()
		stop()
		calls := dig.all()
		require.Len(t, calls, 2)
		for _, c := range calls {
			assert.Equal(t, noAggregates{}, c.Denials)
		}
	})
}
