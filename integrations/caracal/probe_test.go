package caracal_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func TestReadyFixtures(t *testing.T) {
	cases := []struct {
		svc     caracal.Service
		prefix  string
		fixture string
		status  int
		ok      bool
		reason  string
	}{
		{caracal.ServiceAPI, apiPrefix, "ready-api-ok.json", 200, true, ""},
		{caracal.ServiceAPI, apiPrefix, "ready-api-draining.json", 503, false, "draining"},
		{caracal.ServiceAPI, apiPrefix, "ready-api-postgres-down.json", 503, false, "postgres_unreachable"},
		{caracal.ServiceAPI, apiPrefix, "ready-api-redis-down.json", 503, false, "redis_unreachable"},
		{caracal.ServiceAPI, apiPrefix, "ready-api-outbox-dead.json", 503, false, "outbox_dead_messages"},
		{caracal.ServiceAPI, apiPrefix, "ready-api-redis-down-live.json", 500, false, "internal_error"},
		{caracal.ServiceCoordinator, coordPrefix, "ready-api-redis-down-live.json", 500, false, "internal_error"},
		{caracal.ServiceCoordinator, coordPrefix, "ready-coordinator-ok.json", 200, true, ""},
		{caracal.ServiceCoordinator, coordPrefix, "ready-coordinator-outbox-dead.json", 503, false, "outbox_dead"},
		{caracal.ServiceSTS, stsPrefix, "ready-sts-ok.json", 200, true, ""},
		{caracal.ServiceSTS, stsPrefix, "ready-sts-redis-down.json", 503, false, "redis_unreachable"},
		{caracal.ServiceSTS, stsPrefix, "ready-sts-audit-evidence-lost.json", 503, false, "audit_evidence_lost"},
		{caracal.ServiceGateway, gwPrefix, "ready-gateway-ok.json", 200, true, ""},
		{caracal.ServiceGateway, gwPrefix, "ready-gateway-revocation-stale.json", 503, false, "revocation_snapshot_stale"},
		{caracal.ServiceGateway, gwPrefix, "ready-gateway-sts-unreachable.json", 503, false, "sts_unreachable"},
		{caracal.ServiceAudit, auditPrefix, "ready-audit-ok.json", 200, true, ""},
		{caracal.ServiceAudit, auditPrefix, "ready-audit-lag-threshold.json", 503, false, "audit_lag_threshold"},
		{caracal.ServiceAudit, auditPrefix, "ready-audit-consumer-unhealthy.json", 503, false, "consumer_unhealthy"},
	}
	for _, tc := range cases {
		t.Run(string(tc.svc)+"/"+tc.fixture, func(t *testing.T) {
			f := routes(t, map[string]reply{tc.prefix + "/ready": {status: tc.status, body: fixture(t, tc.fixture)}})
			p := newClient(f).Ready(t.Context(), tc.svc)
			assert.Equal(t, tc.svc, p.Service)
			assert.Equal(t, f.URL+tc.prefix+"/ready", p.URL)
			assert.True(t, p.Reachable)
			assert.Equal(t, tc.status, p.Status)
			assert.Equal(t, tc.ok, p.OK)
			assert.Equal(t, tc.reason, p.Reason)
			assert.Empty(t, p.Error)
			assert.NotNil(t, p.Body)
			require.Len(t, f.Hits(), 1, "probes never retry")
			_, auth := f.Hits()[0].Header["Authorization"]
			assert.False(t, auth, "probes send no credentials")
		})
	}
}

func TestReadyOutboxDeadKeepsBody(t *testing.T) {
	f := always(t, reply{status: 503, body: fixture(t, "ready-api-outbox-dead.json")})
	p := newClient(f).Ready(t.Context(), caracal.ServiceAPI)
	assert.InDelta(t, 3, p.Body["deadCount"], 0)
}

func TestHealth(t *testing.T) {
	f := routes(t, map[string]reply{
		apiPrefix + "/health":   {body: fixture(t, "health-api.json")},
		stsPrefix + "/health":   {header: map[string]string{"Content-Type": ""}},
		auditPrefix + "/health": {status: 503, body: fixture(t, "health-audit-consumer-unhealthy.json")},
	})
	c := newClient(f)

	p := c.Health(t.Context(), caracal.ServiceAPI)
	assert.True(t, p.OK)
	assert.Equal(t, true, p.Body["ok"])

	p = c.Health(t.Context(), caracal.ServiceSTS)
	assert.True(t, p.OK, "an empty 200 body is alive")
	assert.Nil(t, p.Body)

	p = c.Health(t.Context(), caracal.ServiceAudit)
	assert.False(t, p.OK)
	assert.Equal(t, "consumer_unhealthy", p.Reason)
	assert.Equal(t, 503, p.Status)
}

func TestProbeReasonShapes(t *testing.T) {
	long := strings.Repeat("é", 300)
	cases := map[string]string{
		`{"error":"rate_limited"}`:                       "rate_limited",
		`{"detail":"boom"}`:                              "boom",
		`{"error_description":"from doctor"}`:            "from doctor",
		`{"reason":"","error":"second"}`:                 "second",
		`{"ok":false}`:                                   "",
		`{"reason":7,"error":"typed"}`:                   "typed",
		"upstream connect error\nreset reason: overflow": "upstream connect error",
		long: "…", // one word longer than the cap goes whole
		"not ready: echoed cat_" + strings.Repeat("A", 200): "not ready: echoed…",
		"": "",
	}
	for body, want := range cases {
		f := always(t, reply{status: 502, body: []byte(body), header: map[string]string{"Content-Type": "text/plain"}})
		p := newClient(f).Ready(t.Context(), caracal.ServiceGateway)
		assert.False(t, p.OK)
		assert.Equal(t, want, p.Reason, "body %q", body)
		assert.LessOrEqual(t, utf8.RuneCountInString(p.Reason), 120)
	}
}

func TestProbeTransportFailures(t *testing.T) {
	addr := deadAddr(t)
	c := caracal.New(caracal.Config{APIURL: "http://" + addr})
	p := c.Ready(t.Context(), caracal.ServiceAPI)
	assert.False(t, p.Reachable)
	assert.False(t, p.OK)
	assert.False(t, p.Timeout)
	assert.NotEmpty(t, p.Error)
	assert.Zero(t, p.Status)

	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	start := time.Now()
	p = newClient(f, func(c *caracal.Config) { c.CallTimeout = 100 * time.Millisecond }).Ready(t.Context(), caracal.ServiceSTS)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.False(t, p.Reachable)
	assert.True(t, p.Timeout)
	assert.NotEmpty(t, p.Error)
	assert.Len(t, f.Hits(), 1)
}

func TestProbeHugeBody(t *testing.T) {
	f := always(t, reply{status: 503, body: []byte(strings.Repeat("x", 2<<20))})
	p := newClient(f).Ready(t.Context(), caracal.ServiceAPI)
	assert.True(t, p.Reachable)
	assert.Equal(t, 503, p.Status)
	assert.False(t, p.OK)
}
