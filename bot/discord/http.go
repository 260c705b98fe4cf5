package discord

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

// PathInteractions is served by NewHTTPHandler; configure it (on the bot's
// public URL) as the application's Interactions Endpoint URL.
const PathInteractions = "/discord/interactions"

// InboundOptions configure the inbound side (HTTP interactions and the
// gateway).
type InboundOptions struct {
	// PublicKey is the application's Ed25519 public key in hex, which
	// verifies HTTP interactions (unused by the gateway).
	PublicKey string
	// AppID is the application ID, used for interaction webhooks when an
	// interaction does not carry one.
	AppID      string
	Dispatcher Submitter
	Responders ResponderFactory
	Metrics    *bot.Metrics // optional
	Logger     *slog.Logger // optional
	// Now is the clock (default time.Now); tests inject one.
	Now func() time.Time
	// MaxBody bounds HTTP request bodies (default signedhttp.DefaultMaxBody).
	MaxBody int64
	// Tickets turns the Upload bundle to ticket button into the ticket
	// command (posted in the diagnosis thread); off, it answers that
	// tickets are not configured.
	Tickets bool
	// Guilds, when set, are the only guilds whose interactions are served;
	// any other guild's are refused with an ephemeral message.
	Guilds []string
	// AllowDMs serves interactions from DMs (no guild); off, they are
	// refused with an ephemeral message.
	AllowDMs bool
	// Replay remembers the signatures of handled requests (default in
	// memory; a file remembers them across restarts, a shared store across
	// replicas).
	Replay signedhttp.ReplayStore
}

// httpInbound serves Discord's HTTP interactions.
type httpInbound struct {
	in       *inbound
	verifier *Verifier
}

// NewHTTPHandler serves POST /discord/interactions (405 for other methods,
// 404 for other paths). Each request is verified (Ed25519 signature,
// 5-minute window, body size) before anything else; a failure is answered
// 401 (413 for an oversized body, 503 when the replay store fails) and
// nothing is dispatched. The HTTP response is the interaction response
// (type 1 pong, 4 message, 5 deferred message, 6 deferred update), written
// at once: the dispatcher's Submit never blocks. An interaction already
// handled (a replay) is not run again: it gets the idempotent answer of a
// redelivery. An interaction the bot does not handle is answered 400.
func NewHTTPHandler(opts InboundOptions) http.Handler {
	in := newInbound(opts)
	if _, err := ParsePublicKey(opts.PublicKey); err != nil {
		in.log.Error("discord: no valid public key configured; every HTTP interaction will be refused", "err", err)
	}
	h := &httpInbound{in: in, verifier: NewVerifier(opts.PublicKey, opts.MaxBody, in.now, opts.Replay)}
	mux := http.NewServeMux()
	mux.Handle("POST "+PathInteractions, h)
	return mux
}

// ServeHTTP verifies, maps and answers one interaction.
func (h *httpInbound) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, use, err := h.verifier.Verify(w, r)
	if err != nil {
		// The reason only: never the headers, the body or the key.
		h.in.log.Warn("discord: interaction refused", "remote", r.RemoteAddr, "reason", err)
		status := signedhttp.Status(err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	i, err := decodeInteraction(body)
	if err != nil {
		http.Error(w, "unreadable interaction", http.StatusBadRequest)
		return
	}
	res := h.react(r.Context(), i, use, threadParent(body, i.ChannelID))
	defer res.sent()
	if res.resp == nil {
		http.Error(w, "unsupported interaction", http.StatusBadRequest)
		return
	}
	b, err := json.Marshal(res.resp)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if _, err := w.Write(b); err != nil {
		h.in.log.Warn("discord: interaction response not written", "id", i.ID, "err", err)
	}
	// Flush so Acked means the response is on its way, not merely buffered.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	h.in.observeAck(start)
}

// react answers a verified interaction: a first use is handled, one already
// handled is answered as a redelivery and runs nothing.
func (h *httpInbound) react(ctx context.Context, i *discordgo.Interaction, use signedhttp.Use, parentID string) reaction {
	if use == signedhttp.First {
		return h.in.handle(ctx, i, parentID)
	}
	h.in.log.Info("discord: interaction already handled; answered without running it again", "id", i.ID)
	return redelivered(i)
}

// redelivered is the answer to an interaction already handled, the one it
// got when it was dispatched, each idempotent: the pong of a ping, the
// deferral of a command, the deferred update of a button. Other types get
// no response.
func redelivered(i *discordgo.Interaction) reaction {
	r := reaction{redelivery: true}
	switch i.Type {
	case discordgo.InteractionPing:
		r.resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
	case discordgo.InteractionApplicationCommand:
		r.resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	case discordgo.InteractionMessageComponent:
		r.resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return r
}
