package egress_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/redact"
)

// recorder is a server that notes the Authorization header and body of
// every request it gets.
type recorder struct {
	*httptest.Server
	mu     sync.Mutex
	auth   []string
	bodies []string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.bodies = append(r.bodies, string(body))
		r.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(r.Close)
	return r
}

// redirector answers every request with status and Location target.
func redirector(t *testing.T, status int, target string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Location", target)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClientRefusesARedirectToAnotherOrigin(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			target := newRecorder(t)
			from := redirector(t, status, target.URL+"/steal?token=abc#frag")
			req, err := http.NewRequest(http.MethodPost, from.URL+"/v1/zones", strings.NewReader("body"))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer cat_the-admin-token-0123456789")
			req.SetBasicAuth("ops@example.com", "jira-token-0123456789")

			_, err = egress.Client(nil, nil).Do(req)
			require.Error(t, err)
			r, ok := egress.AsRedirect(err)
			require.True(t, ok, "a *RedirectError: %v", err)
			assert.Equal(t, target.URL+"/steal", r.To, "the target, without query or fragment")
			assert.Equal(t, from.URL+"/v1/zones", r.From)
			assert.Contains(t, r.Error(), target.URL+"/steal", "the error names the target")
			assert.NotContains(t, r.Error(), "token=abc", "callers report the RedirectError, whose URLs carry no query")
			assert.Empty(t, target.auth, "the target never sees a request, let alone a credential")
		})
	}
}

func TestClientFollowsARedirectWithinTheOrigin(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		seen = append(seen, req.URL.Path+" "+req.Header.Get("Authorization"))
		mu.Unlock()
		if req.URL.Path == "/old" {
			http.Redirect(w, req, "/new", http.StatusTemporaryRedirect)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/old", nil)
	req.Header.Set("Authorization", "Bearer tok-0123456789")
	resp, err := egress.Client(&http.Client{}, nil).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, []string{"/old Bearer tok-0123456789", "/new Bearer tok-0123456789"}, seen)
}

func TestClientOverridesTheGivenPolicy(t *testing.T) {
	target := newRecorder(t)
	from := redirector(t, http.StatusFound, target.URL)
	lax := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	req, _ := http.NewRequest(http.MethodGet, from.URL, nil)
	req.Header.Set("Authorization", "Bearer tok-0123456789")
	_, err := egress.Client(lax, nil).Do(req)
	_, ok := egress.AsRedirect(err)
	assert.True(t, ok)
	assert.Empty(t, target.auth)
	assert.NotNil(t, lax.CheckRedirect, "the caller's client is not modified")
}

func TestClientScrubsBodiesButTheOwnCredential(t *testing.T) {
	target := newRecorder(t)
	scrub := redact.New("own-token-0123456789", "admin-token-0123456789")
	c := egress.Client(nil, scrub, "own-token-0123456789")
	form := url.Values{"token": {"own-token-0123456789"}, "text": {"echo admin-token-0123456789"}}
	resp, err := c.PostForm(target.URL, form)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Len(t, target.bodies, 1)
	got, err := url.ParseQuery(target.bodies[0])
	require.NoError(t, err)
	assert.Equal(t, "own-token-0123456789", got.Get("token"), "a client's own credential reaches its service")
	assert.Equal(t, "echo [redacted]", got.Get("text"))
}

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Caracal.example/x":      "https://caracal.example:443",
		"https://caracal.example:443/y":  "https://caracal.example:443",
		"http://caracal.example":         "http://caracal.example:80",
		"http://caracal.example:3000/v1": "http://caracal.example:3000",
		"http://[::1]:3000/":             "http://[::1]:3000",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, want, egress.Origin(u), raw)
	}
}
