package platform

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Inbound configures the side of an adapter that turns platform events
// into requests; its HTTP endpoints and its connection share one. Every
// field but Dispatcher is optional.
type Inbound struct {
	Dispatcher Submitter
	Metrics    *bot.Metrics
	Logger     *slog.Logger
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
	// MaxBody bounds HTTP request bodies (default signedhttp.DefaultMaxBody).
	MaxBody int64
	// Replay remembers the signatures of handled requests (default in
	// memory; a file remembers them across restarts, a shared store across
	// replicas).
	Replay signedhttp.ReplayStore
	// Tickets turns the Upload bundle to ticket button into the ticket
	// command (posted in the diagnosis thread); off, the button is answered
	// with TicketNotConfigured.
	Tickets bool
}

// Receiver is what every adapter's inbound side does the same way: it
// hands requests to the dispatcher, routes button clicks, serves verified
// HTTP requests and times acknowledgements. Its Inbound has the defaults
// filled in.
type Receiver struct {
	Inbound
	platform string
}

// NewReceiver returns the Receiver of the named platform.
func NewReceiver(platform string, in Inbound) *Receiver {
	if in.Logger == nil {
		in.Logger = slog.New(slog.DiscardHandler)
	}
	if in.Now == nil {
		in.Now = time.Now
	}
	return &Receiver{Inbound: in, platform: platform}
}

// Submit hands req to the dispatcher and logs the outcome (never the text).
func (r *Receiver) Submit(ctx context.Context, req bot.Request) bot.Outcome {
	out := r.Dispatcher.Submit(ctx, req)
	inv := req.Invocation
	r.Logger.Debug(r.platform+": request submitted", "command", inv.Command, "channel", inv.ChannelID, "user", inv.UserID, "status", out.Status)
	return out
}

// ObserveAck records the time from receiving an event to acknowledging it.
func (r *Receiver) ObserveAck(start time.Time) {
	if r.Metrics != nil {
		r.Metrics.AckLatency.WithLabelValues(r.platform).Observe(time.Since(start).Seconds())
	}
}

// TicketNotConfigured answers the Upload bundle to ticket button when the
// bot has no ticket system.
const TicketNotConfigured = "Uploading a bundle to a ticket is not configured on this bot yet."

// Click is what a click on a button under a reply asks for.
type Click struct {
	// Command runs with the button's value as its text.
	Command string
	// Replace says the reply replaces the message the button sits on
	// (Re-run); otherwise it goes into that message's thread.
	Replace bool
}

// Click routes a click on a button with this action (chat.ActionRerun,
// ActionTrace, ActionTicket). A click that runs nothing has no Command and
// comes with the text to answer it at once ("" for an unknown action).
func (r *Receiver) Click(action string) (Click, string) {
	switch action {
	case chat.ActionRerun:
		return Click{Command: action, Replace: true}, ""
	case chat.ActionTrace:
		return Click{Command: action}, ""
	case chat.ActionTicket:
		if !r.Tickets {
			return Click{}, TicketNotConfigured
		}
		return Click{Command: action}, ""
	}
	return Click{}, ""
}

// Verifier checks that an HTTP request comes from the platform, with the
// shared checks of signedhttp; each adapter's verifier satisfies it.
type Verifier interface {
	Verify(w http.ResponseWriter, r *http.Request) ([]byte, signedhttp.Use, error)
}

// Verified serves the requests v verifies. A request that fails is
// answered with the failure's signedhttp.Status, its reason logged (never
// the headers, the body or the secret), and never reaches next; next
// answers every other one, given its body and whether it was already
// handled, and its acknowledgement is timed.
func (r *Receiver) Verified(v Verifier, next func(w http.ResponseWriter, req *http.Request, body []byte, use signedhttp.Use)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		body, use, err := v.Verify(w, req)
		if err != nil {
			r.Logger.Warn(r.platform+": request refused", "path", req.URL.Path, "remote", req.RemoteAddr, "reason", err)
			status := signedhttp.Status(err)
			http.Error(w, http.StatusText(status), status)
			return
		}
		next(w, req, body, use)
		r.ObserveAck(start)
	})
}

// Link is the state of a platform's long-lived connection (Socket Mode,
// the gateway): whether it is up, for /readyz and the connected gauge, and
// how often it came back.
type Link struct {
	platform string
	metrics  *bot.Metrics // optional
	up       atomic.Bool
	everUp   atomic.Bool
}

// NewLink returns the Link of the named platform, down; its gauge reads 0
// and its count of reconnections starts at zero.
func NewLink(platform string, metrics *bot.Metrics) *Link {
	l := &Link{platform: platform, metrics: metrics}
	if metrics != nil {
		metrics.Reconnects.WithLabelValues(platform)
	}
	l.Set(false)
	return l
}

// Connected reports whether the connection is up now.
func (l *Link) Connected() bool { return l.up.Load() }

// Connect records a new connection: up, and a reconnection unless it is
// the first.
func (l *Link) Connect() {
	if l.everUp.Swap(true) && l.metrics != nil {
		l.metrics.Reconnects.WithLabelValues(l.platform).Inc()
	}
	l.Set(true)
}

// Set records the connection up or down.
func (l *Link) Set(up bool) {
	l.up.Store(up)
	if l.metrics != nil {
		v := 0.0
		if up {
			v = 1
		}
		l.metrics.Connected.WithLabelValues(l.platform).Set(v)
	}
}
