package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/caracal-bot/caracal-bot/bot/platform"
)

// interactionCreate is the gateway event that carries an interaction.
const interactionCreate = "INTERACTION_CREATE"

// Gateway timings.
const (
	// respondTimeout bounds one interaction callback; Discord gives 3 s.
	respondTimeout = 3 * time.Second
	// maxOpenBackoff caps the wait between failed first connections.
	maxOpenBackoff = time.Minute
)

// GatewayRunner receives interactions over the gateway websocket and maps
// them exactly as the HTTP handler does, answering each with the
// interaction callback (POST /interactions/{id}/{token}/callback). It needs
// no public endpoint and no intent: interactions reach every bot.
type GatewayRunner struct {
	s        *discordgo.Session
	in       *inbound
	link     *platform.Link
	stopping atomic.Bool

	mu       sync.Mutex
	change   chan struct{} // closed and replaced on every connection change
	inflight sync.WaitGroup
	closed   bool // no new interactions once set (under mu)
}

// NewGatewayRunner wraps a session built with the bot token (NewSession).
// It subscribes to no gateway intent (interactions need none) and makes the
// session deliver events in order (SyncEvents), so the connection state
// reported by Connected follows the real sequence of connects and
// disconnects; interactions are still handled concurrently. PublicKey and
// MaxBody in opts are not used.
func NewGatewayRunner(s *discordgo.Session, opts InboundOptions) *GatewayRunner {
	s.Identify.Intents = discordgo.IntentsNone
	s.SyncEvents = true
	return &GatewayRunner{s: s, in: newInbound(opts), link: platform.NewLink(Name, opts.Metrics), change: make(chan struct{})}
}

// Connected reports whether the gateway session is up now, for /readyz.
func (g *GatewayRunner) Connected() bool { return g.link.Connected() }

// Run connects and handles interactions until ctx ends (then it closes the
// session, waits for the interactions in hand and returns nil); call it
// once. A first
// connection that fails is retried with backoff, unless Discord refused
// the token (or the gateway settings), which Run returns. After a drop,
// discordgo reconnects (resuming the session) on its own.
func (g *GatewayRunner) Run(ctx context.Context) error {
	defer g.set(false)
	for _, remove := range g.addHandlers(ctx) {
		defer remove()
	}
	if err := g.open(ctx); err != nil {
		g.drain()
		return err
	}
	<-ctx.Done()
	g.stopping.Store(true)
	if err := g.s.Close(); err != nil {
		g.in.Logger.Warn("discord: closing the gateway", "err", err)
	}
	g.drain()
	return nil
}

// open makes the first connection, retrying transient failures.
func (g *GatewayRunner) open(ctx context.Context) error {
	backoff := time.Second
	for {
		err := g.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		if fatalGatewayError(err) {
			return fmt.Errorf("discord: gateway: %w", err)
		}
		g.in.Logger.Warn("discord: gateway connection failed; retrying", "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, maxOpenBackoff)
	}
}

// fatalGatewayError reports errors that retrying cannot fix: a refused
// token (REST 401/403, gateway close 4004) or invalid gateway settings
// (close codes 4010-4014: shard, API version, intents).
func fatalGatewayError(err error) bool {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		return rest.Response.StatusCode == http.StatusUnauthorized || rest.Response.StatusCode == http.StatusForbidden
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code == 4004 || (ce.Code >= 4010 && ce.Code <= 4014)
	}
	return false
}

// addHandlers subscribes to the session's events; the results unsubscribe.
func (g *GatewayRunner) addHandlers(ctx context.Context) []func() {
	return []func(){
		g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { g.set(true) }),
		g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { g.set(true) }),
		g.s.AddHandler(func(s *discordgo.Session, _ *discordgo.Connect) {
			if g.stopping.Load() {
				// discordgo's reconnect loop won the race with Run's Close.
				go func() { _ = s.Close() }()
				return
			}
			g.link.Connect()
			g.changed()
		}),
		g.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { g.set(false) }),
		// Interactions are read from the raw event, as over HTTP, for what
		// discordgo's InteractionCreate drops (the thread's parent).
		g.s.AddHandler(func(s *discordgo.Session, e *discordgo.Event) {
			if e == nil || e.Type != interactionCreate {
				return
			}
			i, err := decodeInteraction(e.RawData)
			if err != nil {
				g.in.Logger.Warn("discord: unreadable interaction from the gateway ignored")
				return
			}
			parentID := threadParent(e.RawData, i.ChannelID)
			// Events arrive in order on the read loop: answer off it.
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.closed {
				return
			}
			g.inflight.Add(1)
			go func() {
				defer g.inflight.Done()
				g.interaction(ctx, s, i, parentID)
			}()
		}),
	}
}

// interaction maps one interaction and sends its callback; Acked is closed
// once the callback returned, whether it worked or not.
func (g *GatewayRunner) interaction(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction, parentID string) {
	start := time.Now()
	res := g.in.handle(ctx, i, parentID)
	defer res.sent()
	if res.resp == nil || res.redelivery {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), respondTimeout)
	defer cancel()
	url := discordgo.EndpointInteractionResponse(i.ID, i.Token)
	if err := request(s, http.MethodPost, url, url, res.resp, nil, nil, discordgo.WithContext(rctx)); err != nil {
		// The error names the callback URL, which holds the token: log its kind only.
		g.in.Logger.Warn("discord: interaction response failed", "id", i.ID, "type", int(res.resp.Type), "err", respondError(err))
		if g.in.Metrics != nil {
			g.in.Metrics.PlatformErrors.WithLabelValues(Name, "interaction_respond").Inc()
		}
		return
	}
	g.in.ObserveAck(start)
}

// respondError describes a failed callback without its URL.
func respondError(err error) string {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		if rest.Message != nil {
			return fmt.Sprintf("HTTP %d (code %d)", rest.Response.StatusCode, rest.Message.Code)
		}
		return fmt.Sprintf("HTTP %d", rest.Response.StatusCode)
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return "rate limited"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return "request failed"
}

// drain refuses new interactions and waits for those in hand.
func (g *GatewayRunner) drain() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.inflight.Wait()
}

// set records the connection up or down.
func (g *GatewayRunner) set(up bool) {
	g.link.Set(up)
	g.changed()
}

// changed wakes waitConnected after the link went up or down.
func (g *GatewayRunner) changed() {
	g.mu.Lock()
	close(g.change)
	g.change = make(chan struct{})
	g.mu.Unlock()
}

// waitConnected waits until Connected reports want, or ctx ends.
func (g *GatewayRunner) waitConnected(ctx context.Context, want bool) error {
	for {
		g.mu.Lock()
		ch := g.change
		g.mu.Unlock()
		if g.Connected() == want {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}
