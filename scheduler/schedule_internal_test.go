package scheduler

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCurrentFire(t *testing.T) {
	s, err := ParseSchedule("0 9 * * *", "Europe/Paris")
	require.NoError(t, err)
	nine := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC) // 09:00 in Paris
	yesterday := nine.Add(-24 * time.Hour)

	assert.True(t, s.currentFire(nine.Add(40*time.Millisecond), time.Time{}).Equal(nine), "cron woke just after the fire time")
	assert.True(t, s.currentFire(nine.Add(3*time.Hour), yesterday).Equal(nine), "a run cron starts late belongs to its own fire time")
	_, missed := MissedRuns(s, yesterday, s.currentFire(nine.Add(3*time.Hour), yesterday), 5)
	assert.Zero(t, missed, "so it is not reported as missed")
	odd := nine.Add(3*time.Hour + 17*time.Second)
	assert.True(t, s.currentFire(odd, time.Time{}).Equal(odd.Truncate(time.Second)), "no reference: the run's own time")
	assert.True(t, s.latestFire(yesterday, nine.Add(25*time.Hour)).Equal(nine.Add(24*time.Hour)))
}
