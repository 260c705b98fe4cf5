package discordfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
)

const channel = "1200000000000000001"

// call sends a JSON request to the fake and decodes the JSON answer.
func call(t *testing.T, srv *discordfake.Server, method, path, auth string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out))
	}
	return resp.StatusCode, out
}

var bot = "Bot " + discordfake.DefaultBotToken

func TestServer_BotRoutesNeedTheToken(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	for _, auth := range []string{"", "Bot wrong", "Bearer " + discordfake.DefaultBotToken} {
		status, _ := call(t, srv, "POST", "/channels/"+channel+"/messages", auth, map[string]any{"content": "x"})
		assert.Equal(t, 401, status, auth)
	}
	status, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "x"})
	require.Equal(t, 200, status)
	assert.Equal(t, channel, body["channel_id"])
	assert.Equal(t, 4, srv.Calls(discordfake.RouteCreateMessage))
	assert.Len(t, srv.Messages(channel), 1)
}

func TestServer_InteractionLifecycle(t *testing.T) {
	srv := discordfake.Start(t)
	id, token := srv.NewInteraction(channel, "G1", "U1")
	hook := "/webhooks/" + srv.AppID() + "/" + token

	status, body := call(t, srv, "PATCH", hook+"/messages/@original", "", map[string]any{"content": "early"})
	assert.Equal(t, 404, status, "the webhook works only after the callback")
	assert.EqualValues(t, discordfake.CodeUnknownWebhook, body["code"])

	status, _ = call(t, srv, "POST", "/interactions/"+id+"/"+token+"/callback", "", map[string]any{"type": 5})
	require.Equal(t, 204, status, "no bot token needed on interaction routes")
	status, body = call(t, srv, "POST", "/interactions/"+id+"/"+token+"/callback", "", map[string]any{"type": 5})
	assert.Equal(t, 400, status)
	assert.EqualValues(t, discordfake.CodeAlreadyAcked, body["code"])
	cbs := srv.Callbacks()
	require.Len(t, cbs, 1)
	assert.Equal(t, 5, cbs[0].Type)
	orig, ok := srv.Original(token)
	require.True(t, ok)
	assert.True(t, orig.Deferred)

	status, body = call(t, srv, "PATCH", hook+"/messages/@original", "", map[string]any{"content": "done",
		"allowed_mentions": map[string]any{"parse": []string{}}})
	require.Equal(t, 200, status)
	assert.Equal(t, orig.ID, body["id"])
	orig, _ = srv.Original(token)
	assert.Equal(t, "done", orig.Content)
	assert.False(t, orig.Deferred)
	assert.JSONEq(t, `{"parse":[]}`, orig.AllowedMentionsJSON)

	status, _ = call(t, srv, "POST", hook, "", map[string]any{"content": "no wait"})
	assert.Equal(t, 204, status)
	status, body = call(t, srv, "POST", hook+"?wait=true", "", map[string]any{"content": "secret", "flags": 64})
	require.Equal(t, 200, status)
	assert.NotEmpty(t, body["id"])
	f := srv.Followups(token)
	require.Len(t, f, 2)
	assert.True(t, f[1].Ephemeral)
	assert.Len(t, srv.Messages(channel), 2, "the original and the visible followup")

	status, _ = call(t, srv, "DELETE", hook+"/messages/@original", "", nil)
	assert.Equal(t, 204, status)
	_, ok = srv.Original(token)
	assert.False(t, ok)
	status, body = call(t, srv, "DELETE", hook+"/messages/@original", "", nil)
	assert.Equal(t, 404, status)
	assert.EqualValues(t, discordfake.CodeUnknownMessage, body["code"])

	status, _ = call(t, srv, "POST", "/webhooks/"+srv.AppID()+"/unknown-token?wait=true", "", map[string]any{"content": "x"})
	assert.Equal(t, 404, status)
}

func TestServer_ThreadsAndMessages(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	_, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "root"})
	root := body["id"].(string)

	status, body := call(t, srv, "POST", "/channels/"+root+"/messages", bot, map[string]any{"content": "in thread"})
	assert.Equal(t, 404, status, "no thread yet")
	assert.EqualValues(t, discordfake.CodeUnknownChannel, body["code"])

	status, body = call(t, srv, "POST", "/channels/"+channel+"/messages/"+root+"/threads", bot, map[string]any{"name": "why r1", "auto_archive_duration": 1440})
	require.Equal(t, 201, status)
	assert.Equal(t, root, body["id"], "a thread's ID is its message's")
	status, body = call(t, srv, "POST", "/channels/"+channel+"/messages/"+root+"/threads", bot, map[string]any{"name": "again"})
	assert.Equal(t, 400, status)
	assert.EqualValues(t, discordfake.CodeThreadExists, body["code"])
	info, ok := srv.ThreadInfo(root)
	require.True(t, ok)
	assert.Equal(t, discordfake.Thread{ID: root, ParentID: channel, Name: "why r1", AutoArchiveDuration: 1440}, info)

	status, _ = call(t, srv, "POST", "/channels/"+root+"/messages", bot, map[string]any{"content": "in thread"})
	require.Equal(t, 200, status)
	require.Len(t, srv.Thread(root), 1)

	status, _ = call(t, srv, "PATCH", "/channels/"+channel+"/messages/"+root, bot, map[string]any{"content": "edited"})
	require.Equal(t, 200, status)
	m, _ := srv.Message(root)
	assert.Equal(t, "edited", m.Content)
	assert.Equal(t, 1, m.Edits)
	status, body = call(t, srv, "PATCH", "/channels/"+channel+"/messages/999", bot, map[string]any{"content": "x"})
	assert.Equal(t, 404, status)
	assert.EqualValues(t, discordfake.CodeUnknownMessage, body["code"])
}

func TestServer_ValidatesDiscordLimits(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	srv.ExpectViolations()
	button := func(id string) map[string]any {
		return map[string]any{"type": 2, "style": 1, "label": "b", "custom_id": id}
	}
	tests := []struct {
		name string
		body map[string]any
		code float64
	}{
		{"empty", map[string]any{"content": ""}, discordfake.CodeEmptyMessage},
		{"content over 2000", map[string]any{"content": strings.Repeat("é", 2001)}, discordfake.CodeInvalidFormBody},
		{"description over 4096", map[string]any{"embeds": []any{map[string]any{"description": strings.Repeat("x", 4097)}}}, discordfake.CodeInvalidFormBody},
		{"empty field value", map[string]any{"embeds": []any{map[string]any{"fields": []any{map[string]any{"name": "n", "value": ""}}}}}, discordfake.CodeInvalidFormBody},
		{"custom_id over 100", map[string]any{"components": []any{map[string]any{"type": 1, "components": []any{button(strings.Repeat("c", 101))}}}}, discordfake.CodeInvalidFormBody},
		{"duplicate custom_id", map[string]any{"components": []any{map[string]any{"type": 1, "components": []any{button("a"), button("a")}}}}, discordfake.CodeInvalidFormBody},
		{"label over 80", map[string]any{"components": []any{map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 2, "style": 1, "label": strings.Repeat("l", 81), "custom_id": "c"}}}}}, discordfake.CodeInvalidFormBody},
		{"six buttons in a row", map[string]any{"components": []any{map[string]any{"type": 1, "components": []any{
			button("1"), button("2"), button("3"), button("4"), button("5"), button("6")}}}}, discordfake.CodeInvalidFormBody},
		{"footer over 2048", map[string]any{"embeds": []any{map[string]any{"footer": map[string]any{"text": strings.Repeat("f", 2049)}}}}, discordfake.CodeInvalidFormBody},
		{"author name over 256", map[string]any{"embeds": []any{map[string]any{"author": map[string]any{"name": strings.Repeat("a", 257)}}}}, discordfake.CodeInvalidFormBody},
		{"embeds over 6000 in all", map[string]any{"embeds": []any{map[string]any{"description": strings.Repeat("x", 4000)},
			map[string]any{"description": strings.Repeat("y", 2001)}}}, discordfake.CodeInvalidFormBody},
		{"a field the API does not define", map[string]any{"content": "x", "Channel": "1"}, discordfake.CodeInvalidFormBody},
		{"an embed field the API does not define", map[string]any{"embeds": []any{map[string]any{"description": "d", "colour": 1}}}, discordfake.CodeInvalidFormBody},
		{"a null list", map[string]any{"content": "x", "sticker_ids": nil}, discordfake.CodeInvalidFormBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot, tt.body)
			assert.Equal(t, 400, status)
			assert.Equal(t, tt.code, body["code"])
		})
	}
	assert.Empty(t, srv.Messages(channel))
	assert.Len(t, srv.Violations(), len(tests), "every refusal is recorded")
}

func TestServer_RefusalsHaveDiscordsErrorShape(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	srv.ExpectViolations()
	status, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot,
		map[string]any{"embeds": []any{map[string]any{"description": strings.Repeat("x", 4097)}}})
	assert.Equal(t, 400, status)
	assert.EqualValues(t, discordfake.CodeInvalidFormBody, body["code"])
	assert.Equal(t, "Invalid Form Body", body["message"])
	errs := body["errors"].(map[string]any)["embeds"].(map[string]any)["0"].(map[string]any)["description"].(map[string]any)
	assert.NotEmpty(t, errs["_errors"])
	v := srv.Violations()
	require.Len(t, v, 1)
	assert.Equal(t, discordfake.RouteCreateMessage, v[0].Route)
	assert.Equal(t, "embeds.0.description", v[0].Path)
}

// TestServer_OnlyFieldsTheAPIDefines: what discordgo v0.29.0's own types
// send and API v10 does not define is refused on every route the bot uses.
func TestServer_OnlyFieldsTheAPIDefines(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	srv.ExpectViolations()
	_, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "root"})
	root := body["id"].(string)
	id, token := srv.NewInteraction(channel, "G1", "U1")
	acked, ackedToken := srv.NewInteraction(channel, "G1", "U1")
	status, _ := call(t, srv, "POST", "/interactions/"+acked+"/"+ackedToken+"/callback", "", map[string]any{"type": 5})
	require.Equal(t, 204, status)
	hook := "/webhooks/" + srv.AppID() + "/" + ackedToken
	tests := []struct {
		name, method, path, auth string
		body                     any
	}{
		{"invitable on a thread from a message", "POST", "/channels/" + channel + "/messages/" + root + "/threads", bot,
			map[string]any{"name": "t", "auto_archive_duration": 1440, "invitable": false}},
		{"thread name over 100", "POST", "/channels/" + channel + "/messages/" + root + "/threads", bot,
			map[string]any{"name": strings.Repeat("n", 101)}},
		{"Go field names in a message edit", "PATCH", "/channels/" + channel + "/messages/" + root, bot,
			map[string]any{"content": "x", "ID": root, "Channel": channel}},
		{"null options of a command", "PUT", "/applications/" + srv.AppID() + "/commands", bot,
			[]any{map[string]any{"name": "caracal", "description": "d", "options": nil}}},
		{"null choices of an option", "PUT", "/applications/" + srv.AppID() + "/commands", bot,
			[]any{map[string]any{"name": "caracal", "description": "d", "options": []any{
				map[string]any{"type": 3, "name": "o", "description": "d", "choices": nil}}}}},
		{"a command description over 100", "PUT", "/applications/" + srv.AppID() + "/commands", bot,
			[]any{map[string]any{"name": "caracal", "description": strings.Repeat("d", 101)}}},
		{"username on an interaction's @original", "PATCH", hook + "/messages/@original", "", map[string]any{"content": "x", "username": "u"}},
		{"data on a deferred update", "POST", "/interactions/" + id + "/" + token + "/callback", "", map[string]any{"type": 6, "data": map[string]any{"content": "x"}}},
		{"null embeds in a callback", "POST", "/interactions/" + id + "/" + token + "/callback", "", map[string]any{"type": 4, "data": map[string]any{"content": "x", "embeds": nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, srv, tt.method, tt.path, tt.auth, tt.body)
			assert.Equal(t, 400, status)
			assert.EqualValues(t, discordfake.CodeInvalidFormBody, body["code"])
		})
	}
	assert.Len(t, srv.Violations(), len(tests))
	assert.Len(t, srv.Callbacks(), 1, "refused callbacks are not recorded")
}

func TestServer_V10EditsListTheirFiles(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	srv.ExpectViolations()
	_, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "root"})
	root := body["id"].(string)
	edit := func(payload string) int {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField("payload_json", payload))
		fw, err := mw.CreateFormFile("files[0]", "a.txt")
		require.NoError(t, err)
		_, _ = fw.Write([]byte("a"))
		require.NoError(t, mw.Close())
		req, err := http.NewRequest("PATCH", srv.URL()+"/channels/"+channel+"/messages/"+root, &buf)
		require.NoError(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", bot)
		status, _ := send(t, req)
		return status
	}
	assert.Equal(t, 400, edit(`{"content":"x"}`), "a new file not listed in attachments")
	assert.Equal(t, 200, edit(`{"content":"x","attachments":[{"id":0,"filename":"a.txt"}]}`))
	assert.Len(t, srv.Violations(), 1)
}

func TestServer_OtherAPIVersionsAreNotServed(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	req, err := http.NewRequest("POST", srv.BaseURL()+"/api/v9/channels/"+channel+"/messages", strings.NewReader(`{"content":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", bot)
	status, _ := send(t, req)
	assert.Equal(t, 404, status)
	assert.Equal(t, "/api/v10", discordfake.APIPrefix)
}

func TestServer_MultipartFiles(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("payload_json", `{"content":"bundle","allowed_mentions":{"parse":[]}}`))
	fw, err := mw.CreateFormFile("files[0]", "bundle.zip")
	require.NoError(t, err)
	_, _ = fw.Write([]byte("PK\x03\x04"))
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", srv.URL()+"/channels/"+channel+"/messages", &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", bot)
	status, body := send(t, req)
	require.Equal(t, 200, status)
	atts := body["attachments"].([]any)
	require.Len(t, atts, 1)
	assert.Equal(t, "bundle.zip", atts[0].(map[string]any)["filename"])
	m := srv.Messages(channel)[0]
	require.Len(t, m.Files, 1)
	assert.Equal(t, []byte("PK\x03\x04"), m.Files[0].Data)
	assert.Equal(t, "bundle", m.Content)
}

func TestServer_Faults(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithChannel(channel, "other"))
	srv.RateLimit(discordfake.RouteCreateMessage, 1, 1.25)
	srv.FailHTTP(discordfake.RouteCreateMessage, 503, 1)
	srv.FailCode(discordfake.RouteCreateMessage, "other", 403, discordfake.CodeMissingAccess, 0)

	status, body := call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "x"})
	assert.Equal(t, 429, status)
	assert.Equal(t, 1.25, body["retry_after"])
	assert.Equal(t, false, body["global"])
	assert.NotEmpty(t, body["message"])
	status, _ = call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "x"})
	assert.Equal(t, 503, status)
	status, _ = call(t, srv, "POST", "/channels/"+channel+"/messages", bot, map[string]any{"content": "x"})
	assert.Equal(t, 200, status)
	for range 2 {
		status, body = call(t, srv, "POST", "/channels/other/messages", bot, map[string]any{"content": "x"})
		assert.Equal(t, 403, status)
		assert.EqualValues(t, discordfake.CodeMissingAccess, body["code"])
	}
	srv.ClearFaults()
	status, _ = call(t, srv, "POST", "/channels/other/messages", bot, map[string]any{"content": "x"})
	assert.Equal(t, 200, status)
}

// TestServer_CommandRulesByType: Discord refuses a whole bulk overwrite
// for one command that breaks the rules of its type; a message command
// (type 3) has a name that may hold capitals and spaces, and neither a
// description nor options.
func TestServer_CommandRulesByType(t *testing.T) {
	srv := discordfake.Start(t)
	srv.ExpectViolations()
	chat := map[string]any{"name": "caracal", "description": "Caracal", "type": 1}
	message := map[string]any{"name": "Diagnose with Caracal", "type": 3}
	path := "/applications/" + srv.AppID() + "/commands"
	status, body := call(t, srv, "PUT", path, bot, []any{chat, message})
	require.Equal(t, 200, status, "%v", body)
	sameNameOtherType := map[string]any{"name": "caracal", "type": 3}
	status, _ = call(t, srv, "PUT", path, bot, []any{chat, sameNameOtherType})
	require.Equal(t, 200, status, "names are unique per type")

	with := func(base map[string]any, k string, v any) map[string]any {
		out := maps.Clone(base)
		out[k] = v
		return out
	}
	tests := []struct {
		name string
		cmd  map[string]any
		path string
	}{
		{"a message command with a description", with(message, "description", "Diagnose"), "1.description"},
		{"a message command with an empty description", with(message, "description", ""), "1.description"},
		{"a message command with options", with(message, "options", []any{map[string]any{"type": 3, "name": "o", "description": "d"}}), "1.options"},
		{"a user command with a description", map[string]any{"name": "Who", "type": 2, "description": "d"}, "1.description"},
		{"a message command without a name", with(message, "name", ""), "1.name"},
		{"a message command name over 32", with(message, "name", strings.Repeat("n", 33)), "1.name"},
		{"a chat command with capitals", with(chat, "name", "Caracal"), "1.name"},
		{"a chat command with a space", with(chat, "name", "cara cal"), "1.name"},
		{"a chat command without a description", map[string]any{"name": "other", "type": 1}, "1.description"},
		{"an unknown type", with(message, "type", 9), "1.type"},
		{"two message commands of one name", message, "1.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := any(chat)
			if tt.name == "two message commands of one name" {
				first = message
			}
			before := len(srv.Violations())
			status, body := call(t, srv, "PUT", path, bot, []any{first, tt.cmd})
			assert.Equal(t, 400, status)
			assert.EqualValues(t, discordfake.CodeInvalidFormBody, body["code"])
			v := srv.Violations()
			require.Len(t, v, before+1)
			assert.Equal(t, tt.path, v[len(v)-1].Path)
		})
	}
	sets := srv.Commands()
	require.Len(t, sets, 1)
	require.Len(t, sets[0].Commands, 2, "a refused overwrite changes nothing")
	assert.EqualValues(t, 3, sets[0].Commands[1].Type)
}

func TestServer_CommandsAndGateway(t *testing.T) {
	srv := discordfake.Start(t)
	cmds := []map[string]any{{"name": "caracal", "description": "Caracal", "type": 1}}
	status, _ := call(t, srv, "PUT", "/applications/"+srv.AppID()+"/guilds/G1/commands", bot, cmds)
	require.Equal(t, 200, status)
	status, _ = call(t, srv, "PUT", "/applications/"+srv.AppID()+"/commands", bot, cmds)
	require.Equal(t, 200, status)
	status, _ = call(t, srv, "PUT", "/applications/999/commands", bot, cmds)
	assert.Equal(t, 403, status)
	sets := srv.Commands()
	require.Len(t, sets, 2)
	assert.Equal(t, "", sets[0].GuildID)
	assert.Equal(t, "G1", sets[1].GuildID)
	assert.Equal(t, "caracal", sets[1].Commands[0].Name)
	assert.NotEmpty(t, sets[1].Commands[0].ID)

	_, body := call(t, srv, "GET", "/gateway", "", nil)
	assert.Equal(t, srv.GatewayURL(), body["url"])
	srv.SetGatewayURL("ws://elsewhere/ws")
	status, body = call(t, srv, "GET", "/gateway/bot", bot, nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "ws://elsewhere/ws", body["url"])
	assert.EqualValues(t, 1, body["shards"])
	status, _ = call(t, srv, "GET", "/gateway/bot", "", nil)
	assert.Equal(t, 401, status)
}

func TestServer_WithHandlerOverridesABuiltInRoute(t *testing.T) {
	srv := discordfake.Start(t, discordfake.WithHandler("GET "+discordfake.APIPrefix+"/gateway", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"url":"ws://custom"}`)
	})), discordfake.WithHandler("GET /extra", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})))
	_, body := call(t, srv, "GET", "/gateway", "", nil)
	assert.Equal(t, "ws://custom", body["url"])
	resp, err := http.Get(srv.BaseURL() + "/extra")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
}

func TestGateway_OnlyAPIv10(t *testing.T) {
	gw := discordfake.NewGateway(0)
	t.Cleanup(gw.Close)
	srv := discordfake.Start(t, discordfake.WithGateway(gw))
	for v, want := range map[string]int{"9": discordfake.CloseInvalidAPIVersion, "10": 0} {
		ws, _, err := websocket.DefaultDialer.Dial(srv.GatewayURL()+"/?v="+v+"&encoding=json", nil)
		require.NoError(t, err)
		_, msg, err := ws.ReadMessage()
		if want == 0 {
			require.NoError(t, err, "v10 gets HELLO")
			assert.Contains(t, string(msg), `"op":10`)
		} else {
			var ce *websocket.CloseError
			require.ErrorAs(t, err, &ce, "v%s", v)
			assert.Equal(t, want, ce.Code)
		}
		_ = ws.Close()
	}
}
