// Package paste reads what a user pasted into a question for the
// diagnosis: a bare request ID, a JSON error body, an SDK message, response
// headers or a start-up error. Its work is linear in the text.
package paste

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// Limits on pasted text.
const (
	MaxBytes       = 64 << 10 // the most text Parse reads
	maxDescription = 512      // Hints.Description is cut to this many bytes
)

// ErrNoRequestID is returned by Parse when the text carries neither a
// request ID nor a recognisable Caracal error.
var ErrNoRequestID = errors.New("no request ID found: paste the request ID, the JSON error body, or the SDK message ending (request_id=...)")

// Parse pulls a request ID and hints out of text a user pasted: a bare
// ID, a JSON error body, an SDK message ending "(request_id=<id>)", HTTP
// response headers (X-Request-Id, status line, WWW-Authenticate), or an SDK or
// engine configuration error (returned with no ID and ErrorCode config_missing).
// Work is linear in the input, which is capped at MaxBytes.
func Parse(text string) (diagnose.Query, error) {
	if len(text) > MaxBytes {
		return diagnose.Query{}, fmt.Errorf("pasted text is %d KiB: paste at most %d KiB (the error body or the line with the request ID is enough)",
			(len(text)+1023)>>10, MaxBytes>>10)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return diagnose.Query{}, ErrNoRequestID
	}
	var q diagnose.Query
	id, found := "", false
	if b, ok := findErrorBody(text); ok {
		q.Hints = b.hints
		id, found = b.requestID, b.requestID != ""
	} else {
		q.Hints.ErrorCode = submatch(reErrorKV, text)
		q.Hints.Description = submatch(reDescKV, text)
	}
	if !found {
		if m := reSDK.FindStringSubmatchIndex(text); m != nil {
			id, found = text[m[2]:m[3]], true
			code, desc := sdkDescription(lineBefore(text, m[0]))
			q.Hints.ErrorCode = cmp.Or(q.Hints.ErrorCode, code)
			q.Hints.Description = cmp.Or(q.Hints.Description, desc)
		}
	}
	if !found {
		id, found = headerID(text)
	}
	if !found {
		id = submatch(reIDKV, text)
		found = id != ""
	}
	q.Hints.Status = findStatus(text, q.Hints.Status)
	if q.Hints.ErrorCode == "" {
		q.Hints.ErrorCode = wwwAuthenticateError(text)
	}
	if q.Hints.ErrorCode == "" {
		if line, ok := configMessage(text); ok {
			q.Hints.ErrorCode = "config_missing"
			q.Hints.Description = cmp.Or(q.Hints.Description, line)
		}
	}
	if !found && q.Hints.ErrorCode == "" && !strings.ContainsAny(text, " \t\r\n") {
		id, found = strings.Trim(text, "`'\""), true // a bare ID
	}
	if !found && q.Hints.ErrorCode != "config_missing" {
		id, found = loneUUID(text, q.Hints.Description)
	}
	q.Hints.ErrorCode = codeOrEmpty(q.Hints.ErrorCode)
	q.Hints.Description = cleanText(q.Hints.Description, maxDescription)
	if found {
		if err := diagnose.ValidateRequestID(id); err != nil {
			return diagnose.Query{}, err
		}
		q.RequestID = id
		return q, nil
	}
	if q.Hints.ErrorCode != "" {
		return q, nil
	}
	return diagnose.Query{}, ErrNoRequestID
}
