package caracaltest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// refOpts pins the clock to the reference time, so the world's timestamps
// are the fixtures' own.
func refOpts(opts ...Option) []Option {
	return append([]Option{WithClock(FixedClock(ReferenceTime()))}, opts...)
}

// startRef starts a simulator at the reference time.
func startRef(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return Start(t, refOpts(opts...)...)
}

// response is one answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, method, url string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, body}
}

// get is an authenticated GET against a base URL.
func get(t testing.TB, base, path string) response {
	t.Helper()
	return do(t, http.MethodGet, base+path, map[string]string{"Authorization": "Bearer " + DefaultAdminToken})
}

// api is an authenticated Admin API GET.
func api(t testing.TB, srv *Server, path string) response {
	t.Helper()
	return get(t, srv.APIURL, path)
}

// zonePath is a path under /v1/zones/{zone}.
func zonePath(zone, rest string) string { return "/v1/zones/" + zone + rest }

// strict decodes a body into T, refusing unknown fields.
func strict[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v), "body: %s", body)
	return v
}

// jsonEq compares a body with a fixture as JSON values.
func jsonEqFixture(t testing.TB, fixture string, body []byte) {
	t.Helper()
	raw, err := Fixture(fixture)
	require.NoError(t, err)
	require.JSONEq(t, string(raw), string(body), "fixture %s", fixture)
}

// errorCode decodes {"error": ...}.
func errorCode(t testing.TB, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &e), "body: %s", body)
	return e.Error
}

// newHTTPServer serves h on loopback for the test.
func newHTTPServer(t testing.TB, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}
