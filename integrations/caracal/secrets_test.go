package caracal_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// TestTokensNeverLoggedOrInErrors runs successes, retries and every kind of
// failure with debug logging on, then looks for the tokens everywhere.
func TestTokensNeverLoggedOrInErrors(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/metrics.json"):
			reply{status: 401, body: []byte("unauthorized\n")}.write(w)
		case strings.HasSuffix(r.URL.Path, "/stats"):
			reply{status: 503, body: []byte(`{"error":"busy"}`)}.write(w)
		case strings.HasSuffix(r.URL.Path, "/overview"):
			reply{body: []byte("garbage")}.write(w)
		default:
			reply{body: fixture(t, "zone.json")}.write(w)
		}
	})
	badTok := "evil\r\nX-Injected: SECRET-in-header"
	clients := []*caracal.Client{
		newClient(f, func(c *caracal.Config) { c.Logger = logger }),
		newClient(f, func(c *caracal.Config) {
			c.Logger = logger
			c.AdminToken, c.MetricsBearer, c.CoordinatorToken = badTok, badTok, badTok
		}),
		caracal.New(caracal.Config{APIURL: "http://" + deadAddr(t), AdminToken: adminTok, Logger: logger,
			MaxRetryWait: 5 * time.Millisecond}),
	}
	var errs []string
	for _, c := range clients {
		for _, call := range []func() error{
			func() error { _, err := c.Zone(t.Context(), zoneID); return err },
			func() error { _, err := c.ZoneOverview(t.Context(), zoneID); return err },
			func() error { _, err := c.STSMetrics(t.Context()); return err },
			func() error { _, err := c.CoordinatorStats(t.Context()); return err },
		} {
			if err := call(); err != nil {
				errs = append(errs, err.Error())
			}
		}
		p := c.Ready(t.Context(), caracal.ServiceAPI)
		errs = append(errs, p.Error, p.Reason)
	}
	require.NotEmpty(t, errs)
	out := logs.String() + strings.Join(errs, "\n")
	assert.Contains(t, logs.String(), "caracal call")
	assert.Contains(t, logs.String(), "caracal retry")
	for _, secret := range []string{adminTok, metricsTok, coordTok, "SECRET"} {
		assert.NotContains(t, out, secret)
	}
}
