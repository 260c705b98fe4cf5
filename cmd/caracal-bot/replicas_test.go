package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
	"github.com/caracal-bot/caracal-bot/redact"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// replica is one `serve` process-equivalent that the test can kill.
type replica struct {
	base string
	stop context.CancelFunc
	done chan error
	once sync.Once
}

func startReplica(t *testing.T, env map[string]string) *replica {
	t.Helper()
	cfg, err := config.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{base: "http://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- serve(ctx, cfg, ln, nil, slog.New(slog.DiscardHandler), redact.New(cfg.Secrets()...))
	}()
	t.Cleanup(r.kill)
	return r
}

func (r *replica) kill() {
	r.once.Do(func() {
		r.stop()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
		}
	})
}

// slackRedisEnv is the environment of a replica on Slack's HTTP mode
// (fake) and Redis, with the Caracal simulator started with opts.
func slackRedisEnv(t *testing.T, fake *slackfake.Server, redis *redistest.Server, opts ...caracaltest.Option) map[string]string {
	t.Helper()
	return with(simEnv(startSim(t, opts...)), "SLACK_BOT_TOKEN", "xoxb-test-bot-token", "SLACK_API_URL", fake.URL(),
		"SLACK_SIGNING_SECRET", testSigningSecret, "REDIS_URL", redis.URL())
}

func rootsMentioning(fake *slackfake.Server, text string) int {
	n := 0
	for _, m := range fake.Roots(testChannel) {
		if strings.Contains(m.BlocksJSON, text) {
			n++
		}
	}
	return n
}

// TestTwoReplicasOnRedisAnswerEachCommandOnce runs two replicas sharing
// Redis: a command delivered to both runs once; with one replica killed and
// Redis restarted mid-run, every command is still answered exactly once.
func TestTwoReplicasOnRedisAnswerEachCommandOnce(t *testing.T) {
	t.Parallel()
	redis := redistest.Start(t)
	fake := slackfake.Start(t)
	env := slackRedisEnv(t, fake, redis)
	a, b := startReplica(t, env), startReplica(t, env)
	now := time.Now()

	// One slash command delivered to both replicas (freshly signed each
	// time, so it is not a replay): one diagnosis.
	for i, r := range []*replica{a, b, a} {
		code, _ := signedPost(t, r.base+"/slack/commands", slashForm("why "+denyID, "trig-shared", fake), now.Add(time.Duration(i)*time.Second))
		require.Equal(t, http.StatusOK, code)
	}
	require.Eventually(t, func() bool { return rootsMentioning(fake, denyID) == 1 }, 15*time.Second, 20*time.Millisecond)

	// Replica A dies; B answers.
	a.kill()
	code, _ := signedPost(t, b.base+"/slack/commands", slashForm("status", "trig-after-kill", fake), now.Add(5*time.Second))
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return len(fake.Roots(testChannel)) == 2 }, 15*time.Second, 20*time.Millisecond)

	// Redis goes down: B keeps answering, de-duplicating locally, and says so.
	redis.Stop()
	code, ack := signedPost(t, b.base+"/slack/commands", slashForm("status", "trig-outage", fake), now.Add(6*time.Second))
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, ack, "Working on it")
	code, ack = signedPost(t, b.base+"/slack/commands", slashForm("status", "trig-outage", fake), now.Add(7*time.Second))
	require.Equal(t, http.StatusOK, code)
	assert.Empty(t, ack, "the repeat is caught by the local fallback")
	require.Eventually(t, func() bool { return len(fake.Roots(testChannel)) == 3 }, 15*time.Second, 20*time.Millisecond)
	resp, err := http.Get(b.base + "/readyz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "degraded, still serving")
	assert.Contains(t, string(body), "local to this replica")

	// Redis returns: shared de-duplication again.
	redis.Restart()
	require.Eventually(t, func() bool {
		resp, err := http.Get(b.base + "/readyz")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return !strings.Contains(string(body), "degraded")
	}, 15*time.Second, 50*time.Millisecond)
	for i := range 2 {
		code, _ = signedPost(t, b.base+"/slack/commands", slashForm("status", "trig-back", fake), now.Add(time.Duration(8+i)*time.Second))
		require.Equal(t, http.StatusOK, code)
	}
	require.Eventually(t, func() bool { return len(fake.Roots(testChannel)) == 4 }, 15*time.Second, 20*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // nothing to wait for: prove no fifth root appears
	assert.Len(t, fake.Roots(testChannel), 4, "every command answered exactly once")
}

// TestTwoReplicasFileOneTicket clicks Upload bundle to ticket on both
// replicas at once: the shared idempotency key yields one ticket.
func TestTwoReplicasFileOneTicket(t *testing.T) {
	t.Parallel()
	redis := redistest.Start(t)
	fake := slackfake.Start(t)
	receiver := ticketstest.StartWebhook(t, "")
	env := slackRedisEnv(t, fake, redis)
	env["TICKET_WEBHOOK_URL"] = receiver.URL
	a, b := startReplica(t, env), startReplica(t, env)

	code, _ := signedPost(t, a.base+"/slack/commands", slashForm("why "+denyID, "trig-ticket", fake), time.Now())
	require.Equal(t, http.StatusOK, code)
	root, _ := waitThread(t, fake, 3)
	value := denyID + " --zone 019f1ce8-1680-793b-b480-86d4734b60a7"
	var wg sync.WaitGroup
	for i, r := range []*replica{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := clickPayload("ticket", value, root.TS, fake)
			// Two different users click, so the per-click de-duplication
			// does not hide the race; the ticket key must.
			form.Set("payload", strings.Replace(form.Get("payload"), "U0ONCALL", "U0USER"+string(rune('A'+i)), 1))
			signedPost(t, r.base+"/slack/interactions", form, time.Now().Add(time.Duration(i+1)*time.Second))
		}()
	}
	wg.Wait()
	// Both clicks are answered in the thread, one ticket created or found each.
	var answers []string
	require.Eventually(t, func() bool {
		answers = nil
		for _, m := range fake.Thread(testChannel, root.TS) {
			if strings.Contains(m.Text, "Ticket WH-") {
				answers = append(answers, m.Text)
			}
		}
		return len(answers) == 2
	}, 15*time.Second, 20*time.Millisecond)
	assert.Len(t, receiver.Issues(), 1, "one ticket across replicas")
	assert.Contains(t, strings.Join(answers, "\n"), "Ticket WH-001 already exists", "the second click found the first one's ticket")
}
