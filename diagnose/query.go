package diagnose

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Symptom words a caller may add to a query (ROUTER.md "Input: a query").
const (
	SymptomNoAudit = "no-audit" // the call worked but no audit event was written
	SymptomRevoked = "revoked"  // access continues after a revocation
)

// Limits on request IDs.
const (
	MaxRequestIDLen = 128 // Caracal's Gateway bound on X-Request-Id (API.md §2.1)
	maxEcho         = 40  // characters of bad input an error message repeats
)

// RequestIDError reports a request ID that is not 1–128 printable ASCII
// characters. Its message is a one-line, user-facing explanation.
type RequestIDError struct{ msg string }

// Error returns the user-facing message.
func (e *RequestIDError) Error() string { return e.msg }

// Hints are what the caller saw, all optional.
type Hints struct {
	Status      int    `json:"status,omitempty"`            // HTTP status the caller saw
	ErrorCode   string `json:"error,omitempty"`             // e.g. access_denied, invalid_token, config_missing
	Description string `json:"error_description,omitempty"` // the error_description, free text
	Symptom     string `json:"symptom,omitempty"`           // "", SymptomNoAudit or SymptomRevoked
}

// Query is one question for the router: why did this request fail?
// RequestID is empty when the caller has an error but no ID (config_missing,
// in-process verifier errors, which never carry one); the router then
// reasons from the hints alone.
type Query struct {
	RequestID string `json:"request_id"`
	ZoneID    string `json:"zone_id,omitempty"` // zone asked; "" = default
	// ApprovalID names the approval of a hold the caller saw (401
	// interaction_required); its state is read from STS GET /approvals/{id}.
	ApprovalID string `json:"approval_id,omitempty"`
	Hints      Hints  `json:"hints"`
}

// Validate checks the query as a command would build it: a valid request ID,
// or none with an error code to diagnose from; a known symptom; a plausible status.
func (q Query) Validate() error {
	if q.RequestID != "" || q.Hints.ErrorCode == "" {
		if err := ValidateRequestID(q.RequestID); err != nil {
			return err
		}
	}
	if q.Hints.Status != 0 && (q.Hints.Status < 100 || q.Hints.Status > 599) {
		return fmt.Errorf("HTTP status %d is not a status code: expected 100–599", q.Hints.Status)
	}
	return ValidateSymptom(q.Hints.Symptom)
}

// ValidateRequestID accepts 1–128 printable ASCII characters (0x21–0x7E), the
// rule Caracal's Gateway applies to X-Request-Id. The error says what was
// expected and repeats at most 40 characters of the input, escaped.
func ValidateRequestID(id string) error {
	const want = "expected 1–128 printable ASCII characters without spaces, e.g. 01a028ea-d354-7443-96e4-46e5643d943c"
	if id == "" {
		return &RequestIDError{"request ID is empty: " + want}
	}
	if len(id) > MaxRequestIDLen {
		return &RequestIDError{fmt.Sprintf("request ID %s is %d bytes long: %s", echo(id), len(id), want)}
	}
	for i, pos := 0, 1; i < len(id); pos++ {
		r, size := utf8.DecodeRuneInString(id[i:])
		if r < 0x21 || r > 0x7E {
			return &RequestIDError{fmt.Sprintf("request ID %s has %s at position %d: %s", echo(id), describeRune(r, size), pos, want)}
		}
		i += size
	}
	return nil
}

// ValidateSymptom accepts "", "no-audit" and "revoked".
func ValidateSymptom(s string) error {
	switch s {
	case "", SymptomNoAudit, SymptomRevoked:
		return nil
	}
	return fmt.Errorf("unknown symptom %s: expected %s (the call worked but no audit event) or %s (access continues after revocation)",
		echo(s), SymptomNoAudit, SymptomRevoked)
}

// echo quotes at most maxEcho characters of s with control characters escaped.
func echo(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxEcho {
		return strconv.Quote(s)
	}
	n := 0
	for i := range s {
		if n == maxEcho {
			return strconv.Quote(s[:i] + "…")
		}
		n++
	}
	return strconv.Quote(s)
}

func describeRune(r rune, size int) string {
	switch {
	case r == utf8.RuneError && size == 1:
		return "an invalid UTF-8 byte"
	case r == ' ':
		return "a space"
	case r < 0x20 || r == 0x7F:
		return fmt.Sprintf("a control character (%U)", r)
	default:
		return fmt.Sprintf("a non-ASCII character %q (%U)", r, r)
	}
}
