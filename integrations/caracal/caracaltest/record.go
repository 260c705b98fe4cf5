package caracaltest

import (
	"net/http"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// RecordedRequest is one request the simulator received.
type RecordedRequest struct {
	Service       caracal.Service // the service that received it
	Method        string          // HTTP method
	Path          string          // path at the service's root (without a Handler prefix)
	Query         string          // raw query string
	Authorization bool            // an Authorization header was present
}

// Requests returns the requests received so far (the latest 10000), oldest first.
func (s *Simulator) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.log...)
}

// WriteAttempts counts requests with a method other than GET.
func (s *Simulator) WriteAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// ResetRequests clears the request log and the write-attempt count.
func (s *Simulator) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.writes = nil, 0
}

func (s *Simulator) record(svc caracal.Service, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= maxRecorded {
		s.log = append(s.log[:0], s.log[len(s.log)-maxRecorded+1:]...)
	}
	s.log = append(s.log, RecordedRequest{
		Service: svc, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization") != "",
	})
	if r.Method != http.MethodGet {
		s.writes++
	}
}
