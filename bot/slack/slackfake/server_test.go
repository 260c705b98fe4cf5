package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
)

const token = "xoxb-test-token"

func TestServer_URLForTheClient(t *testing.T) {
	srv := slackfake.Start(t)
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	assert.True(t, strings.HasSuffix(srv.URL(), "/"))
	res, err := srv.Client(token).AuthTest()
	require.NoError(t, err)
	assert.Equal(t, slackfake.BotUserID, res.UserID)
	assert.Equal(t, slackfake.TeamID, res.TeamID)
	assert.Equal(t, slackfake.BotID, res.BotID)
}

func TestServer_PostThreadUpdateEphemeral(t *testing.T) {
	srv := slackfake.Start(t)
	api := srv.Client(token)
	ctx := context.Background()
	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*root* <x>", false, false), nil, nil))

	ch, rootTS, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("root", false), blocks)
	require.NoError(t, err)
	assert.Equal(t, "C1", ch)
	_, replyTS, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(rootTS))
	require.NoError(t, err)
	assert.Greater(t, replyTS, rootTS, "timestamps increase")
	_, _, _, err = api.UpdateMessageContext(ctx, "C1", rootTS, slack.MsgOptionText("root v2", false))
	require.NoError(t, err)
	_, err = api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("psst", false))
	require.NoError(t, err)

	msgs := srv.Messages("C1")
	require.Len(t, msgs, 2)
	assert.Equal(t, "root v2", msgs[0].Text)
	assert.True(t, msgs[0].Edited)
	assert.Len(t, msgs[0].Blocks.BlockSet, 1)
	assert.Contains(t, msgs[0].BlocksJSON, `"text":"*root* <x>"`, "readable JSON")
	assert.Equal(t, []slackfake.Message{msgs[0]}, srv.Roots("C1"))
	thread := srv.Thread("C1", rootTS)
	require.Len(t, thread, 1)
	assert.Equal(t, "reply", thread[0].Text)
	assert.Equal(t, rootTS, thread[0].ThreadTS)
	require.Len(t, srv.Updates(), 1)
	assert.Equal(t, rootTS, srv.Updates()[0].TS)
	require.Len(t, srv.Ephemerals(), 1)
	assert.Equal(t, "U1", srv.Ephemerals()[0].User)
	assert.Equal(t, 2, srv.Calls("chat.postMessage"))

	_, _, _, err = api.UpdateMessageContext(ctx, "C1", "1.2", slack.MsgOptionText("x", false))
	assert.EqualError(t, err, "message_not_found")
}

func TestServer_RefusesMessagesBeyondTheLimits(t *testing.T) {
	srv := slackfake.Start(t)
	api := srv.Client(token)
	ctx := context.Background()
	section := func(n int) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, strings.Repeat("x", n), false, true), nil, nil)
	}

	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false), slack.MsgOptionBlocks(section(3001)))
	assert.EqualError(t, err, "invalid_blocks")
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false),
		slack.MsgOptionBlocks(section(3000), section(3000), section(3000), section(2001)))
	assert.EqualError(t, err, "msg_blocks_too_long")
	_, rootTS, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false),
		slack.MsgOptionBlocks(section(3000), section(3000), section(3000), section(2000)))
	require.NoError(t, err, "11,000 characters are within the limit")
	_, _, _, err = api.UpdateMessageContext(ctx, "C1", rootTS, slack.MsgOptionText("t", false),
		slack.MsgOptionBlocks(section(3000), section(3000), section(3000), section(2001)))
	assert.EqualError(t, err, "msg_blocks_too_long")
	_, err = api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText(strings.Repeat("t", 3001), false))
	assert.EqualError(t, err, "invalid_blocks")
	resp, err := http.Post(srv.ResponseURL("r"), "application/json", strings.NewReader(`{"text":"t","blocks":[{"type":"section","text":{"type":"mrkdwn","text":""}}]}`))
	require.NoError(t, err)
	var ans struct{ Error string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	resp.Body.Close()
	assert.Equal(t, "invalid_blocks", ans.Error)

	assert.Len(t, srv.Messages("C1"), 1, "only the message within the limits is posted")
	assert.Empty(t, srv.Updates())
	assert.Empty(t, srv.ResponseURLPosts())
	reqs := srv.Requests()
	require.Len(t, reqs, 6, "every message sent is recorded, refused or not")
	var refused []string
	for _, r := range reqs {
		refused = append(refused, r.Method+" "+r.Refused)
	}
	assert.Equal(t, []string{"chat.postMessage invalid_blocks", "chat.postMessage msg_blocks_too_long", "chat.postMessage ",
		"chat.update msg_blocks_too_long", "chat.postEphemeral invalid_blocks", "response_url invalid_blocks"}, refused)
	assert.Contains(t, reqs[1].Problem, "text of the blocks: 11001 > 11000")
}

func TestServer_UploadV2(t *testing.T) {
	srv := slackfake.Start(t)
	api := srv.Client(token)
	_, rootTS, err := api.PostMessage("C1", slack.MsgOptionText("root", false))
	require.NoError(t, err)
	f, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Filename: "trace.txt", Title: "Trace", Content: "a,b\n1,2\n", FileSize: 8, Channel: "C1", ThreadTimestamp: rootTS})
	require.NoError(t, err, "the upload URL is on the API host, so the client sends its token there")
	files := srv.Files()
	require.Len(t, files, 1)
	assert.Equal(t, f.ID, files[0].ID)
	assert.Equal(t, "trace.txt", files[0].Name)
	assert.Equal(t, "Trace", files[0].Title)
	assert.Equal(t, "a,b\n1,2\n", string(files[0].Data))
	assert.Equal(t, "C1", files[0].Channel)
	assert.Equal(t, rootTS, files[0].ThreadTS)

	_, err = api.CompleteUploadExternalContext(context.Background(), slack.CompleteUploadExternalParameters{
		Files: []slack.FileSummary{{ID: "F404"}}, Channel: "C1"})
	assert.EqualError(t, err, "file_not_found")
}

func TestServer_ChannelsAndGroups(t *testing.T) {
	srv := slackfake.Start(t,
		slackfake.WithChannel(slackfake.Channel{ID: "C_OUT", Name: "outside", NotMember: true}),
		slackfake.WithChannel(slackfake.Channel{ID: "C_PRIV", Name: "secret", Private: true, NotMember: true}),
		slackfake.WithChannel(slackfake.Channel{ID: "C_OLD", Name: "old", Archived: true}),
		slackfake.WithUserGroup("S_OPS", "U1", "U2"))
	api := srv.Client(token)
	for ch, want := range map[string]string{"C_OUT": "not_in_channel", "C_PRIV": "channel_not_found", "C_OLD": "is_archived"} {
		_, _, err := api.PostMessage(ch, slack.MsgOptionText("x", false))
		assert.EqualError(t, err, want, ch)
	}
	info, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "C_OUT"})
	require.NoError(t, err)
	assert.Equal(t, "outside", info.Name)
	assert.False(t, info.IsMember)
	info, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "C_ANY"})
	require.NoError(t, err)
	assert.True(t, info.IsMember, "unconfigured channels are public and joined")

	users, err := api.GetUserGroupMembers("S_OPS")
	require.NoError(t, err)
	assert.Equal(t, []string{"U1", "U2"}, users)
	srv.SetUserGroup("S_OPS", "U3")
	users, err = api.GetUserGroupMembers("S_OPS")
	require.NoError(t, err)
	assert.Equal(t, []string{"U3"}, users)
	_, err = api.GetUserGroupMembers("S_NONE")
	assert.EqualError(t, err, "no_such_subteam")

	srv.SetChannel(slackfake.Channel{ID: "C_OUT"})
	_, _, err = api.PostMessage("C_OUT", slack.MsgOptionText("x", false))
	assert.NoError(t, err, "invited")
}

func TestServer_Faults(t *testing.T) {
	srv := slackfake.Start(t)
	api := srv.Client(token)
	post := func(ch string) error {
		_, _, err := api.PostMessage(ch, slack.MsgOptionText("x", false))
		return err
	}

	srv.RateLimit("chat.postMessage", 2, 3)
	for range 2 {
		var rl *slack.RateLimitedError
		require.ErrorAs(t, post("C1"), &rl)
		assert.Equal(t, "3s", rl.RetryAfter.String())
	}
	require.NoError(t, post("C1"), "only the next two calls")

	srv.FailHTTP("chat.postMessage", http.StatusInternalServerError, 1)
	var sc slack.StatusCodeError
	require.ErrorAs(t, post("C1"), &sc)
	assert.Equal(t, 500, sc.Code)

	srv.FailChannel("chat.postMessage", "C2", "not_in_channel")
	assert.EqualError(t, post("C2"), "not_in_channel")
	assert.EqualError(t, post("C2"), "not_in_channel", "until cleared")
	require.NoError(t, post("C1"), "other channels work")

	srv.Inject(slackfake.Fault{Method: "chat.postMessage", After: 1, Times: 1, Error: "msg_too_long"})
	srv.ClearFaults()
	require.NoError(t, post("C2"))
	srv.Inject(slackfake.Fault{Method: "chat.postMessage", After: 1, Times: 1, Error: "msg_too_long"})
	require.NoError(t, post("C1"))
	assert.EqualError(t, post("C1"), "msg_too_long")
	require.NoError(t, post("C1"))

	assert.Len(t, srv.Messages("C1"), 4)
	assert.Equal(t, 11, srv.Calls("chat.postMessage"), "faulted calls count too")
}

func TestServer_Auth(t *testing.T) {
	srv := slackfake.Start(t, slackfake.WithToken(token))
	_, err := srv.Client("xoxb-wrong").AuthTest()
	assert.EqualError(t, err, "invalid_auth")
	_, err = srv.Client("").AuthTest()
	assert.EqualError(t, err, "not_authed")
	_, err = srv.Client(token).AuthTest()
	assert.NoError(t, err)
}

func TestServer_ResponseURL(t *testing.T) {
	srv := slackfake.Start(t)
	body := `{"response_type":"ephemeral","text":"hi <@U1>","blocks":[{"type":"divider"}]}`
	resp, err := http.Post(srv.ResponseURL("T1/B2/xyz"), "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	posts := srv.ResponseURLPosts()
	require.Len(t, posts, 1)
	assert.Equal(t, "T1%2FB2%2Fxyz", posts[0].ID)
	assert.Equal(t, "ephemeral", posts[0].ResponseType)
	assert.Equal(t, "hi <@U1>", posts[0].Text)
	assert.Len(t, posts[0].Blocks.BlockSet, 1)

	srv.FailHTTP("response_url", http.StatusNotFound, 1)
	resp, err = http.Post(srv.ResponseURL("x"), "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, 2, srv.Calls("response_url"))
}

func TestServer_UnknownMethodAndCustomHandler(t *testing.T) {
	srv := slackfake.Start(t, slackfake.WithHandler("/auth.test", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"ok":false,"error":"account_inactive"}`))
	}))
	api := srv.Client(token)
	_, err := api.AuthTest()
	assert.EqualError(t, err, "account_inactive", "an Option's handler replaces the built-in one")
	_, err = api.GetTeamInfo()
	assert.EqualError(t, err, "unknown_method")
	assert.Equal(t, 1, srv.Calls("team.info"))
}

// TestServer_PostsLeakNoGoroutines guards against slacktest's stock
// chat.postMessage, which starts a goroutine per post.
func TestServer_PostsLeakNoGoroutines(t *testing.T) {
	srv := slackfake.Start(t)
	api := srv.Client(token)
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("warm up", false))
	require.NoError(t, err)
	before := runtime.NumGoroutine()
	for range 100 {
		_, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false))
		require.NoError(t, err)
	}
	assert.Less(t, runtime.NumGoroutine()-before, 20)
	assert.Len(t, srv.Messages("C1"), 101)
}

func TestServer_MessagesAreCopies(t *testing.T) {
	srv := slackfake.Start(t)
	_, _, err := srv.Client(token).PostMessage("C1", slack.MsgOptionText("x", false), slack.MsgOptionDisableLinkUnfurl())
	require.NoError(t, err)
	m := srv.Messages("C1")
	m[0].Text = "changed"
	m[0].Params.Set("unfurl_links", "true")
	assert.Equal(t, "x", srv.Messages("C1")[0].Text)
	assert.Equal(t, "false", srv.Messages("C1")[0].Params.Get("unfurl_links"))
	assert.False(t, errors.Is(err, context.Canceled))
}
