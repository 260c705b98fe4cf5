package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// worldDenials counts, straight from the simulator's world, the denied
// requests of a zone in [since, until) and those among them that a policy
// deny with the given diagnostic reason refused.
func worldDenials(w caracaltest.World, zone string, since, until time.Time, reason string) (requests, withReason int) {
	denied, byReason := map[string]bool{}, map[string]bool{}
	for _, r := range w.ZoneByID(zone).Audit {
		t, err := time.Parse(time.RFC3339Nano, r.OccurredAt)
		if err != nil || t.Before(since) || !t.Before(until) || r.Decision == nil || *r.Decision != "deny" {
			continue
		}
		key := "row:" + r.ID
		if r.RequestID != nil && *r.RequestID != "" {
			key = *r.RequestID
		}
		denied[key] = true
		if r.EventType == "token_exchange" && r.EvaluationStatus != nil && *r.EvaluationStatus == "complete" &&
			len(r.DiagnosticsJSON) > 0 && r.DiagnosticsJSON[0]["reason"] == reason {
			byReason[key] = true
		}
	}
	return len(denied), len(byReason)
}

// section returns the reply's section with that title prefix.
func section(t *testing.T, r chat.Reply, title string) chat.Section {
	t.Helper()
	for _, s := range r.Sections {
		if strings.HasPrefix(s.Title, title) {
			return s
		}
	}
	require.Failf(t, "no section", "%q in %v", title, r.Sections)
	return chat.Section{}
}

func tableRow(t *testing.T, tab *chat.Table, first string) []string {
	t.Helper()
	require.NotNil(t, tab)
	for _, row := range tab.Rows {
		if row[0] == first {
			return row
		}
	}
	require.Failf(t, "no row", "%q in %v", first, tab.Rows)
	return nil
}

func TestDigest_DenialsMatchTheSimulatorsAuditTable(t *testing.T) {
	srv := newSim(t)
	res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "digest", "--since 12h")
	require.NoError(t, err)
	rep, ok := res.Data.(commands.DigestReport)
	require.True(t, ok, "data is a DigestReport, got %T", res.Data)

	now := fixedNow()
	w := srv.World()
	cur, curRSM := worldDenials(w, caracaltest.ZoneResearch, now.Add(-12*time.Hour), now, "role_scope_mismatch")
	prev, prevRSM := worldDenials(w, caracaltest.ZoneResearch, now.Add(-24*time.Hour), now.Add(-12*time.Hour), "role_scope_mismatch")
	require.Positive(t, cur)
	require.Positive(t, prev)
	require.Positive(t, curRSM)

	require.Len(t, rep.Zones, 1)
	assert.Equal(t, cur, rep.Zones[0].Denials.Requests)
	assert.Equal(t, prev, rep.Zones[0].Previous.Requests)
	pct := int((float64(cur-prev)*100)/float64(prev) + 0.5)
	assert.Contains(t, res.Reply.Summary, fmt.Sprintf("All ready · %d denials (+%d%%)", cur, pct))
	assert.Equal(t, rep.Headline, res.Reply.Summary)
	assert.False(t, res.Reply.Ephemeral, "the digest is posted for the channel")

	byCause := section(t, res.Reply, "Denials by cause")
	assert.Contains(t, byCause.Text, fmt.Sprintf("%d denied requests in the window; %d in the previous window", cur, prev))
	assert.Equal(t, []string{"role_scope_mismatch", fmt.Sprint(curRSM), fmt.Sprint(prevRSM)}, tableRow(t, byCause.Table, "role_scope_mismatch")[:3])
	for _, row := range byCause.Table.Rows {
		assert.NotEqual(t, "exchange_denied", row[0], "exchange_denied only closes a denial")
	}
	byTarget := section(t, res.Reply, "Denials by application and resource")
	assert.Equal(t, "resource://pipernet", tableRow(t, byTarget.Table, "research-agent")[1])
	section(t, res.Reply, "Readiness")
	section(t, res.Reply, "Approvals and policy propagation")

	require.Len(t, res.Reply.Files, 1, "a chart of denials per hour")
	f := res.Reply.Files[0]
	assert.Equal(t, "image/png", f.ContentType)
	img, err := png.Decode(bytes.NewReader(f.Data))
	require.NoError(t, err)
	assert.Equal(t, 240, img.Bounds().Dx(), "twelve hourly bars fit the minimum width")
}

func TestDigest_CaracalUnreachableSaysWhatIsMissing(t *testing.T) {
	srv := newSim(t, caracaltest.WithScenario("api-unreachable"))
	res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "digest", "")
	require.NoError(t, err, "an unreachable Caracal is news for the channel, not a command error")
	assert.False(t, res.OK)
	assert.Equal(t, chat.SeverityOutage, res.Reply.Severity)
	assert.True(t, strings.HasPrefix(res.Reply.Summary, "Admin API not ready · denials unknown"), res.Reply.Summary)
	assert.Contains(t, res.Reply.Summary, "incomplete")
	missing := section(t, res.Reply, "Missing evidence")
	var lines []string
	for _, it := range missing.Items {
		lines = append(lines, it.Text)
	}
	assert.Contains(t, strings.Join(lines, "\n"), "denials in zone "+caracaltest.ZoneResearch+": unreachable")
	assert.Empty(t, res.Reply.Files, "no chart without data")
}

type fakeHealth struct{ r commands.BotHealthReport }

func (f fakeHealth) BotHealth() commands.BotHealthReport { return f.r }

// digestRegistry is newRegistry with the bot's health wired in.
func digestRegistry(srv *caracaltest.Server, h commands.BotHealth) *commands.Registry {
	client := caracal.New(caracal.Config{
		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken, CallTimeout: 2 * time.Second,
	})
	return commands.New(commands.Env{Caracal: client, DefaultZone: caracaltest.ZoneResearch, Timeout: 5 * time.Second,
		CallTimeout: 2 * time.Second, Now: fixedNow, BotHealth: h})
}

func TestDigest_BotHealthAndNotes(t *testing.T) {
	srv := newSim(t)
	health := fakeHealth{commands.BotHealthReport{Started: fixedNow().Add(-50 * time.Hour), Reconnects: 2, FailedDeliveries: 1,
		Commands: map[string]int{"why": 12, "status": 3}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	note := "missed 1 scheduled run at 2026-08-22 09:00 Europe/Paris while the bot was down"
	res, err := digestRegistry(srv, health).Digest(ctx, commands.DigestOptions{Notes: []string{note}})
	require.NoError(t, err)
	assert.Equal(t, "Missed runs", res.Reply.Sections[0].Title, "the scheduler's notes come first")
	assert.Equal(t, note, res.Reply.Sections[0].Items[0].Text)
	assert.Contains(t, res.Reply.Summary, "missed runs")
	bot := section(t, res.Reply, "caracal-bot")
	var lines []string
	for _, it := range bot.Items {
		lines = append(lines, it.Text)
	}
	assert.Equal(t, []string{"Uptime: 2d2h", "Chat reconnects: 2", "Failed deliveries: 1", "Commands run: status 3, why 12"}, lines)

	res, err = commandstest.Registry(srv, caracaltest.DefaultAdminToken).Digest(ctx, commands.DigestOptions{})
	require.NoError(t, err)
	for _, s := range res.Reply.Sections {
		assert.NotEqual(t, "caracal-bot", s.Title, "no BotHealth, no section")
	}
}

func TestDigest_Flags(t *testing.T) {
	srv := newSim(t)
	reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)
	res, err := run(t, reg, "digest", "--post --zone "+caracaltest.ZoneStaging+" --since 2d")
	require.NoError(t, err)
	rep := res.Data.(commands.DigestReport)
	assert.True(t, rep.Post, "--post is reported to the caller, which delivers to the digest channels")
	assert.Equal(t, caracaltest.ZoneStaging, rep.Zones[0].ZoneID)
	assert.Equal(t, "48h0m0s", rep.Window)

	for _, tc := range []struct{ text, want string }{
		{"now", "digest takes only flags"},
		{"--since 8d", "--since must be a duration like 30m, 24h or 7d (at most 168h0m0s)"},
		{"--zone a/b", "--zone must be a Caracal zone id"},
		{"--post=yes", "--post takes no value"},
	} {
		_, err := run(t, reg, "digest", tc.text)
		require.Error(t, err, tc.text)
		assert.Equal(t, 2, commands.ExitCode(err), tc.text)
		assert.Contains(t, err.Error(), tc.want)
	}
	c, ok := reg.Lookup("digest")
	require.True(t, ok)
	assert.Contains(t, c.Help(), "--post")
	_, err = reg.Digest(context.Background(), commands.DigestOptions{Since: -time.Hour})
	assert.Error(t, err)
}
