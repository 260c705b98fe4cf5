package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestStatusExitCode: status exits 0 only when all five services are
// ready; one service not ready (sts-redis-down: STS answers 503) is exit 1,
// in every format.
func TestStatusExitCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		scenario string
		want     int
		summary  string
		notReady string // service shown as not ready
	}{
		{name: "all_ready", want: 0, summary: "All five Caracal services are ready."},
		{name: "sts_redis_down", scenario: "sts-redis-down", want: 1, summary: "1 of 5 Caracal services not ready.", notReady: "sts"},
		{name: "audit_not_ready", scenario: "audit-not-ready", want: 1, summary: "1 of 5 Caracal services not ready.", notReady: "audit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []caracaltest.Option
			if tc.scenario != "" {
				opts = append(opts, caracaltest.WithScenario(tc.scenario))
			}
			env := simEnv(startSim(t, opts...))

			res := runCLI(t, env, "status")
			assert.Equal(t, tc.want, res.code, "%s", res)
			assert.Contains(t, res.out, tc.summary)
			assert.Empty(t, res.err)
			for _, svc := range []string{"api", "sts", "gateway", "audit", "coordinator"} {
				assert.Regexp(t, regexp.MustCompile(`(?m)^\s+`+svc+`\s+(yes|NO)\s`), res.out, "a row for %s", svc)
			}
			if tc.notReady != "" {
				assert.Regexp(t, regexp.MustCompile(`(?m)^\s+`+tc.notReady+`\s+NO\s`), res.out)
			}

			md := runCLI(t, env, "status", "--format", "markdown")
			assert.Equal(t, tc.want, md.code, "%s", md)
			assert.Contains(t, md.out, "| service | ready | detail | url |")

			js := runCLI(t, env, "status", "--format", "json")
			assert.Equal(t, tc.want, js.code, "%s", js)
			var report map[string]json.RawMessage
			decodeOne(t, js.out, &report)
			assert.NotEmpty(t, report)
		})
	}
}

// TestDoctorExitCode: doctor exits 0 when Caracal is ready, 1 on any
// failure, and with --strict also on warnings.
func TestDoctorExitCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		scenario string
		args     []string
		want     int
	}{
		{name: "healthy", args: []string{"doctor"}, want: 0},
		{name: "healthy_strict", args: []string{"doctor", "--strict"}, want: 0},
		{name: "healthy_all_zones", args: []string{"doctor", "--all-zones"}, want: 0},
		{name: "healthy_staging_zone", args: []string{"doctor", "--zone", caracaltest.ZoneStaging}, want: 0},
		{name: "sts_redis_down", scenario: "sts-redis-down", args: []string{"doctor"}, want: 1},
		{name: "api_unreachable", scenario: "api-unreachable", args: []string{"doctor"}, want: 1},
		// audit-dlq leaves Caracal ready with a warning (dlq_size > 0).
		{name: "warning_only", scenario: "audit-dlq", args: []string{"doctor"}, want: 0},
		{name: "warning_only_strict", scenario: "audit-dlq", args: []string{"doctor", "--strict"}, want: 1},
	}
	// One simulator per world, shared by the cases that use it.
	envs := map[string]map[string]string{}
	for _, tc := range cases {
		if _, ok := envs[tc.scenario]; ok {
			continue
		}
		var opts []caracaltest.Option
		if tc.scenario != "" {
			opts = append(opts, caracaltest.WithScenario(tc.scenario))
		}
		envs[tc.scenario] = simEnv(startSim(t, opts...))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := envs[tc.scenario]
			res := runCLI(t, env, append(tc.args, "--format", "json")...)
			var report struct {
				Ready   bool `json:"ready"`
				Strict  bool `json:"strict"`
				Summary struct{ OK, Warn, Fail int }
				Checks  []struct{ Section, Name, Status, Detail string }
			}
			decodeOne(t, res.out, &report)
			var notOK []string
			for _, c := range report.Checks {
				if c.Status != "ok" {
					notOK = append(notOK, c.Name+" "+c.Status+": "+c.Detail)
				}
			}
			assert.Equal(t, tc.want, res.code, "checks not ok: %q\n%s", notOK, res.err)
			assert.Equal(t, tc.want == 0, report.Ready, "ready agrees with the exit code")
			assert.Equal(t, strings.Contains(strings.Join(tc.args, " "), "--strict"), report.Strict)
			if tc.name == "warning_only" {
				assert.Positive(t, report.Summary.Warn, "the scenario has a warning")
				assert.Zero(t, report.Summary.Fail, "and no failure: %q", notOK)
			}

			text := runCLI(t, env, tc.args...)
			assert.Equal(t, tc.want, text.code, "%s", text)
			assert.Contains(t, text.out, "Doctor: ")
		})
	}
}

// TestTraceTable: trace prints the request's audit rows as a table with a
// header and one row per event, whole when piped; json gives the raw
// trace; a request Caracal never saw is an answer (exit 0), not an error.
func TestTraceTable(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))

	res := runCLI(t, env, "trace", denyID)
	require.Equal(t, 0, res.code, "%s", res)
	assert.Empty(t, res.err)
	assert.Contains(t, res.out, "Request "+denyID+": 2 audit row(s), final decision deny.")
	assert.Regexp(t, regexp.MustCompile(`(?m)^Trace$`), res.out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+occurred_at\s+event_type\s+decision\s+evaluation_status\s+detail\s*$`), res.out, "header row")
	rows := regexp.MustCompile(`(?m)^\s+\d{4}-\d\d-\d\dT\S+\s+token_exchange\s+deny\s+\S+.*$`).FindAllString(res.out, -1)
	require.Len(t, rows, 2, "one line per audit row")
	assert.Contains(t, rows[0], "reason=resource_not_granted scopes=[pipernet:read]", "piped, rows are not cut")

	md := runCLI(t, env, "trace", denyID, "--format", "markdown")
	require.Equal(t, 0, md.code, "%s", md)
	assert.Contains(t, md.out, "| occurred\\_at | event\\_type | decision | evaluation\\_status | detail |")
	assert.Contains(t, md.out, "| --- | --- | --- | --- | --- |")

	js := runCLI(t, env, "trace", denyID, "--format", "json")
	require.Equal(t, 0, js.code, "%s", js)
	var trace struct {
		RequestID     string            `json:"request_id"`
		FinalDecision string            `json:"final_decision"`
		Events        []json.RawMessage `json:"events"`
	}
	decodeOne(t, js.out, &trace)
	assert.Equal(t, denyID, trace.RequestID)
	assert.Equal(t, "deny", trace.FinalDecision)
	assert.Len(t, trace.Events, 2)

	unseen := runCLI(t, env, "trace", unseenID)
	assert.Equal(t, 0, unseen.code, "%s", unseen)
	assert.Contains(t, flatten(unseen.out), "No audit rows for "+unseenID)
	assert.Contains(t, flatten(unseen.out), "why "+unseenID, "points at why, which searches every zone")
}

// TestAudit: audit lists recent events as a table and honours its flags.
func TestAudit(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))

	res := runCLI(t, env, "audit", "--limit", "3")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, res.out, "3 audit event(s) in zone "+caracaltest.ZoneResearch)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+occurred_at\s+request_id\s+event_type\s+decision\s+evaluation_status\s+detail\s*$`), res.out)
	assert.Len(t, regexp.MustCompile(`(?m)^\s+\d{4}-\d\d-\d\dT\S+\s+[0-9a-f-]{36}\s+\S+`).FindAllString(res.out, -1), 3, "each event with its request ID")
	assert.Contains(t, res.out, "raise --limit (now 3)", "says when more events exist")

	js := runCLI(t, env, "audit", "--decision", "deny", "--since", "24h", "--limit", "50", "--format", "json")
	require.Equal(t, 0, js.code, "%s", js)
	var page struct {
		Items []struct {
			Decision *string `json:"decision"`
		} `json:"items"`
	}
	decodeOne(t, js.out, &page)
	require.NotEmpty(t, page.Items, "the simulated day holds denies")
	assert.LessOrEqual(t, len(page.Items), 50)
	for _, it := range page.Items {
		require.NotNil(t, it.Decision)
		assert.Equal(t, "deny", *it.Decision)
	}

	staging := runCLI(t, env, "audit", "--zone", caracaltest.ZoneStaging, "--limit", "1")
	require.Equal(t, 0, staging.code, "%s", staging)
	assert.Contains(t, staging.out, "in zone "+caracaltest.ZoneStaging)

	noZone := with(env, "CARACAL_ZONE_ID", "")
	nz := runCLI(t, noZone, "audit")
	assert.Equal(t, 2, nz.code, "%s", nz)
	assert.Contains(t, nz.err, "audit needs a zone: pass --zone or set CARACAL_ZONE_ID")
}

// TestHelp: --help (or -h) on every command, `help <command>`, and
// `help`, --help and -h alone print one style of help on stdout and exit
// 0, with no configuration and no Caracal; the list names every command.
func TestHelp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		has  []string
	}{
		{[]string{"why", "--help"}, []string{"Usage: caracal-bot why <request-id | pasted error text>", "--zone ZONE", "--status STATUS", "--error ERROR", "--symptom SYMPTOM", "--format FORMAT", "--config FILE", "--no-color"}},
		{[]string{"why", "-h"}, []string{"Usage: caracal-bot why"}},
		{[]string{"help", "why"}, []string{"Usage: caracal-bot why", "--symptom"}},
		{[]string{"why", "--help", "--format", "json"}, []string{"Usage: caracal-bot why"}},
		{[]string{"status", "--help"}, []string{"Usage: caracal-bot status", "Readiness of the five Caracal services"}},
		{[]string{"doctor", "--help"}, []string{"Usage: caracal-bot doctor [--zone Z | --all-zones] [--strict]", "--all-zones", "--strict"}},
		{[]string{"trace", "--help"}, []string{"Usage: caracal-bot trace <request-id> [--zone Z]"}},
		{[]string{"audit", "--help"}, []string{"--decision", "--since", "--application", "--limit"}},
		{[]string{"digest", "--help"}, []string{"Usage: caracal-bot digest", "--post"}},
		{[]string{"bundle", "--help"}, []string{"Usage: caracal-bot bundle <request-id>", "--out OUT"}},
		{[]string{"ticket", "--help"}, []string{"Usage: caracal-bot ticket", "--retry-spooled"}},
		{[]string{"help", "--help"}, []string{"Usage: caracal-bot help [command]"}},
		{[]string{"serve", "--help"}, []string{"Usage: caracal-bot serve [--config FILE]", "--config FILE"}},
		{[]string{"serve", "-h"}, []string{"Usage: caracal-bot serve"}},
		{[]string{"help", "serve"}, []string{"Usage: caracal-bot serve"}},
		{[]string{"demo", "--help"}, []string{"Usage: caracal-bot demo", "--script FILE", "--no-color"}},
		{[]string{"sim", "--help"}, []string{"Usage: caracal-bot sim", "--addr HOST:PORT", "--scenario NAME", "(default 127.0.0.1:7000)"}},
		{[]string{"config", "--help"}, []string{"Usage: caracal-bot config check", "--format FORMAT"}},
		{[]string{"config", "check", "--help"}, []string{"Usage: caracal-bot config check"}},
		{[]string{"version", "--help"}, []string{"Usage: caracal-bot version"}},
	}
	// No Caracal, and a configuration that does not load: help needs neither.
	env := map[string]string{"CARACAL_API_URL": "not a url"}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, env, tc.args...)
			assert.Equal(t, 0, res.code, "%s", res)
			assert.Empty(t, res.err)
			assert.Regexp(t, regexp.MustCompile(`(?m)^Flags:\n  -h, --help  +show this help$`), res.out)
			for _, frag := range tc.has {
				assert.Contains(t, flatten(res.out), frag)
			}
		})
	}
	t.Run("the_list", func(t *testing.T) {
		t.Parallel()
		list := runCLI(t, env, "help")
		assert.Equal(t, 0, list.code, "%s", list)
		assert.Empty(t, list.err)
		for _, cmd := range []string{"why", "status", "doctor", "trace", "audit", "digest", "bundle", "ticket", "causes", "serve", "demo", "sim", "config check", "version", "help"} {
			assert.Regexp(t, regexp.MustCompile(`(?m)^  `+cmd+`  `), list.out, "help lists %s", cmd)
		}
		for _, args := range [][]string{{"--help"}, {"-h"}} {
			res := runCLI(t, env, args...)
			assert.Equal(t, 0, res.code, "%s", res)
			assert.Equal(t, list.out, res.out, "%v lists the same as help", args)
		}
	})
	t.Run("usage_errors_exit_2", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{{"demo", "--bogus"}, {"sim", "--bogus"}, {"sim", "extra"}, {"sim", "--scenario", "no-such-scenario", "--addr", "127.0.0.1:0"},
			{"config"}, {"config", "bogus"}, {"config", "check", "--format", "markdown"}, {"serve", "--bogus"}, {"serve", "extra"}, {"version", "extra"},
			{"help", "nope"}, {"help", "why", "status"}, {"--format", "json", "serve"}} {
			res := runCLI(t, nil, args...)
			assert.Equal(t, 2, res.code, "%v: %s", args, res)
			assert.Empty(t, res.out, "%v", args)
			assert.True(t, strings.HasPrefix(res.err, "caracal-bot"), "%v: %q", args, res.err)
		}
	})
}

// TestEveryCommandAcceptsFormat: each chat command answers in text, json
// and markdown; json is one JSON value, markdown starts with the severity
// mark and a bold summary, text is plain, without chat chrome or colours.
func TestEveryCommandAcceptsFormat(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))
	mdFirstLine := regexp.MustCompile(`^\S+ \*\*.+\*\*\n`)
	for _, args := range [][]string{{"why", denyID}, {"status"}, {"doctor"}, {"trace", denyID}, {"audit", "--limit", "2"}} {
		for _, format := range []string{"text", "json", "markdown"} {
			t.Run(strings.Join(args, "_")+"/"+format, func(t *testing.T) {
				t.Parallel()
				res := runCLI(t, env, append(args, "--format", format)...)
				require.Equal(t, 0, res.code, "%s", res)
				assert.Empty(t, res.err)
				switch format {
				case "json":
					var v any
					decodeOne(t, res.out, &v)
				case "markdown":
					assert.Regexp(t, mdFirstLine, res.out)
				case "text":
					for _, chrome := range []string{"caracal-bot  ", "└ thread", "│", "(only visible to you)", "[Re-run]", "📎"} {
						assert.NotContains(t, res.out, chrome)
					}
					assert.NotContains(t, res.out, "\x1b[")
				}
			})
		}
	}
}

// TestColourOnlyOnATerminal: text output is coloured on a terminal unless
// --no-color is given; json and markdown never are.
func TestColourOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	runTTY := func(args ...string) string {
		var out, errb strings.Builder
		code := run(t.Context(), args, streams{in: strings.NewReader(""), out: &out, err: &errb, getenv: getenv, tty: true})
		require.Equal(t, 0, code, "%s", errb.String())
		return out.String()
	}
	assert.Contains(t, runTTY("status"), "\x1b[", "coloured on a terminal")
	assert.NotContains(t, runTTY("status", "--no-color"), "\x1b[")
	assert.NotContains(t, runTTY("status", "--format", "json"), "\x1b[")
	assert.NotContains(t, runTTY("status", "--format", "markdown"), "\x1b[")
}
