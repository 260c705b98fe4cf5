package caracal

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrInvalidArgument is returned, wrapped, for arguments that cannot form a
// request, such as an empty id; no request is sent.
var ErrInvalidArgument = errors.New("invalid argument")

// pathParam is one named path parameter value, escaped into a single segment.
type pathParam struct{ name, value string }

// param names a path parameter for buildPath.
func param(name, value string) pathParam { return pathParam{name, value} }

// buildPath fills the %s verbs of format with the escaped parameters. Each
// value becomes exactly one path segment: url.PathEscape escapes '/', '?' and
// '#', and the dot segments "." and ".." are percent-encoded so that neither
// the client nor a proxy can resolve them. Empty values are refused.
func buildPath(format string, params ...pathParam) (string, error) {
	args := make([]any, len(params))
	for i, p := range params {
		if p.value == "" {
			return "", fmt.Errorf("caracal: empty %s: %w", p.name, ErrInvalidArgument)
		}
		args[i] = escapeSegment(p.value)
	}
	return fmt.Sprintf(format, args...), nil
}

// escapeSegment escapes s as one path segment.
func escapeSegment(s string) string {
	if s == "." || s == ".." {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}
