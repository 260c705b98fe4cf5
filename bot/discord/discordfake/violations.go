package discordfake

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"
)

// Violation is a request the fake refused as Discord would: a field the
// API does not define, a null, a limit exceeded, an empty message, an
// upload too large. Start fails the test on any (see ExpectViolations).
type Violation struct {
	Route   string // a Route constant
	Status  int
	Code    int
	Path    string // the field at fault, e.g. "embeds.0.description"; "" for the body
	Message string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %d (code %d) %s: %s", v.Route, v.Status, v.Code, v.Path, v.Message)
}

// Violations are the requests refused so far, in order.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// ExpectViolations says the test sends refused requests on purpose: Start
// does not fail it for them.
func (s *Server) ExpectViolations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expectViolations = true
}

// failOnViolations is Start's check when the test ends.
func (s *Server) failOnViolations(t testing.TB) {
	s.mu.Lock()
	expected, vs := s.expectViolations, slices.Clone(s.violations)
	s.mu.Unlock()
	if expected {
		return
	}
	for _, v := range vs {
		t.Errorf("discordfake: Discord would refuse this request: %s", v)
	}
}

// refuse records the violation and answers it with Discord's error shape:
// {"code", "message", "errors"} for an invalid form body, the field at
// fault nested in "errors".
func (s *Server) refuse(w http.ResponseWriter, route string, p *problem) {
	s.mu.Lock()
	s.violations = append(s.violations, Violation{Route: route, Status: p.status, Code: p.code, Path: p.path, Message: p.msg})
	s.mu.Unlock()
	body := map[string]any{"code": p.code, "message": p.msg}
	if p.code == CodeInvalidFormBody {
		body["message"] = "Invalid Form Body"
		body["errors"] = errorTree(p.path, p.msg)
	}
	writeJSON(w, p.status, body)
}

// CheckInteractionResponse checks the body of an answer to an HTTP
// interaction (which Discord receives as the response, not as a request
// to the fake) as the fake checks a callback; nil when Discord would take it.
func CheckInteractionResponse(body []byte) error {
	req, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	p, err := readPayload(req, true)
	if err != nil {
		return err
	}
	if pr := p.check(RouteCallback, false); pr != nil {
		return fmt.Errorf("%d (code %d) %s: %s", pr.status, pr.code, pr.path, pr.msg)
	}
	return nil
}
