package discord

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/egress"
)

// DefaultAPIURL is Discord's REST base (DISCORD_API_URL) for the API
// version the bot speaks (discordapi.Version). discordgo v0.29.0 has v9
// built into its Endpoint* variables: NewTransport rewrites them.
const DefaultAPIURL = "https://discord.com" + discordapi.PathPrefix

// defaultHTTPTimeout bounds one REST call when the caller gives no client,
// as discordgo.New does.
const defaultHTTPTimeout = 20 * time.Second

// NewTransport returns a RoundTripper that sends discordgo's requests for
// https://discord.com/api/v9/... to apiURL instead (scheme, host and path
// prefix: "http://127.0.0.1:5000/api/v10/channels/1/messages" for apiURL
// "http://127.0.0.1:5000/api/v10"), through base (http.DefaultTransport
// when nil). apiURL "" means DefaultAPIURL, API v10 on discord.com. Requests for any other host go out
// unchanged but without their Authorization header, so the bot token only
// ever reaches the configured API host.
func NewTransport(apiURL string, base http.RoundTripper) (http.RoundTripper, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil, fmt.Errorf("discord API URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("discord API URL %q: scheme must be http or https", apiURL)
	case u.Host == "":
		return nil, fmt.Errorf("discord API URL %q: no host", apiURL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("discord API URL %q: must not carry credentials, a query or a fragment", apiURL)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	from, err := url.Parse(strings.TrimSuffix(discordgo.EndpointAPI, "/"))
	if err != nil {
		return nil, fmt.Errorf("discordgo.EndpointAPI: %w", err)
	}
	return &rewriter{from: from, target: u, prefix: strings.TrimSuffix(u.EscapedPath(), "/"), base: base}, nil
}

// rewriter is the RoundTripper of NewTransport.
type rewriter struct {
	from   *url.URL // where discordgo aims every REST call: it has no base-URL option
	target *url.URL
	prefix string // the target's escaped path without a trailing "/"
	base   http.RoundTripper
}

// RoundTrip rewrites requests aimed at discordgo's base and strips the
// credentials from requests for any host but the target.
func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	if rest, ok := t.apiPath(req.URL); ok {
		u := *req.URL
		u.Scheme, u.Host, u.User = t.target.Scheme, t.target.Host, nil
		raw := t.prefix + rest
		p, err := url.PathUnescape(raw)
		if err != nil {
			closeBody(req)
			return nil, fmt.Errorf("discord transport: rewrite path: %w", err)
		}
		u.Path, u.RawPath = p, raw
		out.URL, out.Host = &u, t.target.Host
	}
	if !strings.EqualFold(out.URL.Scheme, t.target.Scheme) || !strings.EqualFold(out.URL.Host, t.target.Host) {
		out.Header.Del("Authorization")
	}
	return t.base.RoundTrip(out)
}

// apiPath returns the escaped path after discordgo's "/api/v9" when u is
// aimed at discordgo's base, with its leading "/" ("" for the base itself).
func (t *rewriter) apiPath(u *url.URL) (string, bool) {
	if !strings.EqualFold(u.Scheme, t.from.Scheme) || !strings.EqualFold(u.Host, t.from.Host) {
		return "", false
	}
	p := u.EscapedPath()
	switch {
	case p == t.from.Path:
		return "", true
	case strings.HasPrefix(p, t.from.Path+"/"):
		return p[len(t.from.Path):], true
	}
	return "", false
}

// closeBody closes a request body a RoundTripper will not send, as the
// RoundTripper contract asks.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// gatewayVersion sets discordgo's package variable APIVersion, once, to
// the version the bot speaks: discordgo reads it only when it connects to
// the gateway (its "v" parameter), its REST endpoints having been fixed at
// init with v9 (NewTransport rewrites those).
var gatewayVersion sync.Once

// NewSession returns a discordgo session for the bot with this token
// (without the "Bot " prefix, which is added) whose REST calls go to apiURL
// ("" = DefaultAPIURL) through httpClient (nil: a client with a 20 s
// timeout; its Transport, Timeout and Jar are kept, and redirects to
// another origin are refused whatever its CheckRedirect said). The
// session never retries on its own: rate limits come back as
// *discordgo.RateLimitError (ShouldRetryOnRateLimit is off) and 502s as
// *discordgo.RESTError (MaxRestRetries is 0), for the Poster to handle
// within its deadline. The token is never logged.
func NewSession(token, apiURL string, httpClient *http.Client) (*discordgo.Session, error) {
	token = strings.TrimSpace(strings.TrimPrefix(token, "Bot "))
	if token == "" {
		return nil, errors.New("discord: no bot token")
	}
	if httpClient == nil {
		httpClient = egress.New(defaultHTTPTimeout, nil)
	}
	client := egress.Client(httpClient, nil) // the token never follows a redirect to another origin
	rt, err := NewTransport(apiURL, client.Transport)
	if err != nil {
		return nil, err
	}
	client.Transport = rt
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	s.Client = client
	gatewayVersion.Do(func() { discordgo.APIVersion = discordapi.Version })
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.Debug = false // debug logging would print request headers, the token included
	return s, nil
}
