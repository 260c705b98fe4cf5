package discordfake

import (
	"cmp"
	"encoding/json"
	"slices"

	"github.com/bwmarrin/discordgo"
)

// Message is a message as the fake stores it: what the bot last sent for it.
type Message struct {
	ID, ChannelID string
	Content       string
	Embeds        []*discordgo.MessageEmbed
	// Components is the components JSON as sent ("" for none); Buttons
	// decodes it.
	Components string
	// AllowedMentions is the last allowed_mentions sent (nil when absent).
	AllowedMentions *discordgo.MessageAllowedMentions
	// AllowedMentionsJSON is it as sent ("" when absent), e.g. {"parse":[]...}.
	AllowedMentionsJSON string
	Flags               int
	Ephemeral           bool
	Deferred            bool // the "thinking" placeholder of a deferred interaction
	Files               []File
	Edits               int
	// Interaction is the ID of the interaction whose webhook made it, "" for
	// a message posted with the bot token.
	Interaction string
	deleted     bool
}

// File is an attachment of a message.
type File struct {
	Name, ContentType string
	Data              []byte
}

// Button is a button of a message's components.
type Button struct {
	CustomID, Label string
	Style           int
}

// Buttons decodes the message's buttons, in order.
func (m Message) Buttons() []Button {
	var rows []struct {
		Components []struct {
			CustomID string `json:"custom_id"`
			Label    string `json:"label"`
			Style    int    `json:"style"`
		} `json:"components"`
	}
	_ = json.Unmarshal([]byte(m.Components), &rows)
	var out []Button
	for _, r := range rows {
		for _, b := range r.Components {
			out = append(out, Button{b.CustomID, b.Label, b.Style})
		}
	}
	return out
}

// Thread is a thread started on a message; its ID is the message's.
type Thread struct {
	ID, ParentID, Name  string
	AutoArchiveDuration int
}

// Callback is one interaction response.
type Callback struct {
	InteractionID, Token string
	Type                 int
	Flags                int
	Content              string
	Data                 json.RawMessage // the response's data as sent
}

// CommandSet is the last bulk overwrite of an application's commands,
// globally (GuildID "") or in a guild.
type CommandSet struct {
	AppID, GuildID string
	Commands       []*discordgo.ApplicationCommand
	Payload        json.RawMessage // the request body as sent
}

// interaction is a registered interaction.
type interaction struct {
	id, token, channelID, guildID, userID string
	callback                              int // response type, 0 before the callback
	original                              string
	followups                             []string
}

func (m *Message) clone() Message {
	c := *m
	c.Embeds = slices.Clone(m.Embeds)
	c.Files = slices.Clone(m.Files)
	return c
}

// Messages are the visible messages of a channel or thread, in order
// (ephemeral and deleted ones left out).
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.order[channel] {
		if m := s.messages[id]; !m.deleted && !m.Ephemeral {
			out = append(out, m.clone())
		}
	}
	return out
}

// Message returns a message by ID, deleted ones excepted.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok || m.deleted {
		return Message{}, false
	}
	return m.clone(), true
}

// Thread is the messages of the thread started on messageID, in order.
func (s *Server) Thread(messageID string) []Message { return s.Messages(messageID) }

// ThreadInfo describes the thread started on messageID, if any.
func (s *Server) ThreadInfo(messageID string) (Thread, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.threads[messageID]
	return t, ok
}

// Original is the @original message of the interaction with this token
// (false before one exists or after it was deleted).
func (s *Server) Original(token string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[token]
	if in == nil || in.original == "" || s.messages[in.original].deleted {
		return Message{}, false
	}
	return s.messages[in.original].clone(), true
}

// Followups are the followup messages of the interaction with this token,
// ephemeral ones included, in order.
func (s *Server) Followups(token string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.interactions[token]
	if in == nil {
		return nil
	}
	var out []Message
	for _, id := range in.followups {
		out = append(out, s.messages[id].clone())
	}
	return out
}

// Callbacks are the interaction responses received, in order.
func (s *Server) Callbacks() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.callbacks)
}

// Commands are the current command definitions, global first, then by guild ID.
func (s *Server) Commands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CommandSet
	for _, c := range s.commands {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b CommandSet) int { return cmp.Compare(a.GuildID, b.GuildID) })
	return out
}
