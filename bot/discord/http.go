package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
)

// PathInteractions is served by NewHTTPHandler; configure it (on the bot's
// public URL) as the application's Interactions Endpoint URL.
const PathInteractions = "/discord/interactions"

// InboundOptions configure the inbound side (HTTP interactions and the
// gateway).
type InboundOptions struct {
	platform.Inbound
	// PublicKey is the application's Ed25519 public key in hex, which
	// verifies HTTP interactions (unused by the gateway).
	PublicKey string
	// AppID is the application ID, used for interaction webhooks when an
	// interaction does not carry one.
	AppID      string
	Responders ResponderFactory
	// Guilds, when set, are the only guilds whose interactions are served;
	// any other guild's are refused with an ephemeral message.
	Guilds []string
	// AllowDMs serves interactions from DMs (no guild); off, they are
	// refused with an ephemeral message.
	AllowDMs bool
	// Buttons holds the values of buttons too long for a custom_id: the
	// Poster's store (default: an empty one in memory).
	Buttons platform.ButtonStore
}

// httpInbound serves Discord's HTTP interactions.
type httpInbound struct {
	in *inbound
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
		in.Logger.Error("discord: no valid public key configured; every HTTP interaction will be refused", "err", err)
	}
	h := &httpInbound{in: in}
	mux := http.NewServeMux()
	mux.Handle("POST "+PathInteractions, in.Verified(NewVerifier(opts.PublicKey, opts.MaxBody, in.Now, opts.Replay), h.interaction))
	return mux
}

// interaction maps and answers one verified interaction.
func (h *httpInbound) interaction(w http.ResponseWriter, r *http.Request, body []byte, use signedhttp.Use) {
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
		h.in.Logger.Warn("discord: interaction response not written", "id", i.ID, "err", err)
	}
	// Flush so Acked means the response is on its way, not merely buffered.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// react answers a verified interaction: a first use is handled, one already
// handled is answered as a redelivery and runs nothing.
func (h *httpInbound) react(ctx context.Context, i *discordgo.Interaction, use signedhttp.Use, parentID string) reaction {
	if use == signedhttp.First {
		return h.in.handle(ctx, i, parentID)
	}
	h.in.Logger.Info("discord: interaction already handled; answered without running it again", "id", i.ID)
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
		r.resp = &callback{Type: discordgo.InteractionResponsePong}
	case discordgo.InteractionApplicationCommand:
		r.resp = &callback{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	case discordgo.InteractionMessageComponent:
		r.resp = &callback{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return r
}
