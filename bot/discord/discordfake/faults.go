package discordfake

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/caracal-bot/caracal-bot/internal/faultlist"
)

// Routes, the names of Calls and Fault.Route: ServeMux patterns below
// APIPrefix.
const (
	RouteCommands       = "PUT /applications/{app}/commands"
	RouteGuildCommands  = "PUT /applications/{app}/guilds/{guild}/commands"
	RouteCallback       = "POST /interactions/{id}/{token}/callback"
	RouteEditOriginal   = "PATCH /webhooks/{app}/{token}/messages/@original"
	RouteDeleteOriginal = "DELETE /webhooks/{app}/{token}/messages/@original"
	RouteFollowup       = "POST /webhooks/{app}/{token}"
	RouteCreateMessage  = "POST /channels/{channel}/messages"
	RouteEditMessage    = "PATCH /channels/{channel}/messages/{message}"
	RouteStartThread    = "POST /channels/{channel}/messages/{message}/threads"
	RouteGateway        = "GET /gateway"
	RouteGatewayBot     = "GET /gateway/bot"
)

// Discord JSON error codes the fake answers.
const (
	CodeUnknownChannel     = 10003
	CodeUnknownMessage     = 10008
	CodeUnknownWebhook     = 10015
	CodeUnknownInteraction = 10062
	CodeMissingAccess      = 50001
	CodeMissingPermissions = 50013
	CodeEmptyMessage       = 50006
	CodeInvalidFormBody    = 50035
	CodeAlreadyAcked       = 40060
	CodeThreadExists       = 160004
)

// Fault makes a route misbehave. With Status 429 it answers Discord's rate
// limit body {"message","retry_after","global"} (and a Retry-After header,
// but no X-RateLimit-Reset-After, so discordgo's own limiter never
// sleeps); with Code it answers Status (default 400) and
// {"message","code"}; otherwise the bare Status.
type Fault struct {
	Route string // a Route constant
	// Channel limits the fault to one channel (or thread, or an
	// interaction's channel); "" = any.
	Channel    string
	Status     int
	Code       int
	Message    string
	RetryAfter float64 // seconds, for 429
	Global     bool
	// After lets this many matching calls through before the fault starts.
	After int
	// Times is how many calls the fault affects; 0 means every call until
	// ClearFaults.
	Times int
}

// Inject adds a fault. Faults apply in the order they were added; the
// first that matches a call answers it.
func (s *Server) Inject(f Fault) {
	s.faults.Add(faultlist.Match{Key: f.Route, Channel: f.Channel, After: f.After, Times: f.Times}, f)
}

// RateLimit makes the next times calls of route answer 429 with this
// retry_after in seconds.
func (s *Server) RateLimit(route string, times int, retryAfter float64) {
	s.Inject(Fault{Route: route, Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Times: times})
}

// FailHTTP makes the next times calls of route answer HTTP status (0 times
// = every call until ClearFaults).
func (s *Server) FailHTTP(route string, status, times int) {
	s.Inject(Fault{Route: route, Status: status, Times: times})
}

// FailCode makes route answer Discord error code (e.g. 50001 missing
// access, with status 403) for channel ("" = any), times calls (0 = until
// ClearFaults).
func (s *Server) FailCode(route, channel string, status, code, times int) {
	s.Inject(Fault{Route: route, Channel: channel, Status: status, Code: code, Times: times})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// applyFault answers the call with the first matching fault, if any.
func (s *Server) applyFault(w http.ResponseWriter, route, channel string) bool {
	f, hit := s.faults.Take(route, channel)
	switch {
	case !hit:
		return false
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter))))
		if f.Global {
			w.Header().Set("X-RateLimit-Global", "true")
		}
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.",
			"retry_after": f.RetryAfter, "global": f.Global})
	case f.Code != 0:
		status := f.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		msg := f.Message
		if msg == "" {
			msg = codeMessage(f.Code)
		}
		writeError(w, status, f.Code, msg)
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeJSON(w, status, map[string]any{"message": http.StatusText(status), "code": 0})
	}
	return true
}

// codeMessage is Discord's message for an error code.
func codeMessage(code int) string {
	switch code {
	case CodeUnknownChannel:
		return "Unknown Channel"
	case CodeUnknownMessage:
		return "Unknown Message"
	case CodeUnknownWebhook:
		return "Unknown Webhook"
	case CodeUnknownInteraction:
		return "Unknown interaction"
	case CodeMissingAccess:
		return "Missing Access"
	case CodeMissingPermissions:
		return "Missing Permissions"
	case CodeEmptyMessage:
		return "Cannot send an empty message"
	case CodeAlreadyAcked:
		return "Interaction has already been acknowledged."
	case CodeThreadExists:
		return "A thread has already been created for this message"
	}
	return "Invalid Form Body"
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
