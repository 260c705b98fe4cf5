// Package ticketstest fakes the ticket systems over HTTP for tests: Jira's
// REST v2 issue, attachment, comment and JQL search endpoints (Cloud's
// /search/jql, or Server's /search), GitHub's issue and comment endpoints
// with the labelled issue list (pull requests included), and a webhook
// receiver that verifies signatures and answers in the shape asked. Each
// fake records what it received, checks credentials, and can be taken down
// or made to answer faults (5xx, 429 with Retry-After) for a number of calls.
package ticketstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// File is an attachment a fake received.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Issue is a ticket a fake holds.
type Issue struct {
	ID          string
	Title       string
	Body        string
	Labels      []string
	Attachments []File
	Comments    []string
	Extra       map[string]string // system-specific fields (Jira project, issue type)
	// PullRequest marks a GitHub pull request, which GitHub lists with the
	// issues (see AddPullRequest).
	PullRequest bool
}

// Fault is an answer a fake gives instead of serving, for Times calls.
type Fault struct {
	Status int
	// RetryAfter is sent as the Retry-After header when not "".
	RetryAfter string
	// Header adds more headers (e.g. GitHub's x-ratelimit-*).
	Header http.Header
	// Body is the answer's body (default: a JSON error).
	Body  string
	Times int
}

// Server is one fake ticket system.
type Server struct {
	URL string

	mu       sync.Mutex
	requests []Request
	issues   []*Issue
	faults   []Fault
	down     bool
	gate     chan struct{}
	arrived  chan struct{}
	route    func(s *Server, w http.ResponseWriter, r *http.Request, body []byte)
	authOK   func(r *http.Request) bool
}

func start(t testing.TB, route func(*Server, http.ResponseWriter, *http.Request, []byte), authOK func(*http.Request) bool) *Server {
	t.Helper()
	s := &Server{route: route, authOK: authOK}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// ServeHTTP records the request, applies faults and credentials, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	down := s.down
	var fault *Fault
	if len(s.faults) > 0 {
		f := s.faults[0]
		fault = &f
		if s.faults[0].Times--; s.faults[0].Times <= 0 {
			s.faults = s.faults[1:]
		}
	}
	gate, arrived := s.gate, s.arrived
	s.mu.Unlock()
	switch {
	case down:
		http.Error(w, `{"message":"service unavailable"}`, http.StatusServiceUnavailable)
		return
	case fault != nil:
		for k, vs := range fault.Header {
			w.Header()[k] = vs
		}
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		w.WriteHeader(fault.Status)
		_, _ = io.WriteString(w, cmpOr(fault.Body, `{"message":"fault `+strconv.Itoa(fault.Status)+`"}`))
		return
	case s.authOK != nil && !s.authOK(r):
		http.Error(w, `{"message":"bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if gate != nil && r.Method == http.MethodPost {
		if arrived != nil {
			select {
			case arrived <- struct{}{}:
			default:
			}
		}
		<-gate
	}
	s.route(s, w, r, body)
}

// Inject queues a fault for the next f.Times calls (default 1).
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

// SetDown makes every call answer 503 (true) or serve again (false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Hold makes POSTs wait until release is called; arrived receives once per
// held POST (buffered 16), so a test knows the first click is in flight.
func (s *Server) Hold() (arrived <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate, ch := make(chan struct{}), make(chan struct{}, 16)
	s.gate, s.arrived = gate, ch
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.mu.Lock()
			s.gate, s.arrived = nil, nil
			s.mu.Unlock()
			close(gate)
		})
	}
}

// Requests returns copies of the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Attempts counts the requests received whose path ends with suffix ("" = all).
func (s *Server) Attempts(suffix string) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// Received returns every header value and body received, joined, so a test
// can check that a secret never reached the ticket system.
func (s *Server) Received() string {
	var b strings.Builder
	for _, r := range s.Requests() {
		b.WriteString(r.Method + " " + r.Path + "\n")
		for k, vs := range r.Header {
			if k != "Authorization" {
				b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
			}
		}
		b.Write(r.Body)
		b.WriteString("\n")
	}
	return b.String()
}

// Issues returns copies of the issues created.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, len(s.issues))
	for i, is := range s.issues {
		out[i] = *is
		out[i].Comments = append([]string(nil), is.Comments...)
		out[i].Attachments = append([]File(nil), is.Attachments...)
	}
	return out
}

// AddPullRequest plants a pull request with labels in a GitHub fake: it
// takes the next issue number and shows in the issue list, as on GitHub.
func (s *Server) AddPullRequest(title string, labels ...string) string {
	return s.addIssue(&Issue{Title: title, Labels: labels, PullRequest: true}, strconv.Itoa).ID
}

// addIssue stores a new issue, its ID made by idFor from its number (1, 2...).
func (s *Server) addIssue(is *Issue, idFor func(n int) string) *Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	is.ID = idFor(len(s.issues) + 1)
	s.issues = append(s.issues, is)
	return is
}

// withIssue runs f on the issue with id under the lock; false when none.
func (s *Server) withIssue(id string, f func(is *Issue)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, is := range s.issues {
		if is.ID == id {
			f(is)
			return true
		}
	}
	return false
}

func cmpOr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
