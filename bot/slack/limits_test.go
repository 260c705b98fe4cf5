package slack

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// deliveryPath is one way a reply reaches Slack, through the real Poster
// to a fresh fake Slack.
type deliveryPath struct {
	name string
	run  func(t *testing.T, r chat.Reply) *slackfake.Server
}

// deliveryPaths: in the channel (root, thread and files, then a Re-run
// that replaces the root with chat.update and posts a new thread), through
// the response_url when the bot is not in the channel, and ephemerally;
// the reply's own Ephemeral flag is set for each.
var deliveryPaths = []deliveryPath{
	{"channel, thread and Re-run", func(t *testing.T, r chat.Reply) *slackfake.Server {
		e := newPosterEnv(t)
		r.Ephemeral = false
		require.NoError(t, e.deliver(t, inChannel(), r))
		rootTS := e.srv.Roots(posterChannel)[0].TS
		require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser, UpdateTS: rootTS, ThreadTS: rootTS}, r))
		require.Len(t, e.srv.Updates(), 1)
		return e.srv
	}},
	{"response_url fallback", func(t *testing.T, r chat.Reply) *slackfake.Server {
		e := newPosterEnv(t, slackfake.WithChannel(slackfake.Channel{ID: posterChannel, NotMember: true}))
		r.Ephemeral = false
		require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser, ResponseURL: e.srv.ResponseURL("cmd")}, r))
		require.Len(t, e.srv.ResponseURLPosts(), 2, "the answer, then the invite hint")
		return e.srv
	}},
	{"ephemeral", func(t *testing.T, r chat.Reply) *slackfake.Server {
		e := newPosterEnv(t)
		r.Ephemeral = true
		require.NoError(t, e.deliver(t, inChannel(), r))
		require.Len(t, e.srv.Ephemerals(), 1)
		return e.srv
	}},
}

// sentWithinLimits asserts that the fake accepted every message sent and
// that each is within every limit; it returns the largest figures of them.
func sentWithinLimits(t *testing.T, srv *slackfake.Server) (largest blockkit.Stats, messages int) {
	t.Helper()
	for i, req := range srv.Requests() {
		assert.Empty(t, req.Refused, "message %d (%s) refused: %s", i, req.Method, req.Problem)
		stats, err := blockkit.Check(req.Text, req.Blocks.BlockSet)
		assert.NoError(t, err, "message %d (%s)", i, req.Method)
		largest = maxStats(largest, stats)
		messages++
	}
	return largest, messages
}

// maxStats is the larger of each figure of a and b.
func maxStats(a, b blockkit.Stats) blockkit.Stats {
	return blockkit.Stats{Text: max(a.Text, b.Text), Blocks: max(a.Blocks, b.Blocks), Fallback: max(a.Fallback, b.Fallback),
		LargestSection: max(a.LargestSection, b.LargestSection), MostFields: max(a.MostFields, b.MostFields),
		LargestField: max(a.LargestField, b.LargestField), MostContext: max(a.MostContext, b.MostContext),
		LargestContext: max(a.LargestContext, b.LargestContext), LargestHeader: max(a.LargestHeader, b.LargestHeader),
		MostActions: max(a.MostActions, b.MostActions), LargestButton: max(a.LargestButton, b.LargestButton),
		LargestValue: max(a.LargestValue, b.LargestValue), LargestActionID: max(a.LargestActionID, b.LargestActionID),
		LargestBlockID: max(a.LargestBlockID, b.LargestBlockID)}
}

// TestDeliver_GoldenRepliesWithinLimits delivers every reply of the golden
// files every way a reply reaches Slack; the fake refuses a message beyond
// a limit, and each one sent is checked again here.
func TestDeliver_GoldenRepliesWithinLimits(t *testing.T) {
	replies := map[string]chat.Reply{}
	for _, s := range chattest.Samples() {
		replies[s.Name] = s.Reply
	}
	for _, tc := range []struct{ name, command, scenario string }{
		{"why-deny-no-grant", "why", "deny-no-grant"}, {"why-allowed", "why", "allowed"},
		{"why-sts-redis-down", "why", "sts-redis-down"}, {"status", "status", ""}, {"trace", "trace", "deny-no-grant"},
	} {
		replies[tc.name] = commandstest.ScenarioReply(t, "slack", tc.command, tc.scenario)
	}
	replies["markup"] = markupReply()
	for name, r := range replies {
		for _, p := range deliveryPaths {
			t.Run(name+"/"+p.name, func(t *testing.T) {
				_, n := sentWithinLimits(t, p.run(t, r))
				assert.Positive(t, n)
			})
		}
	}
}

// TestDeliver_LargestRepliesWithinLimits delivers the largest replies the
// router produces (commandstest.LargestReplies: a 128-character request
// ID, 200-character names, 40 scopes, 50 audit rows) every way a reply
// reaches Slack, checks every message sent, and keeps the largest figures
// in docs/BENCHMARKS.md (rewritten with -update; `go test -v -run
// LargestReplies ./bot/slack/` prints them).
func TestDeliver_LargestRepliesWithinLimits(t *testing.T) {
	largest := commandstest.LargestReplies(t, "slack")
	var table strings.Builder
	table.WriteString("| reply | delivered | messages sent | text of the largest / 11,000 | blocks / 50 | section / 3,000 | field / 2,000 | context / 2,000 | button value / 2,000 | top-level text / 3,000 |\n")
	table.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, name := range []string{"why", "why-missing-evidence", "trace"} {
		r, ok := largest[name]
		require.True(t, ok, name)
		for _, p := range deliveryPaths {
			var s blockkit.Stats
			var n int
			t.Run(name+"/"+p.name, func(t *testing.T) { s, n = sentWithinLimits(t, p.run(t, r)) })
			fmt.Fprintf(&table, "| %s | %s | %d | %s | %d | %s | %s | %s | %s | %s |\n", name, p.name, n,
				thousands(s.Text), s.Blocks, thousands(s.LargestSection), thousands(s.LargestField), thousands(s.LargestContext),
				thousands(s.LargestValue), thousands(s.Fallback))
		}
	}
	t.Log("\n" + table.String())
	golden.Section(t, "../../docs/BENCHMARKS.md", "<!-- slack-largest:begin (generated) -->", "<!-- slack-largest:end -->", []byte(table.String()))
}

// thousands writes n with a comma between thousands: 11,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + "," + s[len(s)-3:]
}
