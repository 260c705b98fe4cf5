// Package tickets files escalation tickets for diagnoses: one Ticketer
// interface with Jira (REST v2), GitHub Issues and generic-webhook
// implementations, an idempotency Store so a double click (or two replicas
// handling one click) yields one ticket, a lookup in the ticket system
// itself (Finder, by the key's Marker label) so that two runs or a restart
// without shared state do too, and a Spool directory where a ticket that
// could not be delivered waits, with its bundle, to be retried.
//
// A ticket's text is a Doc, rendered per system (Markdown, JiraWiki) with
// every echoed value escaped for that system's markup, and fitted to the
// system's limits with a note saying the rest is in the bundle.
//
// A Service ties them together: Submit creates the ticket, or answers with the
// existing one and comments when the diagnosis changed, or spools it. Tokens
// are only ever sent in Authorization headers; errors never carry them.
package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Ticket system names, as used in configuration and `ticket --to`.
const (
	SystemJira    = "jira"
	SystemGitHub  = "github"
	SystemWebhook = "webhook"
)

// Systems lists the ticket system names in their documented order.
func Systems() []string { return []string{SystemJira, SystemGitHub, SystemWebhook} }

// Ticket is what a Ticketer files.
type Ticket struct {
	// Key is the idempotency key (see Key); receivers that can deduplicate use it.
	Key string `json:"key"`
	// Title is the one-line summary.
	Title string `json:"title"`
	// Body is the readable summary.
	Body Doc `json:"body"`
	// DiagnosisHash fingerprints the diagnosis the ticket reports (see
	// DiagnosisHash); Jira and GitHub keep it in a marker line of the body.
	DiagnosisHash string `json:"diagnosis_hash,omitempty"`
	// Labels are attached where the system supports them.
	Labels []string `json:"labels,omitempty"`
	// Attachment is the diagnostic bundle; nil when there is none.
	Attachment *Attachment `json:"-"`
	// BundleLink is where the bundle can be fetched when the system takes no
	// attachments (a chat file permalink); "" when unknown.
	BundleLink string `json:"bundle_link,omitempty"`
}

// Attachment is a file attached to a ticket.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Update is a comment on a filed ticket: the diagnosis changed.
type Update struct {
	// Body is the comment.
	Body Doc
	// DiagnosisHash fingerprints the new diagnosis; Jira and GitHub keep it
	// in a marker line of the comment.
	DiagnosisHash string
	// BundleName names the bundle the new diagnosis is in (for the note of
	// a comment cut to the system's limit).
	BundleName string
}

// Ref identifies a filed ticket.
type Ref struct {
	// System is the ticket system's name (SystemJira...).
	System string `json:"system"`
	// ID is the system's identifier: a Jira key (OPS-12), a GitHub issue
	// number, the webhook receiver's id.
	ID string `json:"id"`
	// URL is where people read the ticket; "" when the system gave none.
	URL string `json:"url,omitempty"`
}

// String renders the ref as "OPS-12 (jira)".
func (r Ref) String() string {
	id := r.ID
	if r.System == SystemGitHub {
		id = "#" + id
	}
	return id + " (" + r.System + ")"
}

// Ticketer files tickets in one system.
type Ticketer interface {
	// Name is the system's name (SystemJira, SystemGitHub, SystemWebhook).
	Name() string
	// Create files the ticket and, where the system supports it, attaches
	// t.Attachment. When the ticket was created but the attachment failed it
	// returns the Ref with an *AttachError.
	Create(ctx context.Context, t Ticket) (Ref, error)
	// Comment adds a comment to an existing ticket.
	Comment(ctx context.Context, ref Ref, u Update) error
}

// Finder is a Ticketer that can look up, in the ticket system, the ticket
// it filed for an idempotency key (by its Marker), and the diagnosis hash
// that ticket last reported.
type Finder interface {
	// Find returns the ticket of key; found is false when there is none.
	// An error means the system could not say.
	Find(ctx context.Context, key string) (rec Record, found bool, err error)
}

// attachmentTaker is implemented by Ticketers that say whether they store
// attachments; those that do not are assumed to.
type attachmentTaker interface{ TakesAttachments() bool }

// TakesAttachments reports whether t stores Ticket.Attachment itself.
func TakesAttachments(t Ticketer) bool {
	if a, ok := t.(attachmentTaker); ok {
		return a.TakesAttachments()
	}
	return true
}

// Error is a failed call to a ticket system. It never holds a token or an
// Authorization header: response text is clipped and scrubbed of the
// system's credentials.
type Error struct {
	// System is the ticket system's name.
	System string
	// Op is what was attempted: "create issue", "attach bundle", "comment".
	Op string
	// Status is the last HTTP status; 0 when no answer came (transport error).
	Status int
	// Message is the clipped, redacted text of the last answer.
	Message string
	// RetryAfter is the wait the system last asked for (429), 0 when none.
	RetryAfter time.Duration
	// Attempts is how many requests were sent.
	Attempts int
	// Err is the transport or context error, if any.
	Err error
}

// Error renders "jira: create issue: HTTP 503 after 4 attempts: message".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: ", e.System, e.Op)
	switch {
	case e.Status != 0:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("failed")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (rate limited; retry after %s)", e.RetryAfter.Round(time.Second))
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Unwrap returns the transport or context error.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether a later attempt may succeed: no answer, a rate
// limit or a server error.
func (e *Error) Temporary() bool {
	return e.Status == 0 || e.Status == 429 || e.Status >= 500 || e.RetryAfter > 0
}

// AttachError means the ticket was created but its attachment failed.
type AttachError struct {
	Ref Ref
	Err error
}

// Error says the ticket exists and why the bundle is not on it.
func (e *AttachError) Error() string {
	return "ticket " + e.Ref.String() + " created, but the bundle could not be attached: " + e.Err.Error()
}

// Unwrap returns the attachment's error.
func (e *AttachError) Unwrap() error { return e.Err }

// SystemError names a ticket system that is not configured.
type SystemError struct {
	Name       string
	Configured []string
}

// Error names the system and the configured ones.
func (e *SystemError) Error() string {
	return fmt.Sprintf("ticket system %q is not configured (configured: %s)", e.Name, strings.Join(e.Configured, ", "))
}

// ErrNotConfigured is returned by FromConfig when no ticket system is set up.
var ErrNotConfigured = errors.New("tickets are not configured: set JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN and JIRA_PROJECT, or GITHUB_REPO and GITHUB_TOKEN, or TICKET_WEBHOOK_URL")
