package scheduler_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/scheduler"
)

// nextN returns the first n fire times after from, in RFC 3339 with the
// zone's offset.
func nextN(t *testing.T, spec, tz string, from time.Time, n int) []string {
	t.Helper()
	s, err := scheduler.ParseSchedule(spec, tz)
	require.NoError(t, err)
	var out []string
	for i := 0; i < n; i++ {
		from = s.Next(from)
		out = append(out, from.Format(time.RFC3339))
	}
	return out
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestScheduleNext pins fire times across time zones and both DST
// transitions. robfig/cron skips a local time that does not exist (02:30 on
// the spring-forward day) and fires twice at one that exists twice (02:30 on
// the fall-back day, an hour apart); jobs outside 01:00–03:00 are unaffected.
func TestScheduleNext(t *testing.T) {
	tests := []struct {
		name, spec, tz, from string
		want                 []string
	}{
		{"UTC by default", "0 9 * * *", "", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T09:00:00Z", "2026-03-29T09:00:00Z"}},
		{"Paris 09:00 across spring-forward keeps local time", "0 9 * * *", "Europe/Paris", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-03-30T09:00:00+02:00"}},
		{"Paris 02:30 is skipped on 2026-03-29 (spring-forward)", "30 2 * * *", "Europe/Paris", "2026-03-27T12:00:00Z",
			[]string{"2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"}},
		{"Paris 02:30 runs twice on 2026-10-25 (fall-back)", "30 2 * * *", "Europe/Paris", "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-26T02:30:00+01:00"}},
		{"Paris 09:00 across fall-back keeps local time", "0 9 * * *", "Europe/Paris", "2026-10-24T00:00:00Z",
			[]string{"2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-10-26T09:00:00+01:00"}},
		{"Paris hourly repeats 02:00 on fall-back", "0 * * * *", "Europe/Paris", "2026-10-24T23:30:00Z",
			[]string{"2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"}},
		{"New York 02:30 is skipped on 2026-03-08 (spring-forward)", "30 2 * * *", "America/New_York", "2026-03-07T00:00:00Z",
			[]string{"2026-03-07T02:30:00-05:00", "2026-03-09T02:30:00-04:00"}},
		{"New York 01:30 runs twice on 2026-11-01 (fall-back)", "30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z",
			[]string{"2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00"}},
		{"New York weekdays skip the weekend", "0 9 * * 1-5", "America/New_York", "2026-03-06T15:00:00Z",
			[]string{"2026-03-09T09:00:00-04:00", "2026-03-10T09:00:00-04:00"}},
		{"Kolkata has a half-hour offset and no DST", "0 9 * * *", "Asia/Kolkata", "2026-03-28T00:00:00Z",
			[]string{"2026-03-28T09:00:00+05:30", "2026-03-29T09:00:00+05:30"}},
		{"descriptors read in the zone", "@daily", "Europe/Paris", "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, nextN(t, tc.spec, tc.tz, utc(tc.from), len(tc.want)))
		})
	}
}

func TestParseScheduleRefusals(t *testing.T) {
	tests := []struct{ spec, tz, want string }{
		{"CRON_TZ=Europe/Paris 0 9 * * *", "", "starts with TZ= or CRON_TZ=; set the job's timezone instead"},
		{"TZ=UTC 0 9 * * *", "", "starts with TZ= or CRON_TZ="},
		{"CRON_TZ=UTC", "", "starts with TZ= or CRON_TZ="}, // robfig/cron itself panics on this one
		{"every morning", "", "must have 5 fields"},
		{"0 0 9 * * *", "", "must have 5 fields"},
		{"61 9 * * *", "", "above maximum (59)"},
		{"@every 5m", "", "only @yearly"},
		{"0 9 30 2 *", "", "never fires"},
		{"", "", "empty cron spec"},
		{"0 9 * * *", "Mars/Olympus", `time zone "Mars/Olympus"`},
		{"0 9 * * *", "Local", "depends on the host"},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.tz, func(t *testing.T) {
			require.NotPanics(t, func() {
				_, err := scheduler.ParseSchedule(tc.spec, tc.tz)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
			})
		})
	}
}

func TestMissedRuns(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	daily, err := scheduler.ParseSchedule("0 9 * * *", "Europe/Paris")
	require.NoError(t, err)
	at := func(day int) time.Time { return time.Date(2026, 11, day, 9, 0, 0, 0, paris) }

	times, total := scheduler.MissedRuns(daily, at(23), at(25), 5)
	assert.Equal(t, 1, total)
	assert.Equal(t, "missed 1 scheduled run at 2026-11-24 09:00 Europe/Paris while the bot was down",
		scheduler.MissedNote(times, total, paris))

	times, total = scheduler.MissedRuns(daily, at(21), at(25), 5)
	assert.Equal(t, "missed 3 scheduled runs at 2026-11-22 09:00, 2026-11-23 09:00 and 2026-11-24 09:00 Europe/Paris while the bot was down",
		scheduler.MissedNote(times, total, paris))

	times, total = scheduler.MissedRuns(daily, at(1), at(25), 2)
	assert.Len(t, times, 2)
	assert.Equal(t, "missed 23 scheduled runs at 2026-11-02 09:00, 2026-11-03 09:00 Europe/Paris and 21 more while the bot was down",
		scheduler.MissedNote(times, total, paris))

	_, total = scheduler.MissedRuns(daily, at(24), at(25), 5)
	assert.Zero(t, total, "the previous run was the last one expected")
	_, total = scheduler.MissedRuns(daily, time.Time{}, at(25), 5)
	assert.Zero(t, total, "a job that never ran missed nothing")
	assert.Empty(t, scheduler.MissedNote(nil, 0, paris))

	night, err := scheduler.ParseSchedule("30 2 * * *", "Europe/Paris")
	require.NoError(t, err)
	times, total = scheduler.MissedRuns(night, time.Date(2026, 10, 24, 2, 30, 0, 0, paris), time.Date(2026, 10, 26, 2, 30, 0, 0, paris), 5)
	assert.Equal(t, 2, total, "02:30 happens twice on the fall-back day, so two runs were missed")
	assert.Equal(t, []string{"2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"},
		[]string{times[0].Format(time.RFC3339), times[1].Format(time.RFC3339)})
}
