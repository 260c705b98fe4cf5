package slackfake

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// Message is a message the bot posted, as the channel shows it now (after
// any chat.update).
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // the root's ts for a thread reply, "" for a root message
	Text     string
	// Blocks are the blocks as posted; BlocksJSON is their JSON, object
	// keys sorted and "<", ">", "&" unescaped, for assertions.
	Blocks     slack.Blocks
	BlocksJSON string
	Edited     bool       // changed by chat.update
	Params     url.Values // every other form field sent (token removed)
}

// Update is one chat.update call that succeeded.
type Update struct {
	Channel, TS, Text string
	Blocks            slack.Blocks
	BlocksJSON        string
}

// Ephemeral is one chat.postEphemeral call that succeeded.
type Ephemeral struct {
	Channel, User, ThreadTS, Text string
	Blocks                        slack.Blocks
	BlocksJSON                    string
}

// Request is one message the bot sent, as received, whether the fake
// accepted it or refused it: a chat.postMessage, chat.update or
// chat.postEphemeral call, or a response_url post.
type Request struct {
	Method  string // "chat.postMessage", "chat.update", "chat.postEphemeral" or "response_url"
	Channel string // "" for a response_url post
	Text    string
	Blocks  slack.Blocks
	// Refused is the error code of a message breaking Slack's limits
	// (blockkit.Check), with the limits broken in Problem; "" when within
	// them. Another refusal (the channel's) leaves it empty.
	Refused, Problem string
}

// File is an uploaded file. Channel and ThreadTS are set once
// files.completeUploadExternal has shared it.
type File struct {
	ID, Name, Title string
	Length          int    // declared to files.getUploadURLExternal
	Data            []byte // received by the upload POST
	Uploaded        bool
	Channel         string
	ThreadTS        string
	InitialComment  string
}

// ResponsePost is one post to a response_url.
type ResponsePost struct {
	ID              string // the id given to ResponseURL
	ResponseType    string // "in_channel", "ephemeral" or ""
	ReplaceOriginal bool
	Text            string
	Blocks          slack.Blocks
	BlocksJSON      string
	Body            []byte
}

// Messages returns the messages of a channel in posting order, roots and
// thread replies alike.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneMessages(s.messages[channel])
}

// Roots returns the root messages of a channel (no thread replies).
func (s *Server) Roots(channel string) []Message {
	return slices.DeleteFunc(s.Messages(channel), func(m Message) bool { return m.ThreadTS != "" })
}

// Thread returns the replies under the root message ts, in order.
func (s *Server) Thread(channel, ts string) []Message {
	return slices.DeleteFunc(s.Messages(channel), func(m Message) bool { return m.ThreadTS != ts })
}

// Updates returns the chat.update calls that succeeded, in order.
func (s *Server) Updates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.updates)
}

// Ephemerals returns the ephemeral messages posted, in order.
func (s *Server) Ephemerals() []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ephemerals)
}

// Files returns the files shared with files.completeUploadExternal, in order.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.files)
	for i := range out {
		out[i].Data = slices.Clone(out[i].Data)
	}
	return out
}

// Requests returns every message the bot sent, in order: posts, updates,
// ephemerals and response_url posts, refused ones included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ResponseURLPosts returns the posts to response URLs, in order.
func (s *Server) ResponseURLPosts() []ResponsePost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.responses)
}

func cloneMessages(ms []Message) []Message {
	out := slices.Clone(ms)
	for i := range out {
		out[i].Params = cloneValues(out[i].Params)
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// parseBlocks decodes a blocks JSON array ("" gives none), and returns it
// re-encoded without HTML escaping, so "<" reads as "<" in assertions.
func parseBlocks(raw string) (slack.Blocks, string, error) {
	var b slack.Blocks
	if raw == "" {
		return b, "", nil
	}
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return b, "", err
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return b, "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, "", err
	}
	return b, strings.TrimSuffix(buf.String(), "\n"), nil
}
