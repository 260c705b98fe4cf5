package commands_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// A digest whose time runs out before every page is read still answers:
// the exact total from the zone overview, the share the breakdown covers,
// "at least" counts, and no change computed against a window read in part.
func TestDigest_PartialWhenTimeRunsOut(t *testing.T) {
	srv := newSim(t, caracaltest.WithSyntheticDenials(100000, 23*time.Hour, 5, 5))
	srv.Inject("api /v1/zones/*/audit", caracaltest.Fault{Latency: time.Second})
	res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "digest", "--since 24h")
	require.NoError(t, err)

	rep, ok := res.Data.(commands.DigestReport)
	require.True(t, ok)
	d := rep.Zones[0].Denials
	require.NotNil(t, d, "a partial read is an answer, never nothing")
	assert.True(t, d.Truncated)
	assert.Greater(t, d.TotalDenyRows, 200000, "the total is exact, from the zone overview")
	assert.Less(t, d.Coverage, 1.0)
	assert.Positive(t, d.DenyRows)

	assert.Contains(t, res.Reply.Summary, "at least")
	assert.Contains(t, res.Reply.Summary, "(partly read)")
	md := chat.Markdown(res.Reply)
	assert.Contains(t, md, "exact, from the zone overview")
	assert.Contains(t, md, "counts are a lower bound")
	assert.Contains(t, md, "no change is computed")
	assert.NotContains(t, md, "(new)", "no change against a window read in part")
}
