// Command digestload measures the digest at production volume: it serves
// the Caracal simulator on loopback with synthetic deny traffic in the
// Research zone and latency L on every route, runs `caracal-bot digest
// --format json` against it as a separate process, once per size, and
// reports the time as a multiple of L, the peak resident memory of the bot
// process, the counts and the coverage. Every address is on 127.0.0.1.
//
//	go build -o bin/caracal-bot ./cmd/caracal-bot
//	go run ./bench/digestload -bin bin/caracal-bot -requests 50000,500000
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

func main() {
	bin := flag.String("bin", "bin/caracal-bot", "caracal-bot binary to run")
	sizes := flag.String("requests", "50000,500000", "denied requests in the 24-hour window (each leaves two deny rows), one run each")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency L added to every Caracal route")
	timeout := flag.Duration("timeout", 0, "the bot's caracal.diagnosis_timeout (0: its default)")
	flag.Parse()
	if err := run(*bin, *sizes, *latency, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "digestload:", err)
		os.Exit(1)
	}
}

// result is one digest run.
type result struct {
	requests          int
	elapsed           time.Duration
	rssMiB            float64
	counted, denyRows int
	totalRows         int
	coverage          float64
	previous          float64
	truncated         bool
}

func run(bin, sizes string, latency, timeout time.Duration) error {
	var runs []result
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-requests: %q is not a positive number", f)
		}
		r, err := once(bin, n, latency, timeout)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "deny rows\ttime\tpeak RSS\trequests counted\tdeny rows read\ttotal (overview)\tcoverage\tprevious window coverage\n")
	for _, r := range runs {
		fmt.Fprintf(w, "%d\t%.1f L\t%.0f MiB\t%d\t%d\t%d\t%.1f%%\t%.1f%%\n", 2*r.requests, float64(r.elapsed)/float64(latency), r.rssMiB,
			r.counted, r.denyRows, r.totalRows, 100*r.coverage, 100*r.previous)
	}
	return w.Flush()
}

// once serves a simulator with n synthetic denied requests over the last
// 23 hours and runs one digest against it.
func once(bin string, n int, latency, timeout time.Duration) (result, error) {
	sim := caracaltest.New(caracaltest.WithSyntheticDenials(n, 23*time.Hour, 40, 25), caracaltest.WithLatency(latency))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ln, err := sim.ListenPrefixed(ctx, "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	urls := ln.URLs()
	env := append(os.Environ(),
		"CARACAL_API_URL="+urls[caracal.ServiceAPI], "CARACAL_STS_URL="+urls[caracal.ServiceSTS], "CARACAL_GATEWAY_URL="+urls[caracal.ServiceGateway],
		"CARACAL_AUDIT_URL="+urls[caracal.ServiceAudit], "CARACAL_COORDINATOR_URL="+urls[caracal.ServiceCoordinator],
		"CARACAL_ADMIN_TOKEN="+caracaltest.DefaultAdminToken, "CARACAL_COORDINATOR_TOKEN="+caracaltest.DefaultCoordinatorToken,
		"CARACAL_ZONE_ID="+caracaltest.ZoneResearch, "BOT_REQUIRE_HTTPS=false", "BOT_LOG_LEVEL=error")
	args := []string{"digest", "--format", "json", "--since", "24h"}
	if timeout > 0 {
		env = append(env, "CARACAL_DIAGNOSIS_TIMEOUT="+timeout.String())
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return result{}, err
	}
	cmd := exec.CommandContext(ctx, abs, args...)
	cmd.Env = env
	cmd.Dir = os.TempDir() // the digest writes its chart where it runs
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	if cmd.ProcessState == nil {
		return result{}, fmt.Errorf("digest did not run: %v: %s", err, errOut.String())
	}
	r := result{requests: n, elapsed: elapsed}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssMiB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	var rep struct {
		Zones []struct {
			Denials  *summary `json:"denials"`
			Previous *summary `json:"previous_denials"`
		} `json:"zones"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Zones) == 0 || rep.Zones[0].Denials == nil {
		return result{}, fmt.Errorf("digest answered no denials (exit %v): %s %s", err, out.String(), errOut.String())
	}
	d := rep.Zones[0].Denials
	r.counted, r.denyRows, r.totalRows, r.coverage, r.truncated = d.Requests, d.DenyRows, d.TotalDenyRows, d.Coverage, d.Truncated
	if p := rep.Zones[0].Previous; p != nil {
		r.previous = p.Coverage
	}
	return r, nil
}

// summary is the part of a digest's denial summary measured here.
type summary struct {
	Requests      int     `json:"requests"`
	DenyRows      int     `json:"deny_rows"`
	TotalDenyRows int     `json:"total_deny_rows"`
	Coverage      float64 `json:"coverage"`
	Truncated     bool    `json:"truncated"`
}
