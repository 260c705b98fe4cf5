package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// maxMissedScan bounds how many fire times MissedRuns walks, so a
// per-minute job after a year of downtime still answers quickly.
const maxMissedScan = 1_000_000

// Schedule is a job's parsed cron spec read in the job's time zone.
//
// Daylight saving time follows robfig/cron: a fire time that does not exist
// on the day clocks spring forward (02:30 in Europe/Paris on 2026-03-29) is
// skipped, and one that exists twice on the day they fall back (02:30 on
// 2026-10-25) fires twice, an hour apart. Jobs that must run exactly once a
// day should be scheduled outside 01:00–03:00 local time, or in UTC.
type Schedule struct {
	spec cron.Schedule
	loc  *time.Location
}

// secondsParser reads cron specs with a leading seconds field.
var secondsParser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a 5-field cron spec ("0 9 * * 1-5") or a named
// descriptor (@daily, @hourly...) in an IANA time zone ("" is UTC). Specs
// with a TZ= or CRON_TZ= prefix are refused: the zone is the job's
// timezone. The spec is parsed under recover, since robfig/cron panics on
// some malformed input.
func ParseSchedule(spec, timezone string) (Schedule, error) {
	return parseSchedule(spec, timezone, false)
}

// parseSchedule is ParseSchedule, reading a leading seconds field (6
// fields) when seconds is set (Options.Seconds).
func parseSchedule(spec, timezone string, seconds bool) (sched Schedule, err error) {
	fields, names, parse := 5, "minute hour day-of-month month day-of-week", cron.ParseStandard
	if seconds {
		fields, names, parse = 6, "second "+names, secondsParser.Parse
	}
	s := strings.TrimSpace(spec)
	upper := strings.ToUpper(s)
	switch {
	case s == "":
		return Schedule{}, fmt.Errorf("empty cron spec")
	case strings.HasPrefix(upper, "TZ=") || strings.HasPrefix(upper, "CRON_TZ="):
		return Schedule{}, fmt.Errorf("cron spec %q starts with TZ= or CRON_TZ=; set the job's timezone instead", spec)
	case strings.HasPrefix(s, "@") && !namedDescriptor(s):
		return Schedule{}, fmt.Errorf("cron spec %q: only @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly are accepted", spec)
	case !strings.HasPrefix(s, "@") && len(strings.Fields(s)) != fields:
		return Schedule{}, fmt.Errorf("cron spec %q must have %d fields (%s)", spec, fields, names)
	}
	loc := time.UTC
	if timezone != "" {
		if timezone == "Local" {
			return Schedule{}, fmt.Errorf("time zone %q depends on the host; name an IANA zone", timezone)
		}
		if loc, err = time.LoadLocation(timezone); err != nil {
			return Schedule{}, fmt.Errorf("time zone %q: %w", timezone, err)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = Schedule{}, fmt.Errorf("cron spec %q: %v", spec, r)
		}
	}()
	parsed, err := parse(s)
	if err != nil {
		return Schedule{}, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	sched = Schedule{spec: parsed, loc: loc}
	if sched.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return Schedule{}, fmt.Errorf("cron spec %q never fires", spec)
	}
	return sched, nil
}

func namedDescriptor(s string) bool {
	for _, n := range []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"} {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	return false
}

// Next returns the first fire time after t, in the schedule's time zone
// (the zero time when none comes within five years).
func (s Schedule) Next(t time.Time) time.Time {
	if s.spec == nil {
		return time.Time{}
	}
	return s.spec.Next(t.In(s.loc))
}

// Location is the time zone the spec is read in.
func (s Schedule) Location() *time.Location { return s.loc }

// latestFire returns the last fire time at or before t, looking back from
// around (a fire time known to be at or before t, e.g. the run's own).
func (s Schedule) latestFire(around, t time.Time) time.Time {
	fire := around
	for i := 0; i < maxMissedScan; i++ {
		n := s.Next(fire)
		if n.IsZero() || n.After(t) {
			break
		}
		fire = n
	}
	return fire
}

// currentFire is the fire time a run starting at now belongs to: the
// schedule's last fire time at or before now. It is found from the job's
// last recorded fire time when there is one (so a run that cron starts late
// still belongs to its own fire time), else from the minute before now
// (cron wakes a little after the fire time), else it is now itself.
func (s Schedule) currentFire(now, last time.Time) time.Time {
	if !last.IsZero() && !last.After(now) {
		return s.latestFire(last, now)
	}
	if f := s.Next(now.Add(-time.Minute)); !f.IsZero() && !f.After(now) {
		return s.latestFire(f, now)
	}
	return now.In(s.loc).Truncate(time.Second)
}

// MissedRuns lists the schedule's fire times after last and before before:
// the runs that did not happen because the bot was down. At most max are
// returned; total counts them all. A zero last (the job never ran) misses
// nothing.
func MissedRuns(s Schedule, last, before time.Time, max int) (times []time.Time, total int) {
	if last.IsZero() {
		return nil, 0
	}
	t := last
	for i := 0; i < maxMissedScan; i++ {
		t = s.Next(t)
		if t.IsZero() || !t.Before(before) {
			break
		}
		total++
		if len(times) < max {
			times = append(times, t)
		}
	}
	return times, total
}

// MissedNote says which runs were missed, for the next digest, e.g.
// "missed 1 scheduled run at 2026-11-24 09:00 Europe/Paris while the bot was down".
func MissedNote(times []time.Time, total int, loc *time.Location) string {
	if total == 0 || len(times) == 0 {
		return ""
	}
	shown := make([]string, len(times))
	for i, t := range times {
		shown[i] = t.In(loc).Format("2006-01-02 15:04")
	}
	list := shown[0]
	switch {
	case total > len(times):
		list = strings.Join(shown, ", ") + " " + loc.String() + fmt.Sprintf(" and %d more", total-len(times))
	case len(shown) > 1:
		list = strings.Join(shown[:len(shown)-1], ", ") + " and " + shown[len(shown)-1] + " " + loc.String()
	default:
		list += " " + loc.String()
	}
	noun := "run"
	if total > 1 {
		noun = "runs"
	}
	return fmt.Sprintf("missed %d scheduled %s at %s while the bot was down", total, noun, list)
}
