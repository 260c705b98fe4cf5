package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// SocketModePath is where the fake serves its Socket Mode websocket.
const SocketModePath = "/socketmode"

// Socket Mode envelope types.
const (
	EnvelopeSlashCommands = "slash_commands"
	EnvelopeInteractive   = "interactive"
	EnvelopeEventsAPI     = "events_api"
)

// SocketMode fakes Slack's Socket Mode: apps.connections.open returns a
// ws:// URL on the fake server, whose websocket sends "hello", then the
// envelopes a test pushes, and ping frames periodically (without them
// slack-go's client reconnects); it records the client's acks. One
// connection is current at a time; a newer one replaces it. Install it
// with WithSocketMode; its methods are safe for concurrent use.
type SocketMode struct {
	pingEvery time.Duration
	upgrader  websocket.Upgrader

	wmu     sync.Mutex // serialises writes of messages (pings may interleave)
	mu      sync.Mutex
	conn    *websocket.Conn // current connection, nil when none
	conns   int             // connections accepted so far
	seq     int             // envelope ID counter
	acks    []Ack
	gate    chan struct{} // open (closed channel) unless Hold is in force
	changed chan struct{} // closed and replaced on every change
	closed  bool
	done    chan struct{}
}

// Ack is one acknowledgement the client sent.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"` // nil when the ack had none
}

// NewSocketMode returns a fake Socket Mode service that pings every
// pingEvery (default 100ms). Close it when done.
func NewSocketMode(pingEvery time.Duration) *SocketMode {
	if pingEvery <= 0 {
		pingEvery = 100 * time.Millisecond
	}
	open := make(chan struct{})
	close(open)
	// slack-go dials with Origin https://api.slack.com, which is not this host.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	return &SocketMode{pingEvery: pingEvery, upgrader: up, gate: open, changed: make(chan struct{}), done: make(chan struct{})}
}

// WithSocketMode serves apps.connections.open (a Web API method with the
// fake's token checks and faults) and the websocket from m.
func WithSocketMode(m *SocketMode) Option {
	return func(s *Server) {
		open := s.api("apps.connections.open", func(r *http.Request) result {
			return ok(map[string]any{"url": "ws://" + r.Host + SocketModePath})
		})
		WithHandler("/apps.connections.open", open)(s)
		WithHandler(SocketModePath, m.serveWS)(s)
	}
}

// Close drops the connection, stops pinging and refuses new connections.
func (m *SocketMode) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	close(m.done)
	if m.conn != nil {
		_ = m.conn.Close()
	}
	m.notifyLocked()
}

// Hold makes new websocket handshakes wait until Release, so a test can
// observe the client disconnected before it reconnects.
func (m *SocketMode) Hold() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.gate:
		m.gate = make(chan struct{})
	default:
	}
}

// Release lets held and later handshakes through.
func (m *SocketMode) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.gate:
	default:
		close(m.gate)
	}
}

// Drop closes the current connection abruptly, as a network failure would.
func (m *SocketMode) Drop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conn != nil {
		_ = m.conn.Close()
	}
}

// Disconnect asks the client to reconnect with a "disconnect" message
// (reason e.g. "refresh_requested").
func (m *SocketMode) Disconnect(reason string) error {
	return m.write(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "slackfake"}})
}

// SendSlashCommand pushes a slash_commands envelope and returns its ID.
func (m *SocketMode) SendSlashCommand(cmd slack.SlashCommand) (string, error) {
	return m.Send(EnvelopeSlashCommands, cmd)
}

// SendInteractive pushes an interactive envelope (a block_actions payload).
func (m *SocketMode) SendInteractive(payload any) (string, error) {
	return m.Send(EnvelopeInteractive, payload)
}

// SendEvent pushes an events_api envelope (an event_callback payload).
func (m *SocketMode) SendEvent(payload any) (string, error) {
	return m.Send(EnvelopeEventsAPI, payload)
}

// Send pushes an envelope of type typ with a fresh envelope ID.
func (m *SocketMode) Send(typ string, payload any) (string, error) {
	m.mu.Lock()
	m.seq++
	id := fmt.Sprintf("env-%04d", m.seq)
	m.mu.Unlock()
	return id, m.SendEnvelope(id, typ, payload, 0)
}

// SendEnvelope pushes an envelope with a chosen ID and retry attempt, e.g.
// to redeliver one after a reconnect.
func (m *SocketMode) SendEnvelope(id, typ string, payload any, retryAttempt int) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	return m.write(map[string]any{"envelope_id": id, "type": typ, "payload": json.RawMessage(raw),
		"accepts_response_payload": typ != EnvelopeEventsAPI, "retry_attempt": retryAttempt})
}

// Acks returns the acknowledgements received so far, in order.
func (m *SocketMode) Acks() []Ack {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Ack(nil), m.acks...)
}

// WaitConnections waits until n connections have been accepted and one is
// current (hello sent).
func (m *SocketMode) WaitConnections(ctx context.Context, n int) error {
	return m.wait(ctx, func() bool { return m.conns >= n && m.conn != nil })
}

// WaitAck waits for the client's ack of envelope id.
func (m *SocketMode) WaitAck(ctx context.Context, id string) (Ack, error) {
	var ack Ack
	err := m.wait(ctx, func() bool {
		for _, a := range m.acks {
			if a.EnvelopeID == id {
				ack = a
				return true
			}
		}
		return false
	})
	return ack, err
}

// wait blocks until cond (called with m.mu held) is true, ctx ends or m closes.
func (m *SocketMode) wait(ctx context.Context, cond func() bool) error {
	for {
		m.mu.Lock()
		ok, changed := cond(), m.changed
		m.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-m.done:
			return fmt.Errorf("slackfake: socket mode closed")
		}
	}
}

func (m *SocketMode) notifyLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// write sends one JSON message on the current connection.
func (m *SocketMode) write(v any) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	m.mu.Lock()
	conn := m.conn
	m.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("slackfake: no socket mode client connected")
	}
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return conn.WriteJSON(v)
}

// serveWS accepts one client: hello, pings, and acks until it goes away.
func (m *SocketMode) serveWS(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	gate := m.gate
	m.mu.Unlock()
	select {
	case <-gate:
	case <-m.done:
		http.Error(w, "socket mode closed", http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	conn, err := m.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	if !m.accept(conn) {
		return
	}
	stop := make(chan struct{})
	defer close(stop)
	go m.ping(conn, stop)
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			break
		}
		var ack Ack
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		m.mu.Lock()
		m.acks = append(m.acks, ack)
		m.notifyLocked()
		m.mu.Unlock()
	}
	m.mu.Lock()
	if m.conn == conn {
		m.conn = nil
		m.notifyLocked()
	}
	m.mu.Unlock()
}

// accept makes conn current (closing an older one) and sends hello.
func (m *SocketMode) accept(conn *websocket.Conn) bool {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	if m.conn != nil {
		_ = m.conn.Close()
	}
	m.conn = conn
	m.conns++
	hello := map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0CARACAL"},
		"debug_info": map[string]any{"host": "slackfake", "approximate_connection_time": 18060}}
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := conn.WriteJSON(hello); err != nil {
		m.conn = nil
		return false
	}
	m.notifyLocked()
	return true
}

// ping sends ping frames until stop or a write fails.
func (m *SocketMode) ping(conn *websocket.Conn, stop <-chan struct{}) {
	t := time.NewTicker(m.pingEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := conn.WriteControl(websocket.PingMessage, fmt.Appendf(nil, "ping-%d", n), time.Now().Add(time.Second)); err != nil {
				return
			}
		}
	}
}
