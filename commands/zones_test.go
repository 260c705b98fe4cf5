package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

// Channels of the zone tests: one bound to Research, one to both zones,
// one bound to Staging only, and one not listed.
const (
	chanResearch = "C0RESEARCH"
	chanBoth     = "C0BOTH"
	chanStaging  = "C0STAGING"
	chanUnlisted = "C0UNLISTED"
)

// stagingMarks are what Staging's data looks like in a reply: its id, its
// name, its application and its policy set.
var stagingMarks = []string{caracaltest.ZoneStaging, "Staging", "support-agent", "staging-access"}

// boundRegistry runs the commands against srv with the channels above
// bound, and tickets filed to a webhook receiver.
func boundRegistry(t *testing.T, srv *caracaltest.Server) *commands.Registry {
	t.Helper()
	hook := ticketstest.StartWebhook(t, whSecret)
	env := commandstest.Env(srv, caracaltest.DefaultAdminToken)
	env.Tickets = newTicketService(t, tickets.NewWebhook(tickets.WebhookConfig{URL: hook.URL, Secret: whSecret}, noWait()))
	env.ZonesForChannel = func(channel string) ([]string, bool) {
		switch channel {
		case chanResearch:
			return []string{caracaltest.ZoneResearch}, true
		case chanBoth:
			return []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}, true
		case chanStaging:
			return []string{caracaltest.ZoneStaging}, true
		}
		return nil, false
	}
	return commands.New(env)
}

// runIn runs a command typed in channel.
func runIn(t *testing.T, reg *commands.Registry, channel, command, text string) (commands.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return reg.Run(ctx, chat.Invocation{Platform: "slack", Command: command, Text: text, UserID: "U0ONCALL", ChannelID: channel})
}

// zoneRequests lists the simulator's requests whose path or query names zone.
func zoneRequests(srv *caracaltest.Server, zone string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path+"?"+r.Query, zone) {
			out = append(out, r.Path)
		}
	}
	return out
}

// replyText is everything a reply shows.
func replyText(r chat.Reply) string { return chat.Markdown(r) }

func TestBoundChannelRefusesAnotherZoneBeforeReadingIt(t *testing.T) {
	sc, ok := caracaltest.ScenarioByName("wrong-zone") // lives in Staging
	require.True(t, ok)
	for _, tc := range []struct{ command, text string }{
		{"why", sc.ID}, {"trace", sc.ID}, {"audit", ""}, {"doctor", ""},
		{"digest", ""}, {"bundle", sc.ID}, {"ticket", sc.ID},
	} {
		t.Run(tc.command, func(t *testing.T) {
			srv := newSim(t)
			reg := boundRegistry(t, srv)
			refusal := func(zone string) string {
				t.Helper()
				_, err := runIn(t, reg, chanResearch, tc.command, strings.TrimSpace(tc.text+" --zone "+zone))
				var usage *commands.UsageError
				require.True(t, errors.As(err, &usage), "a refusal, got %v", err)
				reply := commands.ErrorReply(err)
				assert.True(t, reply.Ephemeral, "only the user who asked sees it")
				return reply.Summary
			}
			got := refusal(caracaltest.ZoneStaging)
			assert.Contains(t, got, "this channel may read only zone(s) "+caracaltest.ZoneResearch)
			for _, mark := range stagingMarks[1:] {
				assert.NotContains(t, got, mark, "no data of the other zone")
			}
			assert.Empty(t, srv.Requests(), "nothing is read from Caracal")
			assert.Equal(t, got, strings.ReplaceAll(refusal("zone-that-does-not-exist"), "zone-that-does-not-exist", caracaltest.ZoneStaging),
				"an existing and a missing zone are refused in the same words")
		})
	}
}

func TestBoundChannelWhyDoesNotRevealARequestInAnotherZone(t *testing.T) {
	sc, ok := caracaltest.ScenarioByName("wrong-zone") // asked in Research, lives in Staging
	require.True(t, ok)
	srv := newSim(t)
	reg := boundRegistry(t, srv)

	res, err := runIn(t, reg, chanResearch, "why", sc.ID)
	require.NoError(t, err)
	d := res.Data.(diagnose.Diagnosis)
	assert.Equal(t, caracaltest.ZoneResearch, d.ZoneID)
	assert.Equal(t, "unknown", d.Decision, "reads as not found")
	text := replyText(res.Reply)
	assert.Contains(t, text, "no audit rows for this ID in "+caracaltest.ZoneResearch)
	assert.Contains(t, text, "the search was limited to the zones this channel may read: "+caracaltest.ZoneResearch)
	for _, mark := range stagingMarks {
		assert.NotContains(t, text, mark)
	}
	assert.Empty(t, zoneRequests(srv, caracaltest.ZoneStaging), "nothing is read from the other zone")
	for _, b := range res.Reply.Buttons {
		assert.Equal(t, sc.ID+" --zone "+caracaltest.ZoneResearch, b.Value, "the buttons stay in the channel's zone")
	}

	// The same question from a channel that may read both zones, or from
	// one that is not listed, finds the request in Staging as before.
	for _, channel := range []string{chanBoth, chanUnlisted} {
		res, err = runIn(t, reg, channel, "why", sc.ID)
		require.NoError(t, err)
		d = res.Data.(diagnose.Diagnosis)
		assert.Equal(t, caracaltest.ZoneStaging, d.ZoneID, channel)
		assert.Equal(t, sc.Cause, d.Cause, channel)
	}
}

func TestBoundChannelBundleAndTicketStayInItsZones(t *testing.T) {
	sc, ok := caracaltest.ScenarioByName("wrong-zone")
	require.True(t, ok)
	srv := newSim(t)
	reg := boundRegistry(t, srv)
	for _, command := range []string{"bundle", "ticket"} {
		res, err := runIn(t, reg, chanResearch, command, sc.ID)
		require.NoError(t, err, command)
		assert.Contains(t, replyText(res.Reply), caracaltest.ZoneResearch, command)
		for _, mark := range stagingMarks {
			assert.NotContains(t, replyText(res.Reply), mark, command)
		}
	}
	assert.Empty(t, zoneRequests(srv, caracaltest.ZoneStaging))
}

func TestBoundChannelDefaultsToItsOwnZone(t *testing.T) {
	sc, ok := caracaltest.ScenarioByName("wrong-zone")
	require.True(t, ok)
	srv := newSim(t)
	reg := boundRegistry(t, srv) // the bot's default zone is Research

	res, err := runIn(t, reg, chanStaging, "trace", sc.ID)
	require.NoError(t, err)
	assert.Contains(t, replyText(res.Reply), caracaltest.ZoneStaging, "the channel's zone, not the bot's default")
	res, err = runIn(t, reg, chanStaging, "audit", "")
	require.NoError(t, err)
	assert.Contains(t, res.Reply.Summary, "in zone "+caracaltest.ZoneStaging)
	assert.Empty(t, zoneRequests(srv, caracaltest.ZoneResearch), "the bot's default zone is not read either")

	// A zone the channel may read is fine with --zone.
	res, err = runIn(t, reg, chanBoth, "audit", "--zone "+caracaltest.ZoneStaging)
	require.NoError(t, err)
	assert.Contains(t, res.Reply.Summary, "in zone "+caracaltest.ZoneStaging)
}

func TestBoundChannelDoctorAllZonesCoversItsZones(t *testing.T) {
	srv := newSim(t)
	reg := boundRegistry(t, srv)

	res, err := runIn(t, reg, chanResearch, "doctor", "--all-zones")
	require.NoError(t, err)
	report := res.Data.(doctor.Report)
	assert.Equal(t, []string{caracaltest.ZoneResearch}, report.Context.ZoneIDs)
	assert.Contains(t, res.Reply.Fields, chat.Field{Label: "Scope", Value: "only the zones this channel may read: " + caracaltest.ZoneResearch})
	for _, mark := range stagingMarks {
		assert.NotContains(t, replyText(res.Reply), mark)
	}
	assert.Empty(t, zoneRequests(srv, caracaltest.ZoneStaging))

	res, err = runIn(t, reg, chanUnlisted, "doctor", "--all-zones")
	require.NoError(t, err)
	assert.Contains(t, res.Data.(doctor.Report).Context.ZoneIDs, caracaltest.ZoneStaging, "an unlisted channel checks every zone")
	assert.NotContains(t, replyText(res.Reply), "only the zones this channel may read")
}

func TestBoundChannelDigestCoversItsZones(t *testing.T) {
	srv := newSim(t)
	reg := boundRegistry(t, srv)

	res, err := runIn(t, reg, chanBoth, "digest", "")
	require.NoError(t, err)
	var zones []string
	for _, z := range res.Data.(commands.DigestReport).Zones {
		zones = append(zones, z.ZoneID)
	}
	assert.Equal(t, []string{caracaltest.ZoneResearch, caracaltest.ZoneStaging}, zones, "every zone of the channel")
	assert.Contains(t, res.Reply.Fields, chat.Field{Label: "Scope",
		Value: "only the zones this channel may read: " + caracaltest.ZoneResearch + ", " + caracaltest.ZoneStaging})

	srv.ResetRequests()
	res, err = runIn(t, reg, chanResearch, "digest", "")
	require.NoError(t, err)
	assert.Len(t, res.Data.(commands.DigestReport).Zones, 1)
	assert.Empty(t, zoneRequests(srv, caracaltest.ZoneStaging))
	for _, mark := range stagingMarks {
		assert.NotContains(t, replyText(res.Reply), mark)
	}

	res, err = runIn(t, reg, chanUnlisted, "digest", "")
	require.NoError(t, err)
	assert.Len(t, res.Data.(commands.DigestReport).Zones, 1, "an unlisted channel gets the default zone, as before")
	assert.NotContains(t, replyText(res.Reply), "only the zones this channel may read")
}

func TestBoundChannelMayNotRetryEveryZonesTickets(t *testing.T) {
	srv := newSim(t)
	reg := boundRegistry(t, srv)
	_, err := runIn(t, reg, chanResearch, "ticket", "--retry-spooled")
	var usage *commands.UsageError
	require.True(t, errors.As(err, &usage), "the spool holds every zone's tickets: %v", err)
	assert.Contains(t, err.Error(), "retries the tickets of every zone")

	res, err := runIn(t, reg, chanUnlisted, "ticket", "--retry-spooled")
	require.NoError(t, err)
	assert.Equal(t, "No spooled tickets: every ticket was delivered", res.Reply.Summary)
}
