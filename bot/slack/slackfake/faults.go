package slackfake

import (
	"net/http"
	"strconv"

	"github.com/caracal-bot/caracal-bot/internal/faultlist"
)

// Fault makes a method misbehave. With Error set the method answers 200
// {"ok":false,"error":Error}; otherwise it answers HTTP Status (with a
// Retry-After header for 429).
type Fault struct {
	// Method is the API method ("chat.postMessage"), "files.upload" for
	// the upload POST or "response_url".
	Method string
	// Channel limits the fault to calls for this channel ("" = any).
	Channel    string
	Error      string
	Status     int
	RetryAfter int // seconds, for Status 429
	// After lets this many matching calls through before the fault starts
	// (After: 1 fails the second call, e.g. the first thread reply).
	After int
	// Times is how many calls the fault affects; 0 means every call until
	// ClearFaults.
	Times int
}

// Inject adds a fault. Faults apply in the order they were added; the
// first that matches a call answers it.
func (s *Server) Inject(f Fault) {
	s.faults.Add(faultlist.Match{Key: f.Method, Channel: f.Channel, After: f.After, Times: f.Times}, f)
}

// FailChannel makes method answer ok:false with code for channel ("" = any)
// until ClearFaults, e.g. FailChannel("chat.postMessage", "C1", "not_in_channel").
func (s *Server) FailChannel(method, channel, code string) {
	s.Inject(Fault{Method: method, Channel: channel, Error: code})
}

// RateLimit makes the next times calls of method answer 429 with
// Retry-After: retryAfter seconds.
func (s *Server) RateLimit(method string, times, retryAfter int) {
	s.Inject(Fault{Method: method, Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Times: times})
}

// FailHTTP makes the next times calls of method answer HTTP status
// (0 times = every call until ClearFaults).
func (s *Server) FailHTTP(method string, status, times int) {
	s.Inject(Fault{Method: method, Status: status, Times: times})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// applyFault answers the call with the first matching fault, if any.
func (s *Server) applyFault(w http.ResponseWriter, method, channel string) bool {
	f, hit := s.faults.Take(method, channel)
	switch {
	case !hit:
		return false
	case f.Error != "":
		writeJSON(w, map[string]any{"ok": false, "error": f.Error})
	case f.Status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"ok":false,"error":"ratelimited"}` + "\n"))
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		http.Error(w, http.StatusText(status), status)
	}
	return true
}
