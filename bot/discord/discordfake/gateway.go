package discordfake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
)

// GatewayPath is where the gateway websocket is served; the Server's
// default GatewayURL points at it (discordgo dials it with a trailing "/").
const GatewayPath = "/gateway/ws"

// DefaultHeartbeat is the heartbeat interval HELLO announces.
const DefaultHeartbeat = 500 * time.Millisecond

// Gateway close codes the fake uses, as Discord does.
const (
	CloseNotAuthenticated     = 4003
	CloseAuthenticationFailed = 4004
	CloseAlreadyAuthenticated = 4005
	CloseInvalidAPIVersion    = 4012
)

// Gateway emulates Discord's gateway websocket for one bot, API v10 only
// (another "v" is closed with 4012): HELLO (op 10)
// with a short heartbeat interval, IDENTIFY (op 2, the token checked) answered
// with READY, RESUME (op 6) answered with RESUMED (or INVALID_SESSION, op 9,
// for an unknown session), heartbeats (op 1) answered with op 11, and
// dispatches pushed by the test. Mount it with WithGateway. Its methods are
// safe for concurrent use.
type Gateway struct {
	heartbeat time.Duration
	upgrader  websocket.Upgrader

	mu         sync.Mutex
	srv        *Server
	conns      map[*gwConn]bool
	current    *gwConn // the last connection that completed its handshake
	sessionID  string
	seq        int64
	identifies []Identified
	resumes    int
	changed    chan struct{} // closed and replaced on every handshake
}

// gwConn is one websocket connection; writes are serialised.
type gwConn struct {
	ws *websocket.Conn
	mu sync.Mutex
}

// Identified is what an IDENTIFY carried, the token apart.
type Identified struct {
	Intents  discordgo.Intent `json:"intents"`
	Shard    *[2]int          `json:"shard"`
	Compress bool             `json:"compress"`
}

// frame is a gateway payload.
type frame struct {
	Op   int             `json:"op"`
	Data json.RawMessage `json:"d"`
	Seq  *int64          `json:"s,omitempty"`
	Type string          `json:"t,omitempty"`
}

// NewGateway returns a gateway whose HELLO announces heartbeat
// (DefaultHeartbeat when <= 0).
func NewGateway(heartbeat time.Duration) *Gateway {
	if heartbeat <= 0 {
		heartbeat = DefaultHeartbeat
	}
	return &Gateway{heartbeat: heartbeat, conns: map[*gwConn]bool{}, changed: make(chan struct{})}
}

// WithGateway serves g on the Server at GatewayPath (the URL GET /gateway
// and /gateway/bot answer by default) and checks IDENTIFY against the
// Server's bot token.
func WithGateway(g *Gateway) Option {
	return func(s *Server) {
		g.mu.Lock()
		g.srv = s
		g.mu.Unlock()
		WithHandler("GET "+GatewayPath, g)(s)
		WithHandler("GET "+GatewayPath+"/", g)(s)
	}
}

// ServeHTTP upgrades the request and runs the gateway protocol on it.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &gwConn{ws: ws}
	g.mu.Lock()
	g.conns[c] = true
	g.mu.Unlock()
	defer g.forget(c)
	if v := r.URL.Query().Get("v"); v != discordapi.Version {
		c.close(CloseInvalidAPIVersion, "Invalid API version: "+v)
		return
	}
	hello, _ := json.Marshal(map[string]int64{"heartbeat_interval": g.heartbeat.Milliseconds()})
	if c.write(frame{Op: 10, Data: hello}) != nil {
		return
	}
	authed := false
	for {
		_ = ws.SetReadDeadline(time.Now().Add(5*g.heartbeat + 5*time.Second))
		var f frame
		if err := ws.ReadJSON(&f); err != nil {
			return
		}
		switch {
		case f.Op == 1:
			if c.write(frame{Op: 11}) != nil {
				return
			}
		case f.Op == 2 && authed:
			c.close(CloseAlreadyAuthenticated, "Already authenticated.")
			return
		case f.Op == 2:
			if !g.identify(c, f.Data) {
				c.close(CloseAuthenticationFailed, "Authentication failed.")
				return
			}
			authed = true
		case f.Op == 6 && !authed:
			if g.resume(c, f.Data) {
				authed = true
			} else if c.write(frame{Op: 9, Data: json.RawMessage("false")}) != nil {
				return
			}
		case !authed:
			c.close(CloseNotAuthenticated, "Not authenticated.")
			return
		}
	}
}

// identify checks the token, starts a new session and sends READY.
func (g *Gateway) identify(c *gwConn, raw json.RawMessage) bool {
	var p struct {
		Identified
		Token string `json:"token"`
	}
	if json.Unmarshal(raw, &p) != nil || !g.validToken(p.Token) {
		return false
	}
	id := p.Identified // kept for assertions, without the secret
	url, appID := g.srv.GatewayURL(), g.srv.AppID()
	g.mu.Lock()
	g.identifies = append(g.identifies, id)
	g.sessionID = "fake-session-" + strconv.Itoa(len(g.identifies))
	g.seq = 0
	ready, _ := json.Marshal(map[string]any{
		"v": 9, "session_id": g.sessionID, "resume_gateway_url": url,
		"user":        map[string]any{"id": BotUserID, "username": BotName, "bot": true},
		"application": map[string]any{"id": appID, "flags": 0},
		"guilds":      []any{}, "private_channels": []any{},
	})
	err := g.dispatchLocked(c, "READY", ready)
	g.handshakeLocked(c, err)
	g.mu.Unlock()
	return err == nil
}

// resume continues the current session on a new connection with RESUMED;
// false for a bad token or an unknown session.
func (g *Gateway) resume(c *gwConn, raw json.RawMessage) bool {
	var p struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
	}
	if json.Unmarshal(raw, &p) != nil || !g.validToken(p.Token) {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if p.SessionID == "" || p.SessionID != g.sessionID {
		return false
	}
	g.resumes++
	err := g.dispatchLocked(c, "RESUMED", json.RawMessage("{}"))
	g.handshakeLocked(c, err)
	return err == nil
}

func (g *Gateway) validToken(tok string) bool {
	tok = strings.TrimPrefix(tok, "Bot ")
	return tok != "" && tok == g.srv.BotToken()
}

// handshakeLocked makes c the current connection after a handshake that
// went out; the caller holds g.mu.
func (g *Gateway) handshakeLocked(c *gwConn, err error) {
	if err != nil {
		return
	}
	g.current = c
	close(g.changed)
	g.changed = make(chan struct{})
}

// dispatchLocked sends an op 0 dispatch with the next sequence number; the
// caller holds g.mu.
func (g *Gateway) dispatchLocked(c *gwConn, event string, data json.RawMessage) error {
	g.seq++
	s := g.seq
	return c.write(frame{Op: 0, Seq: &s, Type: event, Data: data})
}

// SendInteraction pushes an INTERACTION_CREATE dispatch of i on the current
// connection.
func (g *Gateway) SendInteraction(i *discordgo.Interaction) error {
	b, err := json.Marshal(i)
	if err != nil {
		return err
	}
	return g.Dispatch("INTERACTION_CREATE", b)
}

// Dispatch pushes any dispatch (op 0, event t) on the current connection.
func (g *Gateway) Dispatch(t string, data json.RawMessage) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.current == nil {
		return errors.New("discordfake: no gateway connection")
	}
	return g.dispatchLocked(g.current, t, data)
}

// Drop cuts the current connection without a close frame, as a network
// failure would; the client should reconnect and resume.
func (g *Gateway) Drop() {
	g.mu.Lock()
	c := g.current
	g.current = nil
	g.mu.Unlock()
	if c != nil {
		_ = c.ws.Close()
	}
}

// Close cuts every connection (the Server's Close leaves websockets open).
func (g *Gateway) Close() {
	g.mu.Lock()
	conns := make([]*gwConn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	g.current = nil
	g.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

// Identifies are the IDENTIFY payloads received, in order.
func (g *Gateway) Identifies() []Identified {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Identified(nil), g.identifies...)
}

// Resumes counts the sessions resumed.
func (g *Gateway) Resumes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.resumes
}

// WaitHandshakes waits until n handshakes (READY or RESUMED sent) have
// happened in all, or ctx ends.
func (g *Gateway) WaitHandshakes(ctx context.Context, n int) error {
	for {
		g.mu.Lock()
		done, ch := len(g.identifies)+g.resumes >= n, g.changed
		g.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

func (g *Gateway) forget(c *gwConn) {
	g.mu.Lock()
	delete(g.conns, c)
	if g.current == c {
		g.current = nil
	}
	g.mu.Unlock()
	_ = c.ws.Close()
}

func (c *gwConn) write(f frame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(f)
}

// close sends a close frame with code and reason, then closes.
func (c *gwConn) close(code int, reason string) {
	c.mu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.mu.Unlock()
	_ = c.ws.Close()
}
