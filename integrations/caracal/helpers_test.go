package caracal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// fixtureDir is the embedded fixture directory of caracaltest, read from disk
// so that these tests do not depend on that package compiling.
const fixtureDir = "caracaltest/fixtures"

// Secrets used by the test clients; they must never show up in logs or errors.
const (
	adminTok   = "admin-SECRET-7f3a"
	metricsTok = "metrics-SECRET-91bc"
	coordTok   = "coord-SECRET-44d0"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// hit is one request as the server saw it. Path is the raw (still escaped)
// path from the request line.
type hit struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	At     time.Time
}

// fake is a loopback Caracal stand-in that records every request.
type fake struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

// newFake starts a server; handle gets the request and its 1-based number.
func newFake(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *fake {
	f := &fake{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, rawQuery, _ := strings.Cut(r.RequestURI, "?")
		q, _ := url.ParseQuery(rawQuery)
		f.mu.Lock()
		f.hits = append(f.hits, hit{Method: r.Method, Path: raw, Query: q, Header: r.Header.Clone(), At: time.Now()})
		n := len(f.hits)
		f.mu.Unlock()
		f.handle(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

// Hits returns a copy of the recorded requests.
func (f *fake) Hits() []hit {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hit(nil), f.hits...)
}

// reply is a canned answer.
type reply struct {
	status int
	body   []byte
	header map[string]string
}

func (rp reply) write(w http.ResponseWriter) {
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	if _, ok := rp.header["Content-Type"]; !ok && len(rp.body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	status := rp.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(rp.body)
}

// routes serves canned replies by raw path; anything else is a 404.
func routes(t testing.TB, m map[string]reply) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		raw, _, _ := strings.Cut(r.RequestURI, "?")
		if rp, ok := m[raw]; ok {
			rp.write(w)
			return
		}
		reply{status: 404, body: []byte(`{"error":"no_such_route_in_test"}`)}.write(w)
	})
}

// always answers every request with rp.
func always(t testing.TB, rp reply) *fake {
	return newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { rp.write(w) })
}

// Path prefixes of the five services on the fake (the STS one is configured
// with a trailing slash to check joining).
const (
	apiPrefix   = "/api"
	stsPrefix   = "/sts"
	gwPrefix    = "/gw"
	auditPrefix = "/audit"
	coordPrefix = "/coord"
)

// newClient builds a client whose five services all live on f under their
// prefixes, with fast retries.
func newClient(f *fake, mods ...func(*caracal.Config)) *caracal.Client {
	cfg := caracal.Config{
		APIURL:           f.URL + apiPrefix,
		STSURL:           f.URL + stsPrefix + "/",
		GatewayURL:       f.URL + gwPrefix,
		AuditURL:         f.URL + auditPrefix,
		CoordinatorURL:   f.URL + coordPrefix,
		AdminToken:       adminTok,
		MetricsBearer:    metricsTok,
		CoordinatorToken: coordTok,
		CallTimeout:      2 * time.Second,
		MaxRetryWait:     20 * time.Millisecond,
		HTTPClient:       f.Client(),
	}
	for _, m := range mods {
		m(&cfg)
	}
	return caracal.New(cfg)
}

func noRetries(c *caracal.Config) { c.MaxRetries = -1 }
