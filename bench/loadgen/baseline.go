package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The baseline of an acknowledgement: a stand-in process that does only
// the work an ack cannot avoid, a Slack signature check and the four Redis
// round trips the bot's ack makes (the signature's replay memory,
// de-duplication, the user's and the channel's rate limits), and nothing
// else. It runs beside the replicas during every step and is sent one
// request for every two commands, so it meets the same machine: the ack's
// latency is reported as a multiple of the stand-in's, measured in the
// same run.

// baselineServeFlag makes loadgen run as the stand-in (an internal flag).
const baselineServeFlag = "baseline-serve"

// serveBaseline runs the stand-in on addr against the Redis at redisURL,
// until it is killed.
func serveBaseline(addr, redisURL string) error {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opts)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil || !validSignature(r.Header, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		sig := "baseline:sig:" + r.Header.Get("X-Slack-Signature")
		trigger := "baseline:dedup:" + form.Get("trigger_id")
		pipe := []func() error{
			func() error { return rdb.SetNX(ctx, sig, 1, 5*time.Minute).Err() },
			func() error { return rdb.SetNX(ctx, trigger, 1, 10*time.Minute).Err() },
			func() error { return rdb.Incr(ctx, "baseline:user:"+form.Get("user_id")).Err() },
			func() error { return rdb.Incr(ctx, "baseline:channel").Err() },
		}
		for _, call := range pipe {
			if err := call(); err != nil {
				http.Error(w, "redis", http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"Working on it"}`)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return srv.ListenAndServe()
}

// validSignature checks Slack's v0 signature of body.
func validSignature(h http.Header, body []byte) bool {
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", h.Get("X-Slack-Request-Timestamp"), body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(h.Get("X-Slack-Signature")))
}

// startBaseline runs this program again as the stand-in and returns its base URL.
func startBaseline(ctx context.Context, redisPort int) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.CommandContext(ctx, self, "-"+baselineServeFlag, addr, "-redis", "redis://127.0.0.1:"+strconv.Itoa(redisPort)+"/1")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("the baseline stand-in did not start on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
