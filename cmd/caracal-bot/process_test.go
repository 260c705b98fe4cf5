package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/scheduler"
)

// runAsBotEnv makes the test binary run main() instead of the tests, so a
// test can start real caracal-bot processes and kill them with SIGKILL.
const runAsBotEnv = "CARACAL_BOT_TEST_RUN_MAIN"

// cronSecondsEnv, set in a bot process's environment, is a cron seconds
// field ("*/5") put before every schedule's spec: a job scheduled every
// minute then runs every five seconds, and a test need not wait for minute
// boundaries. Only the test binary reads it; the configuration refuses
// seconds.
const cronSecondsEnv = "CARACAL_BOT_TEST_CRON_SECONDS"

func TestMain(m *testing.M) {
	if os.Getenv(runAsBotEnv) == "1" {
		if field := os.Getenv(cronSecondsEnv); field != "" {
			adjustScheduler = func(o *scheduler.Options) {
				o.Seconds = true
				for i := range o.Jobs {
					o.Jobs[i].Spec = field + " " + o.Jobs[i].Spec
				}
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// botProcess is `caracal-bot serve` running as a separate process.
type botProcess struct {
	name string
	cmd  *exec.Cmd
	logs *syncbuf.Buffer
	done chan struct{}
}

// startBotProcess runs `caracal-bot serve --config configPath` with env as
// its whole environment (plus PATH, HOME and GORACE), and kills it when the
// test ends.
func startBotProcess(t *testing.T, name, configPath string, env map[string]string) *botProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--config", configPath)
	cmd.Env = []string{runAsBotEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GORACE=" + os.Getenv("GORACE")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &botProcess{name: name, cmd: cmd, logs: &syncbuf.Buffer{}, done: make(chan struct{})}
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

// signal sends sig and waits for the process to end; it returns the exit code.
func (p *botProcess) signal(t *testing.T, sig os.Signal, within time.Duration) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(sig))
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("%s did not stop within %s of %s", p.name, within, sig)
	}
	return p.cmd.ProcessState.ExitCode()
}

// servingAddr matches the log line that names the listening address.
var servingAddr = regexp.MustCompile(`msg="caracal-bot serving" addr=(\S+)`)

// baseURL waits for the process to listen and returns its base URL.
func (p *botProcess) baseURL(t *testing.T) string {
	t.Helper()
	var base string
	require.Eventually(t, func() bool {
		m := servingAddr.FindStringSubmatch(p.logs.String())
		if m != nil {
			base = "http://" + m[1]
		}
		return m != nil
	}, 30*time.Second, 20*time.Millisecond, "%s did not start serving", p.name)
	return base
}

// kill ends the process at once, as a crash or an OOM kill would: no
// shutdown, no lease release.
func (p *botProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *botProcess) logged(text string) bool { return strings.Contains(p.logs.String(), text) }
