package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/bot/signedhttp"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Paths served by NewHTTPHandler; configure them in the Slack app as the
// slash command, interactivity and event subscription request URLs.
const (
	PathCommands     = "/slack/commands"
	PathInteractions = "/slack/interactions"
	PathEvents       = "/slack/events"
)

// ResponderFactory delivers replies on Slack; *Poster satisfies it.
type ResponderFactory interface {
	Responder(t Target) bot.Responder
	Ephemeral(ctx context.Context, t Target, r chat.Reply) error
}

// InboundOptions configure the inbound side (HTTP and Socket Mode).
type InboundOptions struct {
	platform.Inbound
	// SigningSecret verifies HTTP requests (unused by Socket Mode).
	SigningSecret string
	Responders    ResponderFactory
	// GroupsOf returns the permission groups a user belongs to (optional;
	// see UserGroups). It runs in the ack path, so it must be cached.
	GroupsOf func(ctx context.Context, userID string) []string
}

// httpInbound serves Slack's HTTP deliveries.
type httpInbound struct {
	in       *inbound
	verifier *Verifier
}

// NewHTTPHandler serves POST /slack/commands, /slack/interactions and
// /slack/events (405 for other methods, 404 for other paths). Each request
// is verified (signature, 5-minute window, body size) before anything else;
// a failure is answered 401 (413 for an oversized body, 503 when the replay
// store fails) and nothing is dispatched. A verified request already
// handled (Slack's retry with X-Slack-Retry-Num, a replay) is answered an
// empty 200 and not run again. The acknowledgement is immediate: the
// dispatcher's Submit never blocks and slower messages are sent
// asynchronously.
func NewHTTPHandler(opts InboundOptions) http.Handler {
	in := newInbound(opts)
	if opts.SigningSecret == "" {
		in.Logger.Error("slack: no signing secret configured; every HTTP request will be refused")
	}
	h := &httpInbound{in: in, verifier: NewVerifier(opts.SigningSecret, opts.MaxBody, in.Now, opts.Replay)}
	mux := http.NewServeMux()
	mux.Handle("POST "+PathCommands, h.verified(h.commands))
	mux.Handle("POST "+PathInteractions, h.verified(h.interactions))
	mux.Handle("POST "+PathEvents, h.verified(h.events))
	return mux
}

// verified runs next with the body of a verified request seen for the first
// time (see platform.Receiver.Verified); those already handled get an empty
// 200 so that Slack stops retrying them.
func (h *httpInbound) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return h.in.Verified(h.verifier, func(w http.ResponseWriter, r *http.Request, body []byte, use signedhttp.Use) {
		if use == signedhttp.AlreadyHandled {
			h.in.Logger.Info("slack: request already handled; answered without running it again",
				"path", r.URL.Path, "retry", r.Header.Get("X-Slack-Retry-Num"))
			w.WriteHeader(http.StatusOK)
			return
		}
		next(w, r, body)
	})
}

// commands answers a slash command with its ephemeral ack (empty 200 when
// there is none, e.g. for a duplicate).
func (h *httpInbound) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	ack := h.in.slashCommand(r.Context(), slashCommandFromForm(form))
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, ack)
}

// interactions acknowledges an interaction with an empty 200; messages for
// the user go through the response URL.
func (h *httpInbound) interactions(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "missing payload", http.StatusBadRequest)
		return
	}
	if err := h.in.interaction(r.Context(), []byte(form.Get("payload"))); err != nil {
		http.Error(w, "unreadable payload", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// events answers url_verification with the challenge and everything else,
// retries included, with an empty 200.
func (h *httpInbound) events(w http.ResponseWriter, r *http.Request, body []byte) {
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	challenge, err := h.in.event(r.Context(), body, retry)
	switch {
	case err != nil:
		http.Error(w, "unreadable payload", http.StatusBadRequest)
	case challenge != "":
		writeJSON(w, map[string]string{"challenge": challenge})
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// slashCommandFromForm reads a slash command from its verified form body
// (slack.SlashCommandParse would re-read an already consumed body).
func slashCommandFromForm(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{
		TeamID:      f.Get("team_id"),
		ChannelID:   f.Get("channel_id"),
		ChannelName: f.Get("channel_name"),
		UserID:      f.Get("user_id"),
		UserName:    f.Get("user_name"),
		Command:     f.Get("command"),
		Text:        f.Get("text"),
		ResponseURL: f.Get("response_url"),
		TriggerID:   f.Get("trigger_id"),
		APIAppID:    f.Get("api_app_id"),
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}
