package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// post is one delivery a fakePoster received.
type post struct {
	At     time.Time
	Target scheduler.Target
	Reply  chat.Reply
}

// fakePoster records every post; fail makes posts to a channel fail.
type fakePoster struct {
	mu    sync.Mutex
	posts []post
	fail  map[string]bool
}

func (p *fakePoster) Post(_ context.Context, t scheduler.Target, r chat.Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail[t.ChannelID] {
		return fmt.Errorf("channel %s is archived", t.ChannelID)
	}
	p.posts = append(p.posts, post{At: time.Now(), Target: t, Reply: r})
	return nil
}

func (p *fakePoster) all() []post {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]post(nil), p.posts...)
}

// fakeDigester answers each Digest call with fn(call number from 1).
type fakeDigester struct {
	mu    sync.Mutex
	calls []commands.DigestOptions
	fn    func(ctx context.Context, n int) (commands.Result, error)
}

func (d *fakeDigester) Digest(ctx context.Context, opts commands.DigestOptions) (commands.Result, error) {
	d.mu.Lock()
	d.calls = append(d.calls, opts)
	n := len(d.calls)
	d.mu.Unlock()
	if d.fn == nil {
		return digestResult(n), nil
	}
	return d.fn(ctx, n)
}

func (d *fakeDigester) all() []commands.DigestOptions {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]commands.DigestOptions(nil), d.calls...)
}

func digestResult(n int) commands.Result {
	return commands.Result{Reply: chat.Reply{Summary: fmt.Sprintf("digest %d: All ready", n), Severity: chat.SeverityOK}, OK: true}
}

// testLogger logs at info level into b; read b after Run returned.
func testLogger(b *syncbuf.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// start runs s until the returned stop is called; stop waits for Run.
func start(t *testing.T, s *scheduler.Scheduler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		require.NoError(t, <-done)
	}
}

func newScheduler(t *testing.T, opts scheduler.Options) *scheduler.Scheduler {
	t.Helper()
	s, err := scheduler.New(opts)
	require.NoError(t, err)
	return s
}

// simTransport serves a simulator in memory: no sockets, so it works inside
// a synctest bubble. Hosts are "<service>.sim"; a dropped connection is an
// error, as on the wire.
type simTransport struct{ sim *caracaltest.Simulator }

func (tr simTransport) RoundTrip(r *http.Request) (resp *http.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, fmt.Errorf("connection closed by %s: %v", r.URL.Host, p)
		}
	}()
	svc := caracal.Service(strings.TrimSuffix(r.URL.Hostname(), ".sim"))
	rec := httptest.NewRecorder()
	tr.sim.ServiceHandler(svc).ServeHTTP(rec, r)
	resp = rec.Result()
	resp.Request = r
	return resp, nil
}

// simClient is a Caracal client talking to sim through simTransport.
func simClient(sim *caracaltest.Simulator) *caracal.Client {
	url := func(svc caracal.Service) string { return "http://" + string(svc) + ".sim" }
	return caracal.New(caracal.Config{
		APIURL: url(caracal.ServiceAPI), STSURL: url(caracal.ServiceSTS), GatewayURL: url(caracal.ServiceGateway),
		AuditURL: url(caracal.ServiceAudit), CoordinatorURL: url(caracal.ServiceCoordinator),
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
		CallTimeout: 2 * time.Second, MaxRetryWait: 50 * time.Millisecond,
		HTTPClient: &http.Client{Transport: simTransport{sim}},
	})
}

// fakeProber answers every /ready with 200.
type fakeProber struct{}

func (fakeProber) Ready(_ context.Context, svc caracal.Service) caracal.Probe {
	return caracal.Probe{Service: svc, Reachable: true, Status: 200, OK: true}
}

func slack(channel string) []scheduler.Target {
	return []scheduler.Target{{Platform: "slack", ChannelID: channel}}
}

// digestCounts returns the job's counts of digest runs by outcome.
func digestCounts(m *bot.Metrics, job string) map[string]float64 {
	out := map[string]float64{}
	for _, o := range []string{"posted", "failed", "not_posted"} {
		out[o] = testutil.ToFloat64(m.Digests.WithLabelValues(job, o))
	}
	return out
}
