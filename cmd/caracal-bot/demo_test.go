package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// exchange is one command of a script transcript and the reply to it.
type exchange struct{ cmd, reply string }

// scriptExchanges splits a script transcript into its exchanges: every
// command is echoed as "> command" (clipped to the terminal width), its
// reply follows.
func scriptExchanges(out string) []exchange {
	var ex []exchange
	for _, line := range strings.Split(out, "\n") {
		if cmd, ok := strings.CutPrefix(line, "> "); ok {
			ex = append(ex, exchange{cmd: cmd})
			continue
		}
		if len(ex) > 0 {
			ex[len(ex)-1].reply += line + "\n"
		}
	}
	return ex
}

// TestDemoScript runs testdata/demo.txt against the demo's own in-process
// simulator: every command is echoed and answered, mistakes get an error
// reply without stopping the script, and the script exits 0.
func TestDemoScript(t *testing.T) {
	t.Parallel()
	res := runCLI(t, nil, "demo", "--script", "testdata/demo.txt")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Empty(t, res.err)
	assert.NotContains(t, strings.ToLower(res.out), "panic")
	assert.NotContains(t, res.out, "internal error")
	assert.NotContains(t, res.out, "\x1b[", "no colours without a terminal")

	script, err := os.ReadFile("testdata/demo.txt")
	require.NoError(t, err)
	var want []string
	for _, line := range strings.Split(string(script), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	var cmds []string
	replies := map[string]string{}
	for _, ex := range scriptExchanges(res.out) {
		cmds = append(cmds, ex.cmd)
		replies[ex.cmd] = ex.reply
	}
	assert.Equal(t, want, cmds, "every command is echoed, in order")

	expect := map[string][]string{
		"/caracal why 01a028ea-d354-7443-96e4-46e5643d943c": {
			"❌ The policy engine denied application billing-bot on resource resource://pipernet at the mint: policy set research-access (version 3) grants",
			"Surface sts_policy", "Cause resource_not_granted", "Decision deny", "Next actions"},
		"/caracal why 0d28d1d8-62d9-4254-a601-b5c10f56220a": {
			"✅ Caracal allowed this request", "Surface none", "Cause allowed", "Decision allow"},
		"/caracal why 01a21f00-7c3d-7e55-9b10-4d2f6a8e3c11 --status 429": {
			"Caracal is not ready: sts (503 redis_unreachable)", "Surface infrastructure", "Cause service_not_ready"},
		"/caracal status": {"1 of 5 Caracal services not ready.", "sts NO"},
		"/caracal doctor": {"Doctor: ", "failure(s)", "503 redis_unreachable"},
		"/caracal trace 01a028ea-d354-7443-96e4-46e5643d943c": {
			"Request 01a028ea-d354-7443-96e4-46e5643d943c: 2 audit row(s), final decision deny.",
			"occurred_at event_type decision evaluation_status detail"},
		"/caracal watch": {"⚠️ billing-bot was denied 5 times in 10m on resource://pipernet: resource_not_granted",
			"Denied requests 5 in the last 10m (threshold 5)", "[Upload bundle to ticket] [Show trace]",
			"Diagnosis of the newest request The policy engine denied application billing-bot on resource resource://pipernet",
			"Next actions", "does not announce more denials of this cluster for 1h"},
		"/caracal scenarios":    {fmt.Sprintf("%d simulated incidents", len(caracaltest.Scenarios())), "row 4, sts_policy/resource_not_granted", "/caracal why 0d28d1d8-62d9-4254-a601-b5c10f56220a"},
		"/caracal help":         {"caracal-bot commands: audit, bundle, causes, digest, doctor, help, status, ticket, trace, why"},
		"@caracal-bot help why": {"why <request-id | pasted error text>"},
		"/diagnose refunds fail: 403 access_denied (request_id=01a028ea-d354-7443-96e4-46e5643d943c)": {
			"you refunds fail: 403 access_denied (request_id=01a028ea-d354-7443-96e4-46e5643d943c) thread caracal-bot ❌ The policy engine denied",
			"Surface sts_policy", "Cause resource_not_granted", "[Re-run]", "Next actions"},
		"/diagnose lunch at noon?":                                      {"you lunch at noon? caracal-bot ❌ no request ID found", "(only visible to you)"},
		"/caracal whyy 01a028ea-d354-7443-96e4-46e5643d943c":            {`unknown command "whyy"; did you mean "why"?`},
		"/caracal frobnicate":                                           {`unknown command "frobnicate"`},
		"/caracal {{{ not a command":                                    {`"{{{" is not a command`},
		"/caracal why":                                                  {"why needs a request ID or pasted error text"},
		"/caracal why --zone nope 01a0ffff-0000-7000-8000-000000000000": {`unknown zone "nope"`},
		"/caracal audit --limit 0":                                      {"--limit must be a whole number from 1 to 1000"},
	}
	for cmd, frags := range expect {
		reply, ok := replies[cmd]
		if !assert.True(t, ok, "a reply to %q", cmd) {
			continue
		}
		flat := flatten(reply)
		for _, frag := range frags {
			assert.Contains(t, flat, frag, "reply to %q", cmd)
		}
	}
	for _, cmd := range want {
		assert.Contains(t, expect, cmd, "the test checks the reply to %q", cmd)
	}
}

// TestDemoDiagnosesScenariosAsSuggested types, for scenarios of every kind,
// the command the demo's banner and `scenarios` list suggest (often a pasted
// error body, not a bare ID): the demo stages that scenario's world, and
// leaves a degraded world for the next one, so each reply names its
// scenario's surface and cause.
func TestDemoDiagnosesScenariosAsSuggested(t *testing.T) {
	t.Parallel()
	names := []string{
		"sts-redis-down",           // pasted body, degraded world
		"deny-no-grant",            // pasted body, back to the healthy world
		"gateway-revocation-stale", // pasted body, degraded world
		"approval-pending",         // a pasted body longer than the echo line
		"audit-dlq",                // bare ID with --symptom, degraded world
		"allowed",                  // bare ID, healthy world
		"wrong-zone",               // the trace lives in the other zone
		"revoked-policy-not-propagated",
		"zone-invalid",
	}
	var script strings.Builder
	var scs []caracaltest.Scenario
	for _, name := range names {
		sc := scenario(t, name)
		scs = append(scs, sc)
		script.WriteString("/caracal why " + sc.WhyArgs() + "\n")
	}
	res := runCLI(t, nil, "demo", "--script", writeFile(t, "scenarios.txt", script.String()))
	require.Equal(t, 0, res.code, "%s", res)
	ex := scriptExchanges(res.out)
	require.Len(t, ex, len(scs), "one reply per command")
	for i, sc := range scs {
		flat := flatten(ex[i].reply)
		assert.Contains(t, flat, "Surface "+string(sc.Surface)+" Cause "+string(sc.Cause)+" ", "%s: %s", sc.Name, flat)
	}
}

// TestDemoDiagnosesAPastedMessageInItsThread: /diagnose on what the
// banner suggests posts the line as the user's message, and the answer,
// naming the scenario's cause, goes into the message's thread, every line
// of it behind the thread's gutter.
func TestDemoDiagnosesAPastedMessageInItsThread(t *testing.T) {
	t.Parallel()
	sc := scenario(t, "gateway-revocation-stale")
	res := runCLIWithInput(t, nil, "/diagnose "+sc.CallerSaw+"\nexit\n", "demo")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, res.out, "/diagnose "+sc.CallerSaw, "the banner suggests it")
	_, answer, found := strings.Cut(res.out, "you> you  {")
	require.True(t, found, "the line is posted as the user's message: %s", res.out)
	answer, _, _ = strings.Cut(answer, "you> ")
	_, thread, found := strings.Cut(answer, "\n  └ thread\n")
	require.True(t, found, answer)
	for _, l := range strings.Split(strings.TrimRight(thread, "\n"), "\n") {
		assert.True(t, strings.HasPrefix(l, "    │"), "in the thread: %q", l)
	}
	assert.Contains(t, flatten(thread), "Surface "+string(sc.Surface)+" Cause "+string(sc.Cause)+" ")
}

// TestDemoInteractive reads commands from stdin the way a terminal user
// types them, and stops at "exit".
func TestDemoInteractive(t *testing.T) {
	t.Parallel()
	res := runCLIWithInput(t, nil, "/caracal status\n\nexit\n/caracal help\n", "demo")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, res.out, "a simulated Caracal is running at http://127.0.0.1:", "the banner")
	assert.Contains(t, res.out, "All five Caracal services are ready.")
	assert.NotContains(t, res.out, "caracal-bot commands:", "nothing is answered after exit")
	assert.Empty(t, res.err)
}

// TestDemoEndOfInput: the interactive demo ends cleanly at end of input.
func TestDemoEndOfInput(t *testing.T) {
	t.Parallel()
	res := runCLIWithInput(t, nil, "/caracal why 0d28d1d8-62d9-4254-a601-b5c10f56220a", "demo")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, flatten(res.out), "Caracal allowed this request")
}

// TestDemoScriptMissingFile names the file and exits 1.
func TestDemoScriptMissingFile(t *testing.T) {
	t.Parallel()
	res := runCLI(t, nil, "demo", "--script", "testdata/no-such-script.txt")
	assert.Equal(t, 1, res.code, "%s", res)
	assert.Contains(t, res.err, "no-such-script.txt")
	assert.Equal(t, 1, lines(res.err))
}
