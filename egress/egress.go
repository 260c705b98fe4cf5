// Package egress builds the HTTP clients the bot reaches the outside world
// with. Every client refuses to follow a redirect to another origin, so a
// credential configured for one service never reaches another; the
// clients that carry the bot's own words (chat platforms, ticket systems,
// webhooks) also remove the bot's configured secrets from every request
// body (redact.NewTransport).
package egress

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/redact"
)

// maxRedirects bounds same-origin redirects, as net/http's default does.
const maxRedirects = 10

// RedirectError is a redirect the bot refused to follow: it points to
// another origin (scheme, host or port). Neither URL carries credentials,
// a query or a fragment.
type RedirectError struct {
	From, To string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("refused to follow a redirect from %s to %s (another origin): caracal-bot never sends its credentials across origins; point the bot at %s if that is where the service lives",
		e.From, e.To, e.To)
}

// SameOrigin is an http.Client CheckRedirect that follows redirects only
// within the origin of the first request, at most 10 of them.
func SameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if Origin(req.URL) != Origin(via[0].URL) {
		return &RedirectError{From: Display(via[0].URL), To: Display(req.URL)}
	}
	return nil
}

// Origin is a URL's scheme, host and port, the port made explicit.
func Origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// Display is a URL fit for a message: scheme, host and path, without
// userinfo, query or fragment.
func Display(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// AsRedirect returns the refused redirect in err's chain, if any.
func AsRedirect(err error) (*RedirectError, bool) {
	var r *RedirectError
	ok := errors.As(err, &r)
	return r, ok
}

// New returns a client with a per-request timeout that refuses redirects
// to another origin and, when s is set, scrubs request bodies (see Client).
func New(timeout time.Duration, s *redact.Scrubber, own ...string) *http.Client {
	return Client(&http.Client{Timeout: timeout}, s, own...)
}

// Client returns a copy of c (a new client when nil) that refuses
// redirects to another origin, whatever c's own policy was, and, when s is
// set, removes s's configured secrets from every request body except own:
// the client's own credentials, which its service must receive (Slack's Web
// API takes the bot token in the form). Every package that sends
// credentials or the bot's words passes the client it is given through
// here, so none can send them any other way.
func Client(c *http.Client, s *redact.Scrubber, own ...string) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	cp.CheckRedirect = SameOrigin
	if s != nil {
		cp.Transport = redact.NewTransport(cp.Transport, s.Except(own...))
	}
	return &cp
}
