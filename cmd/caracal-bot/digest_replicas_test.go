package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/state/redistest"
)

// runAsBotEnv makes the test binary run main() instead of the tests, so a
// test can start real caracal-bot processes and kill them with SIGKILL.
const runAsBotEnv = "CARACAL_BOT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsBotEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// lockedBuffer is a bytes.Buffer safe for a process writing and a test reading.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// botProcess is `caracal-bot serve` running as a separate process.
type botProcess struct {
	name string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

// startBotProcess runs `caracal-bot serve --config configPath` with env as
// its whole environment (plus PATH and HOME), and kills it when the test ends.
func startBotProcess(t *testing.T, name, configPath string, env map[string]string) *botProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--config", configPath)
	cmd.Env = []string{runAsBotEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &botProcess{name: name, cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	require.NoError(t, cmd.Start())
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("logs of %s:\n%s", p.name, p.logs)
		}
	})
	return p
}

// kill ends the process at once, as a crash or an OOM kill would: no
// shutdown, no lease release.
func (p *botProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *botProcess) logged(text string) bool { return strings.Contains(p.logs.String(), text) }

// TestTwoProcessesOnRedisPostEachDigestOnce runs two bot processes sharing
// Redis with a digest scheduled every minute. The first digest is posted
// once; then the replica that posted it is killed with SIGKILL and Redis
// restarts (losing every key): the next digest is still posted once, by
// the survivor. It takes one to two minutes, the cron's resolution.
func TestTwoProcessesOnRedisPostEachDigestOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for two minute boundaries")
	}
	t.Parallel()
	redis := redistest.Start(t)
	fake := slackfake.Start(t)
	env := simEnv(startSim(t))
	env["SLACK_BOT_TOKEN"] = "xoxb-test-bot-token"
	env["SLACK_API_URL"] = fake.URL()
	env["SLACK_SIGNING_SECRET"] = testSigningSecret
	env["REDIS_URL"] = redis.URL()
	env["BOT_LISTEN_ADDR"] = "127.0.0.1:0"
	const channel = "C0DIGEST"
	configPath := filepath.Join(t.TempDir(), "caracal-bot.yaml")
	require.NoError(t, os.WriteFile(configPath, []byte(`schedules:
  - name: every-minute
    spec: "* * * * *"
    slack_channels: [`+channel+`]
`), 0o600))

	replicas := []*botProcess{startBotProcess(t, "replica-a", configPath, env), startBotProcess(t, "replica-b", configPath, env)}
	for _, r := range replicas {
		require.Eventually(t, func() bool { return r.logged("scheduler started") }, 30*time.Second, 20*time.Millisecond, "%s did not start", r.name)
	}
	// At start each replica says what it can tell of its admin token.
	require.Eventually(t, func() bool {
		return replicas[0].logged(`level=WARN msg="admin token scope: global`) && replicas[0].logged(`level=WARN msg="admin token capability: not verifiable`)
	}, 15*time.Second, 20*time.Millisecond)

	// The first digest: one post, and the other replica knows it was posted.
	require.Eventually(t, func() bool { return len(fake.Roots(channel)) >= 1 }, 75*time.Second, 100*time.Millisecond)
	var leader, survivor *botProcess
	require.Eventually(t, func() bool {
		for i, r := range replicas {
			if r.logged(`msg="digest posted"`) && replicas[1-i].logged("digest posted by another replica") {
				leader, survivor = r, replicas[1-i]
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond)
	assert.Len(t, fake.Roots(channel), 1, "the first digest is posted once")

	// The leader dies without a word; Redis restarts empty.
	leader.kill()
	redis.Stop()
	redis.Restart()

	require.Eventually(t, func() bool { return len(fake.Roots(channel)) >= 2 }, 75*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return strings.Count(survivor.logs.String(), `msg="digest posted"`) == 1 }, 5*time.Second, 20*time.Millisecond)
	time.Sleep(2 * time.Second) // nothing to wait for: a duplicate would arrive now
	assert.Len(t, fake.Roots(channel), 2, "each digest posted once")
}
