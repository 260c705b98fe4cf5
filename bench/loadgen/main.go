// Command loadgen measures caracal-bot as a service: it starts a real
// redis-server, the Caracal simulator and a fake Slack on loopback, runs two
// `caracal-bot serve` replicas sharing Redis, sends signed slash commands at
// increasing rates (some delivered to both replicas, as Slack retries and
// redeliveries do), and reports ack latency, diagnoses per second, peak
// memory and lost or duplicated replies. Every address is on 127.0.0.1 and
// every loop is bounded; it stops by itself.
//
//	go build -o bin/caracal-bot ./cmd/caracal-bot
//	go run ./bench/loadgen -bin bin/caracal-bot -rates 50,100,200 -duration 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/caracal-bot", "caracal-bot binary to run as the two replicas")
	rates := flag.String("rates", "50,100,200", "commands per second, one step each")
	duration := flag.Duration("duration", 10*time.Second, "how long each rate step sends")
	dup := flag.Float64("dup", 0.1, "fraction of commands also delivered to the other replica")
	soak := flag.Duration("soak", 0, "after the steps, send at the first rate for this long and sample memory every 30s")
	hostile := flag.Int("hostile-mib", 0, "make every Caracal route answer 200 with a JSON body of this many MiB (a hostile Caracal), to measure peak memory")
	latency := flag.Duration("latency", 0, "latency added to every Caracal route (keeps the diagnosis pool busy)")
	baselineAddr := flag.String(baselineServeFlag, "", "internal: run as the ack baseline stand-in on this address")
	redisURL := flag.String("redis", "", "internal: the stand-in's Redis")
	flag.Parse()
	if *baselineAddr != "" {
		if err := serveBaseline(*baselineAddr, *redisURL); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen baseline:", err)
			os.Exit(1)
		}
		return
	}
	steps, err := parseRates(*rates)
	if err == nil {
		err = run(*bin, steps, *duration, *dup, *soak, *hostile, *latency)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func parseRates(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || n > 2000 {
			return nil, fmt.Errorf("-rates: %q is not a rate between 1 and 2000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(bin string, rates []int, duration time.Duration, dup float64, soak time.Duration, hostileMiB int, latency time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(len(rates)+1)*(duration+2*time.Minute)+soak)
	defer cancel()
	env, stop, err := startStack(ctx, bin, hostileMiB, latency)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("two replicas at %s and %s, Redis, simulator and fake Slack on loopback\n", env.replicas[0].base, env.replicas[1].base)
	if hostileMiB > 0 {
		fmt.Printf("hostile Caracal: every route answers 200 with a %d MiB body\n", hostileMiB)
	}
	fmt.Println()
	if latency > 0 {
		fmt.Printf("Caracal latency: %s on every route\n", latency)
	}
	fmt.Println("| rate (cmd/s) | sent | ack p50 | ack p99 | ack max | baseline p99 | ack p99 / baseline p99 | diagnoses/s | busy | lost | duplicated | peak RSS per replica |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, rate := range rates {
		r, err := env.step(ctx, rate, duration, dup)
		if err != nil {
			return err
		}
		fmt.Println(r.row())
	}
	if soak > 0 {
		return env.soak(ctx, rates[0], soak, dup)
	}
	return nil
}
