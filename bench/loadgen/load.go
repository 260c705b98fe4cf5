package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// stepResult is one rate step's figures.
type stepResult struct {
	// busy counts commands no replica took: every delivery was answered
	// "busy" (the bounded queue was full). They expect no diagnosis.
	rate, sent, busy, lost, duplicated int
	acks                               []time.Duration
	// baseline are the stand-in's answer times (baseline.go), measured
	// during the step.
	baseline  []time.Duration
	perSecond float64
	peakMiB   [2]float64
}

func (r stepResult) row() string {
	ack, base := quantile(r.acks), quantile(r.baseline)
	show := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return d.Round(100 * time.Microsecond).String()
	}
	ratio := "-"
	if b := base(0.99); b > 0 {
		ratio = fmt.Sprintf("%.1f×", float64(ack(0.99))/float64(b))
	}
	return fmt.Sprintf("| %d | %d | %s | %s | %s | %s | %s | %.1f | %d | %d | %d | %.0f / %.0f MiB |",
		r.rate, r.sent, show(ack(0.5)), show(ack(0.99)), show(ack(1)), show(base(0.99)), ratio,
		r.perSecond, r.busy, r.lost, r.duplicated, r.peakMiB[0], r.peakMiB[1])
}

// quantile returns the quantiles of ds (sorted in place); 0 for none.
func quantile(ds []time.Duration) func(p float64) time.Duration {
	slices.Sort(ds)
	return func(p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[int(p*float64(len(ds)-1))]
	}
}

// step sends rate commands a second for d, then waits for their replies.
func (s *stack) step(ctx context.Context, rate int, d time.Duration, dup float64) (stepResult, error) {
	res := stepResult{rate: rate}
	before := len(s.slack.Roots(channel))
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	start := time.Now()
	for time.Since(start) < d {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
		}
		s.sent++
		res.sent++
		n := s.sent
		targets := []*replica{s.replicas[n%2]}
		if rand.Float64() < dup {
			targets = append(targets, s.replicas[(n+1)%2])
		}
		cmdAcks := make([]string, len(targets))
		var cmdWG sync.WaitGroup
		for i, r := range targets {
			wg.Add(1)
			cmdWG.Add(1)
			go func() {
				defer wg.Done()
				defer cmdWG.Done()
				took, ack, err := slash(client, r.base, n, time.Now().Add(time.Duration(i)*time.Second))
				cmdAcks[i] = ack
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					res.acks = append(res.acks, took)
				}
			}()
		}
		if n%2 == 0 { // the baseline stand-in meets the same machine
			wg.Go(func() {
				took, _, err := slash(client, s.baseline, -n, time.Now())
				if err == nil {
					mu.Lock()
					res.baseline = append(res.baseline, took)
					mu.Unlock()
				}
			})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmdWG.Wait()
			if refusedAsBusy(cmdAcks) {
				mu.Lock()
				res.busy++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Wait for every accepted command's diagnosis; the rate is measured up
	// to the last one that arrived.
	want := before + res.sent - res.busy
	deadline := time.Now().Add(2 * time.Minute)
	last, lastAt := len(s.slack.Roots(channel)), time.Now()
	for last < want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if n := len(s.slack.Roots(channel)); n > last {
			last, lastAt = n, time.Now()
		}
	}
	time.Sleep(time.Second) // late duplicates would show up now
	got := len(s.slack.Roots(channel)) - before
	res.perSecond = float64(got) / lastAt.Sub(start).Seconds()
	if expected := res.sent - res.busy; got < expected {
		res.lost = expected - got
	} else {
		res.duplicated = got - expected
	}
	for i, r := range s.replicas {
		res.peakMiB[i] = peakRSS(r.cmd.Process.Pid)
	}
	return res, nil
}

// slash sends one signed /caracal why command and returns the ack time
// and the ack's body.
func slash(client *http.Client, base string, n int, signedAt time.Time) (time.Duration, string, error) {
	trigger := "load-" + strconv.Itoa(n)
	body := url.Values{"command": {"/caracal"}, "text": {"why " + denyID}, "user_id": {"U" + strconv.Itoa(n)},
		"channel_id": {channel}, "trigger_id": {trigger}, "response_url": {"http://127.0.0.1:1/unused"}}.Encode()
	stamp := strconv.FormatInt(signedAt.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	ack, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return took, string(ack), nil
}

// refusedAsBusy reports a command that no replica took: at least one
// delivery was answered "busy" and none was accepted.
func refusedAsBusy(acks []string) bool {
	busy := false
	for _, a := range acks {
		switch {
		case strings.Contains(a, "Working on it"):
			return false
		case strings.Contains(a, "busy"):
			busy = true
		}
	}
	return busy
}

// soak sends at rate for d and prints memory every 30 s.
func (s *stack) soak(ctx context.Context, rate int, d time.Duration, dup float64) error {
	fmt.Printf("\nsoak at %d cmd/s for %s\n\n| minute | sent | busy | lost | duplicated | RSS replica 1 | RSS replica 2 |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n", rate, d)
	end := time.Now().Add(d)
	for i := 0; time.Now().Before(end); i++ {
		r, err := s.step(ctx, rate, 30*time.Second, dup)
		if err != nil {
			return err
		}
		fmt.Printf("| %.1f | %d | %d | %d | %d | %.0f MiB | %.0f MiB |\n", float64(i+1)/2, r.sent, r.busy, r.lost, r.duplicated,
			rss(s.replicas[0].cmd.Process.Pid), rss(s.replicas[1].cmd.Process.Pid))
	}
	return nil
}
