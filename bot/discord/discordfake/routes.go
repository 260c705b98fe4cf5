package discordfake

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
)

// register serves the built-in routes on api (below APIPrefix).
func (s *Server) register(api *http.ServeMux) {
	s.route(api, RouteCommands, true, s.overwriteCommands)
	s.route(api, RouteGuildCommands, true, s.overwriteCommands)
	s.route(api, RouteCallback, false, s.callback)
	s.route(api, RouteEditOriginal, false, s.editOriginal)
	s.route(api, RouteDeleteOriginal, false, s.deleteOriginal)
	s.route(api, RouteFollowup, false, s.followup)
	s.route(api, RouteCreateMessage, true, s.createMessage)
	s.route(api, RouteEditMessage, true, s.editMessage)
	s.route(api, RouteStartThread, true, s.startThread)
	s.route(api, RouteGateway, false, s.gateway)
	s.route(api, RouteGatewayBot, true, s.gateway)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})
}

// route serves pattern, counting calls and, for bot routes, checking the
// bot token (401 without it, as Discord).
func (s *Server) route(api *http.ServeMux, pattern string, bot bool, h http.HandlerFunc) {
	api.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[pattern]++
		s.mu.Unlock()
		if bot && !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		h(w, r)
	})
}

func (s *Server) overwriteCommands(w http.ResponseWriter, r *http.Request) {
	app, guild := r.PathValue("app"), r.PathValue("guild")
	route := RouteCommands
	if guild != "" {
		route = RouteGuildCommands
	}
	if s.applyFault(w, route, "") {
		return
	}
	if app != s.AppID() {
		writeError(w, http.StatusForbidden, CodeMissingAccess, codeMessage(CodeMissingAccess))
		return
	}
	var cmds []*discordgo.ApplicationCommand
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err == nil {
		err = json.Unmarshal(body, &cmds)
	}
	if err != nil {
		s.refuse(w, route, invalid("", "%v", err))
		return
	}
	if pr := checkCommands(body, cmds); pr != nil {
		s.refuse(w, route, pr)
		return
	}
	s.mu.Lock()
	for _, c := range cmds {
		c.ID, c.ApplicationID, c.GuildID, c.Version = s.nextID(), app, guild, s.nextID()
	}
	s.commands[guild] = CommandSet{AppID: app, GuildID: guild, Commands: cmds, Payload: body}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, cmds)
}

func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	route := RouteGateway
	if r.URL.Path == "/gateway/bot" {
		route = RouteGatewayBot
	}
	if s.applyFault(w, route, "") {
		return
	}
	out := map[string]any{"url": s.GatewayURL()}
	if route == RouteGatewayBot {
		out["shards"] = 1
		out["session_start_limit"] = map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	channel := r.PathValue("channel")
	if s.applyFault(w, RouteCreateMessage, channel) {
		return
	}
	p, ok := s.readMessage(w, r, RouteCreateMessage, true)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.channelExists(channel) {
		writeError(w, http.StatusNotFound, CodeUnknownChannel, codeMessage(CodeUnknownChannel))
		return
	}
	writeJSON(w, http.StatusOK, s.messageJSON(s.addMessage(channel, p, "", false)))
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	channel, id := r.PathValue("channel"), r.PathValue("message")
	if s.applyFault(w, RouteEditMessage, channel) {
		return
	}
	p, ok := s.readMessage(w, r, RouteEditMessage, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	switch {
	case !s.channelExists(channel):
		writeError(w, http.StatusNotFound, CodeUnknownChannel, codeMessage(CodeUnknownChannel))
	case m == nil || m.deleted || m.ChannelID != channel || m.Ephemeral:
		writeError(w, http.StatusNotFound, CodeUnknownMessage, codeMessage(CodeUnknownMessage))
	default:
		s.updateMessage(m, p)
		writeJSON(w, http.StatusOK, s.messageJSON(m))
	}
}

func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	channel, id := r.PathValue("channel"), r.PathValue("message")
	if s.applyFault(w, RouteStartThread, channel) {
		return
	}
	var req struct {
		Name                string `json:"name"`
		AutoArchiveDuration int    `json:"auto_archive_duration"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		s.refuse(w, RouteStartThread, invalid("", "%v", err))
		return
	}
	if path, msg := checkShape(body, threadShape); msg != "" {
		s.refuse(w, RouteStartThread, invalid(path, "%s", msg))
		return
	}
	if n := utf8.RuneCountInString(req.Name); n == 0 || n > discordapi.MaxThreadName {
		s.refuse(w, RouteStartThread, invalid("name", "must be 1-%d characters", discordapi.MaxThreadName))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	_, exists := s.threads[id]
	switch {
	case !s.channelExists(channel):
		writeError(w, http.StatusNotFound, CodeUnknownChannel, codeMessage(CodeUnknownChannel))
	case m == nil || m.deleted || m.ChannelID != channel || m.Ephemeral:
		writeError(w, http.StatusNotFound, CodeUnknownMessage, codeMessage(CodeUnknownMessage))
	case exists:
		writeError(w, http.StatusBadRequest, CodeThreadExists, codeMessage(CodeThreadExists))
	default:
		t := Thread{ID: id, ParentID: channel, Name: req.Name, AutoArchiveDuration: req.AutoArchiveDuration}
		s.threads[id] = t
		writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "type": discordgo.ChannelTypeGuildPublicThread,
			"parent_id": t.ParentID, "name": t.Name, "owner_id": BotUserID,
			"thread_metadata": map[string]any{"archived": false, "auto_archive_duration": t.AutoArchiveDuration, "locked": false}})
	}
}

// readMessage reads and validates the message payload of route (see
// payload.check), answering a refusal itself.
func (s *Server) readMessage(w http.ResponseWriter, r *http.Request, route string, creating bool) (*payload, bool) {
	p, err := readPayload(r, route == RouteCallback)
	if err != nil {
		s.refuse(w, route, invalid("", "%v", err))
		return nil, false
	}
	if pr := p.check(route, creating); pr != nil {
		s.refuse(w, route, pr)
		return nil, false
	}
	return p, true
}

// channelExists: configured channels, interactions' channels and threads.
// The caller holds s.mu.
func (s *Server) channelExists(id string) bool {
	_, thread := s.threads[id]
	return s.channels[id] || thread
}

// addMessage stores a new message; the caller holds s.mu.
func (s *Server) addMessage(channel string, p *payload, interactionID string, ephemeral bool) *Message {
	m := &Message{ID: s.nextID(), ChannelID: channel, Interaction: interactionID, Ephemeral: ephemeral}
	s.updateMessage(m, p)
	m.Edits = 0
	s.messages[m.ID] = m
	s.order[channel] = append(s.order[channel], m.ID)
	return m
}

// updateMessage applies the fields present in p; the caller holds s.mu.
func (s *Server) updateMessage(m *Message, p *payload) {
	f := p.msg
	if f.Content != nil {
		m.Content = *f.Content
	}
	if f.Embeds != nil {
		m.Embeds = *f.Embeds
	}
	if raw, ok := p.fields["components"]; ok {
		m.Components = ""
		if c := string(raw); c != "null" && c != "[]" {
			m.Components = c
		}
	}
	if raw, ok := p.fields["allowed_mentions"]; ok {
		m.AllowedMentions, m.AllowedMentionsJSON = f.AllowedMentions, string(raw)
	}
	if f.Flags != 0 {
		m.Flags = f.Flags
	}
	m.Files = append(m.Files, p.files...)
	m.Deferred = false
	m.Edits++
}

// messageJSON is a message object as Discord returns it; the caller holds s.mu.
func (s *Server) messageJSON(m *Message) map[string]any {
	atts := []map[string]any{}
	for i, f := range m.Files {
		atts = append(atts, map[string]any{"id": m.ID + "-" + string(rune('a'+i%26)), "filename": f.Name, "size": len(f.Data),
			"content_type": f.ContentType, "url": s.srv.URL + "/attachments/" + m.ID + "/" + f.Name})
	}
	var comps any = []any{}
	if m.Components != "" {
		comps = json.RawMessage(m.Components)
	}
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	return map[string]any{"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content, "embeds": embeds,
		"components": comps, "attachments": atts, "flags": m.Flags, "tts": false, "mention_everyone": false,
		"mentions": []any{}, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"author": map[string]any{"id": BotUserID, "username": BotName, "bot": true}}
}
