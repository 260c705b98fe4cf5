package scheduler_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// The real digest command against the simulator: a healthy morning, then a
// morning with the Admin API down, which the channel hears about too.
func TestScheduledDigestAgainstTheSimulator(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := caracaltest.New()
		reg := commands.New(commands.Env{Caracal: simClient(sim), DefaultZone: caracaltest.ZoneResearch,
			Timeout: 20 * time.Second, CallTimeout: 2 * time.Second})
		poster := &fakePoster{}
		job := morningJob()
		job.Zones = nil // the default zone
		stop := start(t, newScheduler(t, scheduler.Options{Jobs: []scheduler.Job{job}, Digester: reg, Poster: poster}))
		time.Sleep(time.Until(day(1, 12)))
		synctest.Wait()
		require.NoError(t, sim.UseScenario("api-unreachable"))
		time.Sleep(time.Until(day(2, 12)))
		synctest.Wait()
		stop()

		posts := poster.all()
		require.Len(t, posts, 2)
		healthy, down := posts[0].Reply, posts[1].Reply
		assert.True(t, strings.HasPrefix(healthy.Summary, "All ready · "), healthy.Summary)
		assert.Contains(t, healthy.Summary, " denials (")
		assert.NotEqual(t, chat.SeverityOutage, healthy.Severity)
		assert.True(t, strings.HasPrefix(down.Summary, "Admin API not ready · denials unknown"), down.Summary)
		assert.Equal(t, chat.SeverityOutage, down.Severity)
		var missing []string
		for _, s := range down.Sections {
			if s.Title == "Missing evidence" {
				for _, it := range s.Items {
					missing = append(missing, it.Text)
				}
			}
		}
		assert.Contains(t, strings.Join(missing, "\n"), "denials in zone "+caracaltest.ZoneResearch)
	})
}
