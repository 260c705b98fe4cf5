package discordfake

import (
	"encoding/json"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// Interaction response types the fake gives meaning to.
const (
	callbackMessage         = int(discordgo.InteractionResponseChannelMessageWithSource)         // 4
	callbackDeferredMessage = int(discordgo.InteractionResponseDeferredChannelMessageWithSource) // 5
)

// callback records an interaction response. Type 4 creates the original
// message, type 5 a deferred "thinking" original (ephemeral with flags
// 64); other types are recorded only. A second callback answers 40060.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	id, token := r.PathValue("id"), r.PathValue("token")
	in := s.interaction(token)
	if in == nil || in.id != id {
		writeError(w, http.StatusNotFound, CodeUnknownInteraction, codeMessage(CodeUnknownInteraction))
		return
	}
	if s.applyFault(w, RouteCallback, in.channelID) {
		return
	}
	p, ok := s.readMessage(w, r, RouteCallback, false)
	if !ok {
		return
	}
	var resp struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(p.raw, &resp)
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.callback != 0 {
		writeError(w, http.StatusBadRequest, CodeAlreadyAcked, codeMessage(CodeAlreadyAcked))
		return
	}
	in.callback = resp.Type
	cb := Callback{InteractionID: id, Token: token, Type: resp.Type, Flags: p.msg.Flags, Data: resp.Data}
	if p.msg.Content != nil {
		cb.Content = *p.msg.Content
	}
	s.callbacks = append(s.callbacks, cb)
	ephemeral := p.msg.Flags&int(discordgo.MessageFlagsEphemeral) != 0
	switch resp.Type {
	case callbackMessage:
		in.original = s.addMessage(in.channelID, p, in.id, ephemeral).ID
	case callbackDeferredMessage:
		m := s.addMessage(in.channelID, &payload{}, in.id, ephemeral)
		m.Flags, m.Deferred = p.msg.Flags, true
		in.original = m.ID
	}
	w.WriteHeader(http.StatusNoContent)
}

// webhook finds the interaction of a webhook route and checks it may be
// used (right application, answered already); it answers the error itself.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request, route string) *interaction {
	in := s.interaction(r.PathValue("token"))
	s.mu.Lock()
	ok := in != nil && r.PathValue("app") == s.appID && in.callback != 0
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeUnknownWebhook, codeMessage(CodeUnknownWebhook))
		return nil
	}
	if s.applyFault(w, route, in.channelID) {
		return nil
	}
	return in
}

// editOriginal replaces the interaction's original message, creating it
// when the interaction has none (e.g. after a type 6 deferral).
func (s *Server) editOriginal(w http.ResponseWriter, r *http.Request) {
	in := s.webhook(w, r, RouteEditOriginal)
	if in == nil {
		return
	}
	p, ok := s.readMessage(w, r, RouteEditOriginal, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[in.original]
	if m == nil || m.deleted {
		m = s.addMessage(in.channelID, p, in.id, false)
		in.original = m.ID
	} else {
		s.updateMessage(m, p)
	}
	writeJSON(w, http.StatusOK, s.messageJSON(m))
}

// deleteOriginal deletes the interaction's original message (10008 when
// there is none).
func (s *Server) deleteOriginal(w http.ResponseWriter, r *http.Request) {
	in := s.webhook(w, r, RouteDeleteOriginal)
	if in == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[in.original]
	if m == nil || m.deleted {
		writeError(w, http.StatusNotFound, CodeUnknownMessage, codeMessage(CodeUnknownMessage))
		return
	}
	m.deleted = true
	w.WriteHeader(http.StatusNoContent)
}

// followup posts a followup message: ephemeral with flags 64 (seen only in
// Followups), else also in the interaction's channel. With wait=true the
// message object is returned, else 204.
func (s *Server) followup(w http.ResponseWriter, r *http.Request) {
	in := s.webhook(w, r, RouteFollowup)
	if in == nil {
		return
	}
	p, ok := s.readMessage(w, r, RouteFollowup, true)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.addMessage(in.channelID, p, in.id, p.msg.Flags&int(discordgo.MessageFlagsEphemeral) != 0)
	in.followups = append(in.followups, m.ID)
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, s.messageJSON(m))
}

// interaction finds a registered interaction by token.
func (s *Server) interaction(token string) *interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interactions[token]
}
