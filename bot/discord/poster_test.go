package discord

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/chat/chattest"
)

func TestDeliver_DeferredThenRootAndThreadInOrder(t *testing.T) {
	e := newPosterEnv(t)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	require.NoError(t, e.deliver(t, target, chattest.Deny()))

	root, ok := e.srv.Original(target.InteractionToken)
	require.True(t, ok)
	assert.False(t, root.Deferred, "the thinking message was replaced")
	require.Len(t, root.Embeds, 1)
	assert.Equal(t, ColorError, root.Embeds[0].Color)
	assert.Contains(t, root.Embeds[0].Description, "application billing\\-bot is not granted")
	assert.Equal(t, "why.rerun|"+denyRequestID, root.Buttons()[2].CustomID)

	info, ok := e.srv.ThreadInfo(root.ID)
	require.True(t, ok, "a thread was started on the root")
	assert.Equal(t, "why "+denyRequestID, info.Name)
	assert.Equal(t, ThreadArchiveMinutes, info.AutoArchiveDuration)
	assert.Equal(t, posterChannel, info.ParentID)

	thread := e.srv.Thread(root.ID)
	require.Len(t, thread, 4)
	for i, title := range []string{"**Evidence**", "**Steps**", "**Next actions**", "**Missing evidence**"} {
		assert.True(t, strings.HasPrefix(thread[i].Content, title), "message %d: %s", i, thread[i].Content)
	}
	assert.Len(t, e.srv.Messages(posterChannel), 1, "only the root in the channel")
	assertNoMentions(t, append(thread, root)...)
	assert.Empty(t, e.clock.Sleeps())
	assert.Equal(t, 0.0, counter(t, e.metrics.Undelivered, "discord"))
}

func TestDeliver_FilesAttachedInTheThread(t *testing.T) {
	e := newPosterEnv(t)
	root := e.rootOf(t, chattest.Outage())
	thread := e.srv.Thread(root.ID)
	require.Len(t, thread, 3)
	last := thread[2]
	require.Len(t, last.Files, 1)
	assert.Equal(t, "caracal-bundle-01a21f00.zip", last.Files[0].Name)
	assert.Equal(t, "application/zip", last.Files[0].ContentType)
	assert.Len(t, last.Files[0].Data, 12_634)
	assertNoMentions(t, last)
}

func TestDeliver_EphemeralReplacesTheDeferredOriginal(t *testing.T) {
	e := newPosterEnv(t)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	require.NoError(t, e.deliver(t, target, chattest.EphemeralError()))

	_, ok := e.srv.Original(target.InteractionToken)
	assert.False(t, ok, "the deferred original is deleted")
	assert.Equal(t, 1, e.srv.Calls(discordfake.RouteDeleteOriginal))
	followups := e.srv.Followups(target.InteractionToken)
	require.Len(t, followups, 1)
	assert.True(t, followups[0].Ephemeral)
	assert.Equal(t, int(discordgo.MessageFlagsEphemeral), followups[0].Flags)
	assert.Equal(t, EphemeralNote, followups[0].Embeds[0].Footer.Text)
	assert.Contains(t, followups[0].Embeds[0].Description, "has a space at position 4")
	assert.Empty(t, e.srv.Messages(posterChannel), "nothing visible in the channel")
	assertNoMentions(t, followups...)
}

func TestDeliver_EphemeralFromAButtonKeepsTheRoot(t *testing.T) {
	e := newPosterEnv(t)
	root := e.rootOf(t, chattest.Deny())
	target := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	target.MessageID, target.Replace = root.ID, true
	require.NoError(t, e.deliver(t, target, chattest.EphemeralError()))

	_, ok := e.srv.Message(root.ID)
	assert.True(t, ok, "@original of a button is the root: not deleted")
	assert.Equal(t, 0, e.srv.Calls(discordfake.RouteDeleteOriginal))
	require.Len(t, e.srv.Followups(target.InteractionToken), 1)
	assert.True(t, e.srv.Followups(target.InteractionToken)[0].Ephemeral)
}

func TestEphemeral_OnlyAFollowup(t *testing.T) {
	e := newPosterEnv(t)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	require.NoError(t, e.poster.Ephemeral(context.Background(), target, chat.Reply{Summary: "queued", Severity: chat.SeverityInfo}))
	_, ok := e.srv.Original(target.InteractionToken)
	assert.True(t, ok, "Ephemeral does not touch @original")
	f := e.srv.Followups(target.InteractionToken)
	require.Len(t, f, 1)
	assert.True(t, f[0].Ephemeral)
}

func TestDeliver_RerunEditsTheRootAndPostsIntoItsThread(t *testing.T) {
	e := newPosterEnv(t)
	root := e.rootOf(t, chattest.Deny())

	target := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	target.MessageID, target.Replace = root.ID, true
	require.NoError(t, e.deliver(t, target, chattest.Allow()))

	edited, ok := e.srv.Message(root.ID)
	require.True(t, ok)
	assert.Equal(t, 1, e.srv.Calls(discordfake.RouteEditMessage))
	assert.Equal(t, ColorOK, edited.Embeds[0].Color)
	assert.Contains(t, edited.Embeds[0].Description, "request was allowed")
	assert.Equal(t, "why.rerun|0190f5c2-7b1e-7c3a-9d4e-2f6a8b1c3d5e", edited.Buttons()[2].CustomID)
	assert.Len(t, e.srv.Messages(posterChannel), 1, "the root is replaced, not duplicated")
	thread := e.srv.Thread(root.ID)
	require.Len(t, thread, 5, "the first run's four sections, then the re-run's one")
	assert.Contains(t, thread[4].Content, "Every check passed.")
	assertNoMentions(t, append(thread, edited)...)
	assert.Equal(t, 1, e.srv.Calls(discordfake.RouteStartThread), "the existing thread is reused")
}

func TestDeliver_RerunStartsAMissingThread(t *testing.T) {
	e := newPosterEnv(t)
	old := e.seed(t, Message{Content: "an old root without a thread"})

	target := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	target.MessageID, target.Replace = old.ID, true
	require.NoError(t, e.deliver(t, target, chattest.Deny()))

	_, ok := e.srv.ThreadInfo(old.ID)
	assert.True(t, ok, "the thread was started after Discord said unknown channel")
	assert.Len(t, e.srv.Thread(old.ID), 4)
	assert.Equal(t, 0.0, counter(t, e.metrics.Undelivered, "discord"))
}

func TestDeliver_RerunOfADeletedRootPostsANewOne(t *testing.T) {
	e := newPosterEnv(t)
	target := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	target.MessageID, target.Replace = "1299999999999999999", true
	require.NoError(t, e.deliver(t, target, chattest.Allow()))

	f := e.srv.Followups(target.InteractionToken)
	require.Len(t, f, 1, "the new root is a visible followup")
	assert.False(t, f[0].Ephemeral)
	assert.Len(t, e.srv.Thread(f[0].ID), 1)
	assert.Equal(t, 0.0, counter(t, e.metrics.Undelivered, "discord"))
}

func TestDeliver_ShowTracePostsIntoTheThread(t *testing.T) {
	e := newPosterEnv(t)
	root := e.rootOf(t, chattest.Deny())

	target := e.interaction(t, discordgo.InteractionResponseDeferredMessageUpdate)
	target.MessageID = root.ID
	require.NoError(t, e.deliver(t, target, chattest.Trace()))

	assert.Len(t, e.srv.Messages(posterChannel), 1, "no new root in the channel")
	assert.Equal(t, 0, e.srv.Calls(discordfake.RouteEditMessage))
	thread := e.srv.Thread(root.ID)
	require.Len(t, thread, 6)
	assert.Contains(t, thread[4].Embeds[0].Description, "trace of 01a028c5")
	assert.Empty(t, thread[4].Buttons(), "no buttons inside the thread")
	assert.Contains(t, thread[5].Content, "```\nTime")
	assertNoMentions(t, thread...)
}

func TestDeliver_NoThreadAccessFallsBackToFollowups(t *testing.T) {
	e := newPosterEnv(t)
	e.srv.FailCode(discordfake.RouteStartThread, posterChannel, 403, discordfake.CodeMissingPermissions, 0)
	target := e.interaction(t, discordgo.InteractionResponseDeferredChannelMessageWithSource)
	require.NoError(t, e.deliver(t, target, chattest.Deny()))

	f := e.srv.Followups(target.InteractionToken)
	require.Len(t, f, 4, "the thread's sections follow the root in the channel")
	assert.True(t, strings.HasPrefix(f[1].Content, "**Steps**"))
	assert.Len(t, e.srv.Messages(posterChannel), 5)
	assert.Equal(t, 0.0, counter(t, e.metrics.Undelivered, "discord"))
	assert.Equal(t, 1.0, counter(t, e.metrics.PlatformErrors, "discord", methodStartThread))
	assertNoMentions(t, f...)
}

func TestDeliver_WithoutInteractionPostsInTheChannel(t *testing.T) {
	e := newPosterEnv(t)
	require.NoError(t, e.deliver(t, Target{ChannelID: posterChannel, UserID: posterUser}, chattest.Allow()))
	msgs := e.srv.Messages(posterChannel)
	require.Len(t, msgs, 1)
	assert.Len(t, e.srv.Thread(msgs[0].ID), 1)

	err := e.deliver(t, Target{ChannelID: posterChannel}, chattest.EphemeralError())
	require.ErrorContains(t, err, "no interaction to answer")
}

func TestDeliver_LongContentSplitAndHugeTableAttached(t *testing.T) {
	e := newPosterEnv(t)
	var items []chat.Item
	for i := range 100 {
		items = append(items, chat.Item{Mark: chat.MarkWarn, Text: strings.Repeat("long step text ", 4) + strings.Repeat("x", i)})
	}
	table := &chat.Table{Header: []string{"Time", "Event"}}
	for range 600 {
		table.Rows = append(table.Rows, []string{"13:02:11.204", "token_exchange"})
	}
	r := chat.Reply{Summary: "big", Severity: chat.SeverityWarning, Fields: []chat.Field{{Label: "Request ID", Value: "r1"}},
		Sections: []chat.Section{{Title: "Steps", Items: items}, {Title: "Request trace", Table: table}}}
	root := e.rootOf(t, r)

	thread := e.srv.Thread(root.ID)
	require.Greater(t, len(thread), 3)
	for _, m := range thread[:len(thread)-1] {
		assert.LessOrEqual(t, len([]rune(m.Content)), 2000)
		assert.Empty(t, m.Files)
	}
	last := thread[len(thread)-1]
	require.Len(t, last.Files, 1)
	assert.Equal(t, "request-trace.txt", last.Files[0].Name)
	assert.Equal(t, 601, strings.Count(string(last.Files[0].Data), "\n")-2)
	assertNoMentions(t, thread...)
}

// Ten files with 200-character names once made 2,089 characters of
// content: the list now names the first files and how many more there are.
func TestDeliver_ManyFilesListedWithinTheContentLimit(t *testing.T) {
	e := newPosterEnv(t)
	var files []chat.File
	for i := range 12 {
		files = append(files, chat.File{Name: fmt.Sprintf("%02d-", i) + strings.Repeat("evidence_", 22)[:197], Data: []byte("x")})
	}
	root := e.rootOf(t, chat.Reply{Summary: "files", Files: files})
	thread := e.srv.Thread(root.ID)
	require.Len(t, thread, 2, "ten files, then two")
	assert.Len(t, thread[0].Files, 10)
	assert.LessOrEqual(t, len([]rune(thread[0].Content)), 2000)
	assert.Regexp(t, `\n… and \d more$`, thread[0].Content)
	assert.True(t, strings.HasPrefix(thread[0].Content, "📎 00\\-evidence\\_"), thread[0].Content)
	assert.Len(t, thread[1].Files, 2)
	assert.Empty(t, e.srv.Violations())
}
