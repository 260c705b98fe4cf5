// Package paste reads what a user pasted into a question for the
// diagnosis: a bare request ID, a JSON error body, an SDK message or
// traceback, an inspected error, response headers, a log line or a start-up
// error. Its work is linear in the text.
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

// Parse pulls a request ID, an approval ID and hints out of text a user
// pasted. It takes a request ID only from places that carry one: a JSON
// body's requestId, an SDK message's "(request_id=<id>)", the response's
// X-Request-Id header, an inspected error's requestId property or a log's
// request_id key; never from the source lines of a traceback, and never a
// placeholder such as undefined, null or None. An approval hold (401
// interaction_required, "human approval required (approval <id>)", Go's
// "approval required: ...") comes back with ErrorCode interaction_required
// and the approval's ID when the text names it; an SDK, runtime or CLI
// configuration error with ErrorCode config_missing and no ID.
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
	p := read(text)
	var q diagnose.Query
	h := &q.Hints
	body, hasBody := findErrorBody(p.prose)
	id := body.requestID
	h.ErrorCode, h.Description, h.Status = body.hints.ErrorCode, body.hints.Description, body.hints.Status
	sdkID, desc, sdk := sdkMessage(p.prose)
	if sdk {
		id = cmp.Or(id, sdkID)
		code, d := sdkDescription(desc)
		h.ErrorCode = cmp.Or(h.ErrorCode, code)
		h.Description = cmp.Or(h.Description, d)
	}
	if id == "" {
		id = headerID(p.prose)
	}
	props := inspectedProps(p.prose)
	id = cmp.Or(id, props.requestID, logKeyID(p.prose))
	h.Status = cmp.Or(findStatus(p.prose), props.status, h.Status)
	h.ErrorCode = cmp.Or(h.ErrorCode, wwwAuthenticateError(p.prose), props.code, p.exception.code())
	if !hasBody {
		h.ErrorCode = cmp.Or(h.ErrorCode, submatch(reErrorKV, p.prose))
		h.Description = cmp.Or(h.Description, submatch(reDescKV, p.prose))
	}
	hold, holdDesc := approvalHold(p.prose)
	if hold && h.ErrorCode == "" {
		h.ErrorCode = "interaction_required"
	}
	h.Description = cmp.Or(h.Description, holdDesc, p.exception.message)
	describedHints(h)
	if h.ErrorCode == "" {
		if line, ok := configMessage(p.prose); ok {
			h.ErrorCode = "config_missing"
			h.Description = cmp.Or(h.Description, stripLinePrefix(line))
		}
	}
	if h.ErrorCode == "interaction_required" {
		q.ApprovalID = cmp.Or(body.approvalID, props.approvalID, submatch(reApprovalMsg, p.prose))
	}
	if id == "" && h.ErrorCode == "" && !strings.ContainsAny(text, " \t\r\n") {
		id = strings.Trim(text, "`'\"") // a bare ID
	}
	if id == "" && h.ErrorCode == "" && q.ApprovalID == "" {
		id = loneUUID(p.prose, h.Description)
	}
	h.ErrorCode = codeOrEmpty(h.ErrorCode)
	h.Description = cleanText(h.Description, maxDescription)
	switch {
	case id != "" || (sdk && body.requestID == ""): // "(request_id=)" is an empty ID, not none
		if err := diagnose.ValidateRequestID(id); err != nil {
			return diagnose.Query{}, err
		}
		q.RequestID = id
	case h.ErrorCode == "":
		return diagnose.Query{}, ErrNoRequestID
	}
	return q, nil
}
