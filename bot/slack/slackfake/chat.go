package slackfake

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
)

// result is a method's answer: extra JSON fields on success, or an error code.
type result struct {
	fields map[string]any
	err    string
}

func ok(fields map[string]any) result { return result{fields: fields} }
func fail(code string) result         { return result{err: code} }

// api wraps a Web API method: count the call, parse the form, check the
// token, apply injected faults, then run fn and answer JSON.
func (s *Server) api(method string, fn func(r *http.Request) result) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.countCall(method)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		channel := r.Form.Get("channel")
		if channel == "" {
			channel = r.Form.Get("channel_id")
		}
		if s.applyFault(w, method, channel) {
			return
		}
		if code := s.authorized(r); code != "" {
			writeJSON(w, map[string]any{"ok": false, "error": code})
			return
		}
		res := fn(r)
		if res.err != "" {
			writeJSON(w, map[string]any{"ok": false, "error": res.err})
			return
		}
		body := map[string]any{"ok": true}
		for k, v := range res.fields {
			body[k] = v
		}
		writeJSON(w, body)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// nextTS returns a fresh, increasing message timestamp. Callers hold s.mu.
func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("1700000000.%06d", s.seq)
}

// received parses the blocks of a message the bot sent, records the
// message (Requests) and holds it to Slack's limits (blockkit.Check): it
// returns the blocks, their JSON and the error code to answer, "" when the
// message is within every limit.
func (s *Server) received(method, channel, text, raw string) (slack.Blocks, string, string) {
	req := Request{Method: method, Channel: channel, Text: text}
	blocks, blocksJSON, err := parseBlocks(raw)
	if err != nil {
		req.Refused, req.Problem = blockkit.CodeInvalidBlocks, err.Error()
	} else if _, err := blockkit.Check(text, blocks.BlockSet); err != nil {
		req.Refused, req.Problem = blockkit.CodeInvalidBlocks, err.Error()
		if lim := (*blockkit.Error)(nil); errors.As(err, &lim) {
			req.Refused = lim.Code
		}
	}
	req.Blocks = blocks
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	return blocks, blocksJSON, req.Refused
}

func (s *Server) postMessage(r *http.Request) result {
	channel := r.Form.Get("channel")
	blocks, blocksJSON, refused := s.received("chat.postMessage", channel, r.Form.Get("text"), r.Form.Get("blocks"))
	if code := cmp.Or(s.channelError(channel), refused); code != "" {
		return fail(code)
	}
	params := cloneValues(r.Form)
	for _, k := range []string{"token", "channel", "text", "blocks", "thread_ts"} {
		params.Del(k)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Message{Channel: channel, TS: s.nextTS(), ThreadTS: r.Form.Get("thread_ts"), Text: r.Form.Get("text"),
		Blocks: blocks, BlocksJSON: blocksJSON, Params: params}
	s.messages[channel] = append(s.messages[channel], m)
	msg := map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "bot_id": BotID, "user": BotUserID}
	if m.ThreadTS != "" {
		msg["thread_ts"] = m.ThreadTS
	}
	return ok(map[string]any{"channel": channel, "ts": m.TS, "message": msg})
}

func (s *Server) update(r *http.Request) result {
	channel, ts := r.Form.Get("channel"), r.Form.Get("ts")
	blocks, blocksJSON, refused := s.received("chat.update", channel, r.Form.Get("text"), r.Form.Get("blocks"))
	if code := cmp.Or(s.channelError(channel), refused); code != "" {
		return fail(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.messages[channel], func(m Message) bool { return m.TS == ts })
	if i < 0 {
		return fail("message_not_found")
	}
	m := &s.messages[channel][i]
	m.Text, m.Edited = r.Form.Get("text"), true
	if _, sent := r.Form["blocks"]; sent { // without blocks, Slack keeps the old ones
		m.Blocks, m.BlocksJSON = blocks, blocksJSON
	}
	s.updates = append(s.updates, Update{Channel: channel, TS: ts, Text: m.Text, Blocks: blocks, BlocksJSON: blocksJSON})
	return ok(map[string]any{"channel": channel, "ts": ts, "text": m.Text})
}

func (s *Server) postEphemeral(r *http.Request) result {
	channel, user := r.Form.Get("channel"), r.Form.Get("user")
	blocks, blocksJSON, refused := s.received("chat.postEphemeral", channel, r.Form.Get("text"), r.Form.Get("blocks"))
	if code := s.channelError(channel); code != "" {
		return fail(code)
	}
	if user == "" {
		return fail("user_not_found")
	}
	if refused != "" {
		return fail(refused)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := Ephemeral{Channel: channel, User: user, ThreadTS: r.Form.Get("thread_ts"), Text: r.Form.Get("text"),
		Blocks: blocks, BlocksJSON: blocksJSON}
	s.ephemerals = append(s.ephemerals, e)
	return ok(map[string]any{"message_ts": s.nextTS()})
}

func (s *Server) authTest(*http.Request) result {
	return ok(map[string]any{"url": "https://caracal.slack.com/", "team": TeamName, "user": BotName,
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
}

func (s *Server) conversationsInfo(r *http.Request) result {
	id := r.Form.Get("channel")
	s.mu.Lock()
	c, known := s.channels[id]
	s.mu.Unlock()
	switch {
	case id == "":
		return fail("channel_not_found")
	case !known:
		c = Channel{ID: id, Name: id}
	case c.Private && c.NotMember:
		return fail("channel_not_found")
	}
	return ok(map[string]any{"channel": map[string]any{"id": c.ID, "name": c.Name, "is_channel": true,
		"is_private": c.Private, "is_archived": c.Archived, "is_member": !c.NotMember}})
}

func (s *Server) userGroupUsers(r *http.Request) result {
	s.mu.Lock()
	users, found := s.groups[r.Form.Get("usergroup")]
	s.mu.Unlock()
	if !found {
		return fail("no_such_subteam")
	}
	return ok(map[string]any{"users": append([]string{}, users...)})
}
