package caracal

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/caracal-bot/caracal-bot/egress"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultCallTimeout  = 5 * time.Second
	DefaultMaxRetries   = 2
	DefaultMaxRetryWait = 2 * time.Second
	DefaultUserAgent    = "caracal-bot"
)

const (
	// maxBodyBytes caps every response body read by the typed calls.
	maxBodyBytes = 8 << 20
	// maxProbeBodyBytes caps /health and /ready bodies; a probe needs a few bytes.
	maxProbeBodyBytes = 1 << 20
)

// Config configures a Client. Base URLs may carry a path prefix
// (e.g. http://127.0.0.1:7000/sts); an empty URL makes calls to that service
// fail with ErrNotConfigured. Tokens are only ever sent as Authorization
// headers and never appear in logs or error strings.
type Config struct {
	APIURL, STSURL, GatewayURL, AuditURL, CoordinatorURL string

	// AdminToken is the Admin API bearer sent on every /v1 call.
	AdminToken string
	// MetricsBearer is sent to STS, Gateway and Audit /metrics.json when set.
	MetricsBearer string
	// CoordinatorToken is the Coordinator operator token, required for /stats.
	CoordinatorToken string

	// CallTimeout bounds one HTTP attempt (default 5s). The caller's context
	// bounds the whole call including retries.
	CallTimeout time.Duration
	// MaxRetries is the number of retries after the first attempt (default 2;
	// a negative value disables retries).
	MaxRetries int
	// MaxRetryWait caps one wait between attempts, Retry-After included (default 2s).
	MaxRetryWait time.Duration

	// HTTPClient supplies the transport; it is copied, never modified, and
	// its redirect policy is replaced by egress.SameOrigin.
	HTTPClient *http.Client
	// Logger receives debug records of calls and retries (default: discard).
	Logger *slog.Logger
	// UserAgent is sent on every request (default "caracal-bot").
	UserAgent string
	// OnCall, when set, is told how each call that was sent ended, after its
	// retries (see CallOutcome): serve counts them in its metrics.
	OnCall func(Service, CallOutcome)
}

// Client is a read-only typed client for Caracal's HTTP surfaces. It issues
// only GET requests. It is safe for concurrent use.
type Client struct {
	bases      map[Service]serviceBase
	adminToken string
	metricsTok string
	coordTok   string
	maxRetries int
	maxWait    time.Duration
	log        *slog.Logger
	onCall     func(Service, CallOutcome)
	rest       *resty.Client // typed calls, with retries
	probe      *resty.Client // /health and /ready, no retries
}

// serviceBase is one service's normalized base URL.
type serviceBase struct {
	url     string // scheme://[userinfo@]host[/prefix], no trailing slash
	display string // url with any password redacted, for Probe.URL
	err     error  // why the service cannot be called, if it cannot
}

// New builds a Client from cfg, applying the documented defaults.
func New(cfg Config) *Client {
	timeout := cfg.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	maxWait := cfg.MaxRetryWait
	if maxWait <= 0 {
		maxWait = DefaultMaxRetryWait
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}

	// A redirect to another origin is refused whatever client is given, so
	// the admin token, metrics bearer and Coordinator token stay with the
	// services they were configured for.
	hc := egress.Client(cfg.HTTPClient, nil)
	hc.Timeout = timeout // per attempt; resty's SetTimeout would do the same
	hc.Transport = withReadBudgets(hc.Transport)

	c := &Client{
		bases: map[Service]serviceBase{
			ServiceAPI:         newServiceBase(ServiceAPI, cfg.APIURL),
			ServiceSTS:         newServiceBase(ServiceSTS, cfg.STSURL),
			ServiceGateway:     newServiceBase(ServiceGateway, cfg.GatewayURL),
			ServiceAudit:       newServiceBase(ServiceAudit, cfg.AuditURL),
			ServiceCoordinator: newServiceBase(ServiceCoordinator, cfg.CoordinatorURL),
		},
		adminToken: cfg.AdminToken,
		metricsTok: cfg.MetricsBearer,
		coordTok:   cfg.CoordinatorToken,
		maxRetries: retries,
		maxWait:    maxWait,
		log:        logger,
		onCall:     cfg.OnCall,
	}

	c.rest = newResty(hc, ua, maxBodyBytes).
		SetRetryCount(retries).
		SetRetryWaitTime(minRetryWait).
		SetRetryMaxWaitTime(maxWait).
		AddRetryCondition(c.shouldRetry).
		SetRetryAfter(c.retryDelay)
	c.probe = newResty(hc, ua, maxProbeBodyBytes).SetRetryCount(0)
	return c
}

// newResty builds a resty client on hc with resty's own logging silenced.
func newResty(hc *http.Client, ua string, bodyLimit int) *resty.Client {
	return resty.NewWithClient(hc).
		SetLogger(nopLogger{}).
		SetDisableWarn(true).
		SetDebug(false).
		SetResponseBodyLimit(bodyLimit).
		SetHeader("User-Agent", ua).
		SetHeader("Accept", "application/json")
}

// newServiceBase validates and normalizes a configured base URL.
func newServiceBase(svc Service, raw string) serviceBase {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return serviceBase{err: fmt.Errorf("caracal: %s URL: %w", svc, ErrNotConfigured)}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The raw value is left out on purpose: it may carry credentials.
		return serviceBase{err: fmt.Errorf("caracal: %s URL is not an absolute http(s) URL: %w", svc, ErrNotConfigured)}
	}
	root := &url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}
	prefix := strings.TrimRight(u.EscapedPath(), "/")
	return serviceBase{
		url:     root.String() + prefix,
		display: root.Redacted() + prefix,
	}
}

// base returns svc's base URL, or an error wrapping ErrNotConfigured.
func (c *Client) base(svc Service) (serviceBase, error) {
	b, ok := c.bases[svc]
	if !ok {
		return serviceBase{}, fmt.Errorf("caracal: unknown service %q: %w", string(svc), ErrNotConfigured)
	}
	return b, b.err
}

// adminBearer returns the admin token or an error wrapping ErrNotConfigured.
func (c *Client) adminBearer() (string, error) {
	if c.adminToken == "" {
		return "", fmt.Errorf("caracal: admin token: %w", ErrNotConfigured)
	}
	return c.adminToken, nil
}

// nopLogger discards resty's internal log lines; our own go through slog.
type nopLogger struct{}

func (nopLogger) Errorf(string, ...any) {}
func (nopLogger) Warnf(string, ...any)  {}
func (nopLogger) Debugf(string, ...any) {}

// ctxOrBackground guards against a nil context from a careless caller.
func ctxOrBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
