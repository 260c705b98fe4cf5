package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// Well-known request IDs of the simulator's scenario catalog.
const (
	denyID    = "01a028ea-d354-7443-96e4-46e5643d943c" // deny-no-grant: sts_policy/resource_not_granted
	allowID   = "0d28d1d8-62d9-4254-a601-b5c10f56220a" // allowed: none/allowed
	stsDownID = "01a21f00-7c3d-7e55-9b10-4d2f6a8e3c11" // sts-redis-down: infrastructure/service_not_ready
	// unseenID is well formed but Caracal never saw it.
	unseenID = "01a0ffff-0000-7000-8000-000000000000"
)

// contractKeys are the exact top-level keys of `why --format json`.
var contractKeys = []string{
	"request_id", "zone_id", "surface", "cause", "verdict", "decision",
	"steps", "evidence", "next_actions", "missing_evidence",
}

// stepKeys are the exact keys of one step object.
var stepKeys = []string{"n", "name", "status", "detail"}

// cliResult is what one in-process run of the CLI produced.
type cliResult struct {
	code     int
	out, err string
	elapsed  time.Duration
	dir      string // the working directory it wrote its files in
}

// all is stdout and stderr together, for "never prints X" checks.
func (r cliResult) all() string { return r.out + "\n" + r.err }

func (r cliResult) String() string {
	return "exit " + strconv.Itoa(r.code) + " after " + r.elapsed.String() + "\n--- stdout:\n" + r.out + "\n--- stderr:\n" + r.err
}

// runCLI runs the CLI in-process with the environment env (nothing else
// from the real environment leaks in), no terminal, and a fresh working
// directory for the files it writes.
func runCLI(t *testing.T, env map[string]string, args ...string) cliResult {
	t.Helper()
	return runCLIWithInput(t, env, "", args...)
}

func runCLIWithInput(t *testing.T, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	getenv := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	start := time.Now()
	dir := t.TempDir()
	code := run(ctx, args, streams{in: strings.NewReader(stdin), out: &out, err: &errb, getenv: getenv, tty: false, dir: dir})
	return cliResult{code: code, out: out.String(), err: errb.String(), elapsed: time.Since(start), dir: dir}
}

// startSim runs the Caracal simulator on five loopback servers. It uses the
// real clock, like the CLI, so "the last 24 hours" agree on both sides.
func startSim(t *testing.T, opts ...caracaltest.Option) *caracaltest.Server {
	t.Helper()
	return caracaltest.Start(t, opts...)
}

// simEnv is the environment that points the bot at srv, with valid tokens
// and the Research zone as default.
func simEnv(srv *caracaltest.Server) map[string]string {
	return map[string]string{
		"CARACAL_API_URL":           srv.APIURL,
		"CARACAL_STS_URL":           srv.STSURL,
		"CARACAL_GATEWAY_URL":       srv.GatewayURL,
		"CARACAL_AUDIT_URL":         srv.AuditURL,
		"CARACAL_COORDINATOR_URL":   srv.CoordinatorURL,
		"CARACAL_ADMIN_TOKEN":       caracaltest.DefaultAdminToken,
		"CARACAL_COORDINATOR_TOKEN": caracaltest.DefaultCoordinatorToken,
		"CARACAL_ZONE_ID":           caracaltest.ZoneResearch,
	}
}

// with returns a copy of env with the given name/value pairs set ("" values
// are set too; the config package treats them as unset).
func with(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env)+len(kv)/2)
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// closedURL returns an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// writeFile writes content to name in a fresh temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// whyArgs turns a scenario's `why` arguments into CLI arguments.
func whyArgs(sc caracaltest.Scenario) []string {
	return append([]string{"why"}, strings.Fields(sc.WhyArgs())...)
}

// scenario looks a scenario up by name.
func scenario(t *testing.T, name string) caracaltest.Scenario {
	t.Helper()
	sc, ok := caracaltest.ScenarioByName(name)
	require.True(t, ok, "scenario %s", name)
	return sc
}

// decodeOne decodes stdout as exactly one JSON value (nothing but white
// space may follow it) into v.
func decodeOne(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(v), "stdout is JSON:\n%s", out)
	var extra json.RawMessage
	require.ErrorIs(t, dec.Decode(&extra), io.EOF, "stdout holds one JSON value, then %s", extra)
}

// diagnosis is `why --format json` decoded loosely enough to check it.
type diagnosis struct {
	RequestID string `json:"request_id"`
	ZoneID    string `json:"zone_id"`
	Surface   string `json:"surface"`
	Cause     string `json:"cause"`
	Verdict   string `json:"verdict"`
	Decision  string `json:"decision"`
	Steps     []struct {
		N      int    `json:"n"`
		Name   string `json:"name"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	} `json:"steps"`
	Evidence []struct {
		Name, Value, Source string
	} `json:"evidence"`
	NextActions []struct {
		Text, Doc string
	} `json:"next_actions"`
	MissingEvidence []struct {
		What, Source, Reason string
	} `json:"missing_evidence"`
}

// whyJSON runs `why ... --format json` and decodes the diagnosis; the run
// must exit 0.
func whyJSON(t *testing.T, env map[string]string, args ...string) (diagnosis, cliResult) {
	t.Helper()
	res := runCLI(t, env, append(append([]string{"why"}, args...), "--format", "json")...)
	require.Equal(t, 0, res.code, "%s", res)
	var d diagnosis
	decodeOne(t, res.out, &d)
	return d, res
}

// flatten undoes the terminal renderer's wrapping: it drops the thread's
// box-drawing margin and joins every word with one space, so a sentence
// that was wrapped over several lines reads as one.
func flatten(s string) string {
	var words []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimLeft(line, " │└")
		words = append(words, strings.Fields(line)...)
	}
	return strings.Join(words, " ")
}

// unmarkdown undoes EscapeMarkdown: backslash escapes (app\_ids, https:\//)
// and the zero-width spaces that break mentions and links.
func unmarkdown(s string) string {
	return strings.ReplaceAll(mdEscape.ReplaceAllString(s, "$1"), "\u200b", "")
}

var mdEscape = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)

// sortedKeys returns a map's keys, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// lines counts the non-empty lines of s.
func lines(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}
