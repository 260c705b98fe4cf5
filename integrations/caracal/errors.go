package caracal

import (
	"errors"
	"fmt"
)

// Error is a non-2xx answer from a Caracal service, decoded from its error
// envelope (API.md §2.2). Code is the envelope's "error" (empty when the body
// was not JSON, e.g. the Go services' plain-text 401 "unauthorized" on
// /metrics.json, in which case Description holds the body's first line).
type Error struct {
	Service     Service `json:"service"`
	Method      string  `json:"method"`
	Path        string  `json:"path"`
	Status      int     `json:"status"`
	Code        string  `json:"code,omitempty"`
	Description string  `json:"description,omitempty"`
	// RequestID is the body's requestId/request_id, else the x-request-id header.
	RequestID string `json:"request_id,omitempty"`
	// RetryAfter is the raw Retry-After header, if any.
	RetryAfter string `json:"retry_after,omitempty"`
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s %s: HTTP %d", e.Service, e.Method, e.Path, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += " (" + e.Description + ")"
	}
	return msg
}

// TransportError means the service could not be reached or did not answer in
// time: connection refused, DNS failure, reset, or a deadline.
type TransportError struct {
	Service Service
	Method  string
	Path    string
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string {
	kind := "unreachable"
	if e.Timeout {
		kind = "timed out"
	}
	return fmt.Sprintf("%s %s %s: %s: %v", e.Service, e.Method, e.Path, kind, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError means a 2xx answer whose body is not the JSON shape API.md describes.
type DecodeError struct {
	Service Service
	Path    string
	Err     error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s %s: unexpected response body: %v", e.Service, e.Path, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// ErrNotConfigured is returned for calls that need a credential or URL the bot
// was not given (e.g. metrics without a bearer).
var ErrNotConfigured = errors.New("not configured")

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// HasCode reports whether err is a Caracal error with the given status and
// code; status 0 matches any status.
func HasCode(err error, status int, code string) bool {
	e, ok := AsError(err)
	return ok && (status == 0 || e.Status == status) && e.Code == code
}

// IsNotFound reports whether err is a 404 from Caracal.
func IsNotFound(err error) bool {
	e, ok := AsError(err)
	return ok && e.Status == 404
}

// IsTransport reports whether err means the service could not be reached.
func IsTransport(err error) bool {
	var t *TransportError
	return errors.As(err, &t)
}
