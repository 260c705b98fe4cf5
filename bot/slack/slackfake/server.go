// Package slackfake is a stateful fake of the Slack Web API for tests: a
// loopback HTTP server built on slack-go's slacktest that keeps what the
// bot posted (messages with their threads, updates, ephemerals, files
// uploaded with files upload v2, response_url posts), answers auth.test,
// conversations.info and usergroups.users.list, and can inject faults
// (ok:false error codes per channel, 429 with Retry-After, 5xx).
//
// Like Slack it refuses a message that breaks a Block Kit limit
// (invalid_blocks) or whose blocks hold too much text
// (msg_blocks_too_long), and it is stricter than Slack: it holds every
// message to the limits of blockkit.Check, among them the bot's own bound
// of blockkit.MaxMessageText characters below Slack's undocumented one.
// Requests lists every message sent, refused or not.
//
// Point a client at it with slack.OptionAPIURL(srv.URL()). Other files of
// this package add endpoints with Options that register routes (see
// WithHandler); a route registered by an Option replaces the built-in one.
package slackfake

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/caracal-bot/caracal-bot/internal/faultlist"
)

// Identity of the fake workspace and bot, as auth.test reports it.
const (
	TeamID    = "T0CARACAL"
	TeamName  = "Caracal"
	BotUserID = "U0CARACAL"
	BotID     = "B0CARACAL"
	BotName   = "caracal-bot"
)

// Server is the fake Slack Web API. Its methods are safe for concurrent use.
type Server struct {
	sts    *slacktest.Server
	routes []route // added by Options; registered before the built-in ones

	mu         sync.Mutex
	token      string // required token, "" = any non-empty token
	seq        int    // ts and file ID counter
	channels   map[string]Channel
	groups     map[string][]string
	messages   map[string][]Message
	updates    []Update
	ephemerals []Ephemeral
	uploads    map[string]*File // file ID → file, from getUploadURLExternal on
	files      []File           // completed uploads, in order
	responses  []ResponsePost
	requests   []Request
	calls      map[string]int
	faults     faultlist.List[Fault]
}

type route struct {
	path string
	h    http.HandlerFunc
}

// Option configures a Server at construction.
type Option func(*Server)

// WithHandler serves path (e.g. "/apps.connections.open") with h instead
// of the built-in or slacktest handler.
func WithHandler(path string, h http.HandlerFunc) Option {
	return func(s *Server) { s.routes = append(s.routes, route{path, h}) }
}

// WithToken makes every Web API call require this token (form field or
// bearer header): another answers invalid_auth, none not_authed. Without
// it any non-empty token is accepted.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithChannel configures a channel; unconfigured channels are public
// channels the bot is a member of.
func WithChannel(c Channel) Option { return func(s *Server) { s.channels[c.ID] = c } }

// WithUserGroup sets the members of a user group for usergroups.users.list.
func WithUserGroup(id string, users ...string) Option {
	return func(s *Server) { s.groups[id] = append([]string(nil), users...) }
}

// Channel is a configured conversation. The zero flags mean a public
// channel the bot is in.
type Channel struct {
	ID, Name  string
	Private   bool // a private channel the bot is not in answers channel_not_found
	Archived  bool // posting answers is_archived
	NotMember bool // posting answers not_in_channel (channel_not_found if Private)
}

// New starts a fake Slack on a loopback port; Close stops it.
func New(opts ...Option) *Server {
	s := &Server{channels: map[string]Channel{}, groups: map[string][]string{}, messages: map[string][]Message{},
		uploads: map[string]*File{}, calls: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	bind := func(c slacktest.Customize) {
		// slacktest keeps the first handler registered for a path.
		for _, r := range s.routes {
			c.Handle(r.path, r.h)
		}
		for _, r := range s.builtin() {
			c.Handle(r.path, r.h)
		}
	}
	s.sts = slacktest.NewTestServer(bind)
	s.sts.Start()
	return s
}

// Start is New for a test: the server stops when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.sts.Stop() }

// URL is the API base URL for slack.OptionAPIURL, ending with "/".
func (s *Server) URL() string { return s.sts.GetAPIURL() }

// Client returns a slack-go client pointed at the fake, without retries.
func (s *Server) Client(token string, opts ...slack.Option) *slack.Client {
	return slack.New(token, append([]slack.Option{slack.OptionAPIURL(s.URL())}, opts...)...)
}

// ResponseURL returns a response_url served by the fake; posts to it are
// recorded under id (see ResponseURLPosts).
func (s *Server) ResponseURL(id string) string { return s.URL() + "response/" + url.PathEscape(id) }

// SetChannel configures (or reconfigures) a channel while running.
func (s *Server) SetChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = c
}

// SetUserGroup sets a user group's members while running.
func (s *Server) SetUserGroup(id string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = append([]string(nil), users...)
}

// builtin are the fake's own handlers. chat.postMessage and
// chat.postEphemeral replace slacktest's, which leak a goroutine per post
// when no RTM client is connected.
func (s *Server) builtin() []route {
	return []route{
		{"/chat.postMessage", s.api("chat.postMessage", s.postMessage)},
		{"/chat.update", s.api("chat.update", s.update)},
		{"/chat.postEphemeral", s.api("chat.postEphemeral", s.postEphemeral)},
		{"/auth.test", s.api("auth.test", s.authTest)},
		{"/conversations.info", s.api("conversations.info", s.conversationsInfo)},
		{"/usergroups.users.list", s.api("usergroups.users.list", s.userGroupUsers)},
		{"/files.getUploadURLExternal", s.api("files.getUploadURLExternal", s.getUploadURL)},
		{"/files.completeUploadExternal", s.api("files.completeUploadExternal", s.completeUpload)},
		{"/upload/", s.uploadBytes},
		{"/response/", s.responseURL},
		{"/", s.unknownMethod},
	}
}

// Calls counts the calls of a method (faulted ones included): "chat.postMessage",
// "files.upload" for the upload POST, "response_url" for response_url posts.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *Server) countCall(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
}

// authorized checks the token in the form or the Authorization header.
func (s *Server) authorized(r *http.Request) string {
	tok := r.Form.Get("token")
	if tok == "" {
		tok, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	s.mu.Lock()
	want := s.token
	s.mu.Unlock()
	switch {
	case tok == "":
		return "not_authed"
	case want != "" && tok != want:
		return "invalid_auth"
	}
	return ""
}

// channelError is the error code of posting in channel, or "".
func (s *Server) channelError(channel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	switch {
	case channel == "":
		return "channel_not_found"
	case !ok:
		return ""
	case c.Archived:
		return "is_archived"
	case c.NotMember && c.Private:
		return "channel_not_found"
	case c.NotMember:
		return "not_in_channel"
	}
	return ""
}

func (s *Server) unknownMethod(w http.ResponseWriter, r *http.Request) {
	s.countCall(strings.TrimPrefix(r.URL.Path, "/"))
	writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
}
