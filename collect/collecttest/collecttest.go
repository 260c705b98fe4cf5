// Package collecttest points the bot's Caracal reads at the simulator, for
// the tests of the packages that read Caracal (collect, doctor, digest).
package collecttest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// Start starts the simulator on the reference clock; the test fails if the
// bot tried to write to it.
func Start(t *testing.T, opts ...caracaltest.Option) *caracaltest.Server {
	t.Helper()
	opts = append([]caracaltest.Option{caracaltest.WithClock(caracaltest.FixedClock(caracaltest.ReferenceTime()))}, opts...)
	srv := caracaltest.Start(t, opts...)
	t.Cleanup(func() { assert.Zero(t, srv.WriteAttempts(), "the bot never writes to Caracal") })
	return srv
}

// Client is a client of srv with the simulator's tokens and short
// timeouts; opts adjust its configuration.
func Client(srv *caracaltest.Server, opts ...func(*caracal.Config)) *caracal.Client {
	cfg := caracal.Config{
		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
		CallTimeout: 2 * time.Second, MaxRetryWait: 20 * time.Millisecond,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return caracal.New(cfg)
}

// Settings are a test's: the Research zone by default, short deadlines, the
// simulator's reference clock.
func Settings() collect.Settings {
	return collect.Settings{
		DefaultZone: caracaltest.ZoneResearch,
		Timeout:     5 * time.Second, CallTimeout: 2 * time.Second,
		Now: caracaltest.FixedClock(caracaltest.ReferenceTime()),
	}
}

// PathsNaming lists the paths of the requests srv recorded that name zone.
func PathsNaming(srv *caracaltest.Server, zone string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path+"?"+r.Query, zone) {
			out = append(out, r.Path)
		}
	}
	return out
}
