// Package discordfake is a stateful fake of the Discord REST API for
// tests: a loopback HTTP server that serves the routes caracal-bot uses
// under /api/v10 (and no other version) and keeps what the bot did: command definitions (bulk
// overwrites), interaction callbacks, the interactions' @original messages
// and followups (ephemeral ones apart), channel messages with their
// attachments, edits, and threads started on messages (a thread's ID is
// its message's ID). It checks "Authorization: Bot <token>" on bot routes
// and, like Discord, not on webhook and interaction routes. Every request
// body it records is validated as Discord's API v10 would (schema.go,
// payload.go): only the fields the API defines for the route, no null,
// Discord's limits on messages, embeds, buttons, files, thread names and
// commands (discordapi), and the rules of each command type (commands.go:
// a message command has no description and no options); a refused one is answered 400 with Discord's
// error shape and recorded (Violations), which fails a test started with
// Start. It can inject faults per route: 429 with a JSON retry_after, 5xx,
// and Discord error codes (10003 unknown channel, 50001 missing access...).
//
// Point a session at it with discord.NewSession(token, srv.URL(), nil).
// Other files of this package (the gateway) add endpoints with WithHandler
// and set the URL GET /gateway returns with SetGatewayURL.
package discordfake

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/internal/faultlist"
)

// Identity of the fake application and bot.
const (
	DefaultAppID    = "1100000000000000001"
	DefaultBotToken = "fake-bot-token"
	BotUserID       = "1100000000000000002"
	BotName         = "caracal-bot"
)

// APIPrefix is the path the REST routes are served under: API v10's.
const APIPrefix = discordapi.PathPrefix

// Server is the fake Discord REST API. Its methods are safe for concurrent use.
type Server struct {
	srv    *httptest.Server
	routes []route // added by Options; they win over the built-in routes

	mu           sync.Mutex
	token        string // the bot token "Bot <token>" must carry
	appID        string
	gatewayURL   string // "" = ws://<host>/gateway/ws
	seq          int64  // snowflake counter
	channels     map[string]bool
	threads      map[string]Thread
	messages     map[string]*Message // by ID
	order        map[string][]string // channel → message IDs in order
	interactions map[string]*interaction
	callbacks    []Callback
	commands     map[string]CommandSet // by guild ("" = global)
	calls        map[string]int
	faults       faultlist.List[Fault]
	violations   []Violation
	// expectViolations: the test sends refused requests on purpose.
	expectViolations bool
}

type route struct {
	pattern string
	h       http.Handler
}

// Option configures a Server at construction.
type Option func(*Server)

// WithHandler serves pattern (a net/http ServeMux pattern on the server's
// root, e.g. "GET /gateway/ws" for the gateway's websocket) with h. A
// pattern under APIPrefix replaces the built-in route it matches.
func WithHandler(pattern string, h http.Handler) Option {
	return func(s *Server) { s.routes = append(s.routes, route{pattern, h}) }
}

// WithBotToken makes bot routes require "Authorization: Bot <token>"
// (default DefaultBotToken).
func WithBotToken(token string) Option { return func(s *Server) { s.token = token } }

// WithAppID sets the application ID the webhook and command routes accept
// (default DefaultAppID).
func WithAppID(id string) Option { return func(s *Server) { s.appID = id } }

// WithChannel makes channels exist; posting in an unknown channel answers
// 404 with code 10003. Interactions' channels and threads exist on their own.
func WithChannel(ids ...string) Option {
	return func(s *Server) {
		for _, id := range ids {
			s.channels[id] = true
		}
	}
}

// New starts a fake Discord on a loopback port; Close stops it.
func New(opts ...Option) *Server {
	s := &Server{token: DefaultBotToken, appID: DefaultAppID, seq: 1300000000000000000,
		channels: map[string]bool{}, threads: map[string]Thread{}, messages: map[string]*Message{},
		order: map[string][]string{}, interactions: map[string]*interaction{}, commands: map[string]CommandSet{},
		calls: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	root := http.NewServeMux()
	for _, r := range s.routes {
		root.Handle(r.pattern, r.h)
	}
	api := http.NewServeMux()
	s.register(api)
	root.Handle(APIPrefix+"/", http.StripPrefix(APIPrefix, api))
	s.srv = httptest.NewServer(root)
	return s
}

// Start is New for a test: the server stops when the test ends, and the
// test fails for every request Discord would have refused (Violations),
// unless it called ExpectViolations.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(func() {
		s.Close()
		s.failOnViolations(t)
	})
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// BaseURL is the server's root, "http://127.0.0.1:PORT".
func (s *Server) BaseURL() string { return s.srv.URL }

// URL is the REST base to give discord.NewSession: BaseURL + "/api/v10".
func (s *Server) URL() string { return s.srv.URL + APIPrefix }

// AppID is the application ID the fake accepts.
func (s *Server) AppID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appID
}

// BotToken is the token bot routes require (without "Bot ").
func (s *Server) BotToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// SetGatewayURL sets the URL GET /gateway and /gateway/bot answer
// (default "ws://127.0.0.1:PORT/gateway/ws", served by whoever registered it).
func (s *Server) SetGatewayURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gatewayURL = u
}

// GatewayURL is the URL GET /gateway answers.
func (s *Server) GatewayURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gatewayURL != "" {
		return s.gatewayURL
	}
	return "ws://" + strings.TrimPrefix(s.srv.URL, "http://") + "/gateway/ws"
}

// AddChannel makes channels exist while running.
func (s *Server) AddChannel(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.channels[id] = true
	}
}

// NewInteraction registers an interaction from userID in channelID (made
// to exist) and guildID, and returns its ID and token. Answer it with a
// callback (POST /interactions/{id}/{token}/callback) before using its
// webhook, as on Discord.
func (s *Server) NewInteraction(channelID, guildID, userID string) (id, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = s.nextID()
	token = "aW50ZXJhY3Rpb24" + id + rand.Text() // looks like Discord's: long and opaque
	s.interactions[token] = &interaction{id: id, token: token, channelID: channelID, guildID: guildID, userID: userID}
	if channelID != "" {
		s.channels[channelID] = true
	}
	return id, token
}

// Calls counts the calls of a route (faulted and refused ones included),
// by its Route constant.
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// nextID is a new snowflake; the caller holds s.mu.
func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(s.seq, 10)
}

// authorized checks "Authorization: Bot <token>"; the caller does not hold s.mu.
func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bot ")
	return ok && tok != "" && tok == s.BotToken()
}
