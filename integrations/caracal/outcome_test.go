package caracal_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// outcomes records what Config.OnCall is told.
type outcomes struct {
	mu  sync.Mutex
	got []string
}

func (o *outcomes) record(svc caracal.Service, out caracal.CallOutcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, string(svc)+" "+string(out))
}

func (o *outcomes) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.got...)
}

// TestOnCallHearsEachCallOnceWithItsOutcome: a call is told once, after its
// retries, as answered 2xx, answered otherwise, or not answered; calls
// never sent and calls whose caller gave up are not told.
func TestOnCallHearsEachCallOnceWithItsOutcome(t *testing.T) {
	f := routes(t, map[string]reply{
		apiPrefix + "/health": {body: []byte(`{"ok":true}`)},
		stsPrefix + "/ready":  {status: 503, body: []byte(`{"ok":false}`)},
	})
	var o outcomes
	c := newClient(f, func(c *caracal.Config) { c.OnCall = o.record })
	c.Health(t.Context(), caracal.ServiceAPI)
	c.Ready(t.Context(), caracal.ServiceSTS)
	_, _ = c.Zones(t.Context())               // a 404 from the fake
	_, _ = c.GatewayMetrics(t.Context())      // 404 as well
	c.Ready(t.Context(), caracal.Service("")) // never sent
	assert.Equal(t, []string{"api ok", "sts error", "api error", "gateway error"}, o.all())

	var dead outcomes
	d := caracal.New(caracal.Config{AuditURL: "http://" + deadAddr(t), MaxRetryWait: 10 * time.Millisecond, OnCall: dead.record})
	d.Ready(t.Context(), caracal.ServiceAudit)
	assert.Equal(t, []string{"audit unreachable"}, dead.all(), "a refused connection")

	var slow outcomes
	hung := hang(t)
	newClient(hung, func(c *caracal.Config) { c.CallTimeout = 50 * time.Millisecond; c.OnCall = slow.record }).
		Ready(t.Context(), caracal.ServiceCoordinator)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	newClient(hung, func(c *caracal.Config) { c.OnCall = slow.record }).Ready(ctx, caracal.ServiceCoordinator)
	assert.Equal(t, []string{"coordinator unreachable"}, slow.all(), "a timed-out attempt counts; a caller giving up does not")
}
