package discord

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTransport answers every request 200 {} and keeps a copy of it.
type recordingTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, req)
	rt.mu.Unlock()
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

func (rt *recordingTransport) last() *http.Request {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.reqs[len(rt.reqs)-1]
}

func TestNewTransport_RewritesDiscordgoBase(t *testing.T) {
	tests := []struct{ name, apiURL, in, want string }{
		{"test server with v10", "http://127.0.0.1:5000/api/v10", "https://discord.com/api/v9/channels/1/messages",
			"http://127.0.0.1:5000/api/v10/channels/1/messages"},
		{"another prefix and a trailing slash", "https://proxy.example/discord/v10/", "https://discord.com/api/v9/webhooks/1/tok/messages/@original?x=1",
			"https://proxy.example/discord/v10/webhooks/1/tok/messages/@original?x=1"},
		{"no prefix", "http://127.0.0.1:5000", "https://discord.com/api/v9/gateway", "http://127.0.0.1:5000/gateway"},
		{"escaped segments kept", "http://h:1/api", "https://discord.com/api/v9/channels/a%2Fb/messages", "http://h:1/api/channels/a%2Fb/messages"},
		{"default is Discord's API v10", "", "https://discord.com/api/v9/users/@me", "https://discord.com/api/v10/users/@me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &recordingTransport{}
			rt, err := NewTransport(tt.apiURL, base)
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodPost, tt.in, strings.NewReader("{}"))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bot secret")
			_, err = rt.RoundTrip(req)
			require.NoError(t, err)
			got := base.last()
			assert.Equal(t, tt.want, got.URL.String())
			assert.Equal(t, got.URL.Host, got.Host)
			assert.Equal(t, "Bot secret", got.Header.Get("Authorization"), "the configured host gets the token")
			assert.Equal(t, tt.in, req.URL.String(), "the caller's request is not modified")
		})
	}
}

func TestNewTransport_TokenOnlyToTheConfiguredHost(t *testing.T) {
	base := &recordingTransport{}
	rt, err := NewTransport("http://127.0.0.1:5000/api/v9", base)
	require.NoError(t, err)
	for _, u := range []string{
		"https://cdn.discordapp.com/attachments/1/2/x.png", // another host
		"https://discord.com/oauth2/authorize",             // Discord, outside the API base: not rewritten
		"http://discord.com/api/v9/channels/1",             // plain http to Discord: not the base
		"https://evil.example/api/v9/channels/1",
	} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bot secret")
		_, err = rt.RoundTrip(req)
		require.NoError(t, err)
		got := base.last()
		assert.Equal(t, u, got.URL.String(), "not rewritten")
		assert.Empty(t, got.Header.Get("Authorization"), "no token sent to %s", u)
		assert.Equal(t, "Bot secret", req.Header.Get("Authorization"), "the caller's headers are not modified")
	}
}

func TestNewTransport_RejectsBadURLs(t *testing.T) {
	for _, u := range []string{"ftp://h/api", "http://", "http://user:pw@h/api", "http://h/api?x=1", "http://h/api#f", "::"} {
		_, err := NewTransport(u, nil)
		assert.Error(t, err, u)
	}
}

func TestNewSession_OverLoopback(t *testing.T) {
	var mu sync.Mutex
	var paths, auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths, auths = append(paths, r.URL.Path), append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		_, _ = io.WriteString(w, `{"url":"wss://gateway.example"}`)
	}))
	defer srv.Close()

	s, err := NewSession("Bot tok-123", srv.URL+"/prefix/api/v9", nil)
	require.NoError(t, err)
	assert.Equal(t, "Bot tok-123", s.Token, "no doubled prefix")
	assert.False(t, s.ShouldRetryOnRateLimit)
	assert.Equal(t, 0, s.MaxRestRetries)
	assert.Equal(t, defaultHTTPTimeout, s.Client.Timeout)

	gw, err := s.Gateway()
	require.NoError(t, err)
	assert.Equal(t, "wss://gateway.example/", gw)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"/prefix/api/v9/gateway"}, paths)
	assert.Equal(t, []string{"Bot tok-123"}, auths)

	_, err = NewSession("  ", "", nil)
	assert.ErrorContains(t, err, "no bot token")
	_, err = NewSession("tok", "ftp://x", nil)
	assert.Error(t, err)
}

func TestNewSession_KeepsTheCallersClient(t *testing.T) {
	base := &recordingTransport{}
	client := &http.Client{Transport: base, Timeout: 3 * time.Second}
	s, err := NewSession("tok", "http://127.0.0.1:9/api/v9", client)
	require.NoError(t, err)
	assert.Same(t, base, client.Transport, "the caller's client is not modified")
	assert.Equal(t, client.Timeout, s.Client.Timeout)
	_, err = s.Gateway()
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9/api/v9/gateway", base.last().URL.String())
}
