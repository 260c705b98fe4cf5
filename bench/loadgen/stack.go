package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

const (
	signingSecret = "loadgen-signing-secret-0123456789"
	channel       = "C0LOAD"
	denyID        = "01a028ea-d354-7443-96e4-46e5643d943c"
)

// replica is one running `caracal-bot serve` process.
type replica struct {
	base string
	cmd  *exec.Cmd
}

// stack is everything the load runs against.
type stack struct {
	replicas [2]*replica
	baseline string // the ack baseline stand-in's base URL
	slack    *slackfake.Server
	sent     int // unique commands sent so far
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startStack starts Redis, the simulator and the fake Slack, then two
// replicas. With hostileMiB > 0 every Caracal route answers 200 with a JSON
// object of that size, as a broken or hostile Caracal could.
func startStack(ctx context.Context, bin string, hostileMiB int, latency time.Duration) (*stack, func(), error) {
	var cleanups []func()
	stop := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	fail := func(err error) (*stack, func(), error) { stop(); return nil, nil, err }

	redisPort, err := freePort()
	if err != nil {
		return fail(err)
	}
	redis := exec.CommandContext(ctx, "redis-server", "--port", strconv.Itoa(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := redis.Start(); err != nil {
		return fail(fmt.Errorf("start redis-server (apt-get install redis-server): %w", err))
	}
	cleanups = append(cleanups, func() { _ = redis.Process.Kill(); _ = redis.Wait() })

	simCtx, simCancel := context.WithCancel(ctx)
	cleanups = append(cleanups, simCancel)
	sim := caracaltest.New(caracaltest.WithLatency(latency))
	if hostileMiB > 0 {
		sim.Inject("*", caracaltest.Fault{Status: http.StatusOK, Body: `{"id":"` + strings.Repeat("x", hostileMiB<<20-16) + `"}`})
	}
	ln, err := sim.ListenPrefixed(simCtx, "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	urls := ln.URLs()
	fake := slackfake.New()
	cleanups = append(cleanups, fake.Close)

	baseline, stopBaseline, err := startBaseline(ctx, redisPort)
	if err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, stopBaseline)

	s := &stack{slack: fake, baseline: baseline}
	for i := range s.replicas {
		port, err := freePort()
		if err != nil {
			return fail(err)
		}
		cmd := exec.CommandContext(ctx, bin, "serve")
		cmd.Env = append(os.Environ(),
			"CARACAL_API_URL="+urls[caracal.ServiceAPI], "CARACAL_STS_URL="+urls[caracal.ServiceSTS],
			"CARACAL_GATEWAY_URL="+urls[caracal.ServiceGateway], "CARACAL_AUDIT_URL="+urls[caracal.ServiceAudit],
			"CARACAL_COORDINATOR_URL="+urls[caracal.ServiceCoordinator],
			"CARACAL_ADMIN_TOKEN="+caracaltest.DefaultAdminToken, "CARACAL_COORDINATOR_TOKEN="+caracaltest.DefaultCoordinatorToken,
			"CARACAL_ZONE_ID="+caracaltest.ZoneResearch,
			"SLACK_BOT_TOKEN=xoxb-loadgen", "SLACK_SIGNING_SECRET="+signingSecret, "SLACK_API_URL="+fake.URL(),
			"REDIS_URL=redis://127.0.0.1:"+strconv.Itoa(redisPort)+"/0",
			"BOT_LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port), "BOT_LOG_LEVEL=error",
			// Every command goes to one channel: the channel limit is
			// raised out of reach, but still counted in Redis on each ack.
			"BOT_CHANNEL_COMMANDS_PER_MINUTE=1000000")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return fail(fmt.Errorf("start %s: %w", bin, err))
		}
		cleanups = append(cleanups, func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
		s.replicas[i] = &replica{base: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	}
	for _, r := range s.replicas {
		if err := waitHealthy(ctx, r.base); err != nil {
			return fail(err)
		}
	}
	return s, stop, nil
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s never answered /healthz", base)
}

// peakRSS reads a process's peak resident set (VmHWM) from /proc, in MiB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// rss reads a process's current resident set (VmRSS) in MiB.
func rss(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
