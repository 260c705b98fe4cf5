package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestWhyJSONHasExactlyTheContractKeys runs `why --format json` for every
// scenario of the simulator's catalog (every surface, healthy and degraded
// worlds) and checks the stable JSON contract: one object, exactly the ten
// keys, eight steps with exactly n, name, status, detail, and arrays (never
// null) for the lists. Each scenario has a simulator of its own, so they
// run side by side.
func TestWhyJSONHasExactlyTheContractKeys(t *testing.T) {
	t.Parallel()
	for _, sc := range caracaltest.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			srv := startSim(t, caracaltest.WithScenario(sc.ID))
			res := runCLI(t, simEnv(srv), append(whyArgs(sc), "--format", "json")...)
			require.Equal(t, 0, res.code, "a diagnosis was produced, so exit 0: %s", res)

			var obj map[string]json.RawMessage
			decodeOne(t, res.out, &obj)
			assert.Equal(t, sorted(contractKeys), sortedKeys(obj), "top-level keys")

			var steps []map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(obj["steps"], &steps))
			require.Len(t, steps, 8, "the eight steps")
			for i, step := range steps {
				assert.Equal(t, sorted(stepKeys), sortedKeys(step), "keys of step %d", i+1)
				var n int
				require.NoError(t, json.Unmarshal(step["n"], &n))
				assert.Equal(t, i+1, n, "steps are numbered 1..8 in order")
			}
			for _, k := range []string{"evidence", "next_actions", "missing_evidence", "steps"} {
				assert.True(t, strings.HasPrefix(string(obj[k]), "["), "%s is an array, got %s", k, obj[k])
			}
			for _, k := range []string{"request_id", "zone_id", "surface", "cause", "verdict", "decision"} {
				assert.True(t, strings.HasPrefix(string(obj[k]), `"`), "%s is a string, got %s", k, obj[k])
			}

			var d diagnosis
			require.NoError(t, json.Unmarshal([]byte(res.out), &d))
			assert.Equal(t, sc.ID, d.RequestID)
			assert.Equal(t, string(sc.Surface), d.Surface, "surface; verdict: %s", d.Verdict)
			assert.Equal(t, string(sc.Cause), d.Cause, "cause; verdict: %s", d.Verdict)
			assert.NotEmpty(t, d.Verdict)
			assert.NotEmpty(t, d.NextActions)
			assert.Zero(t, srv.WriteAttempts(), "the bot never writes to Caracal")
		})
	}
}

// TestWhyTextAndMarkdownShowVerdictRequestIDAndSections checks that the
// human formats carry what the JSON says: the verdict, the request ID, the
// surface and cause, and the section titles.
func TestWhyTextAndMarkdownShowVerdictRequestIDAndSections(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"deny-no-grant", "allowed", "sts-redis-down", "approval-pending"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := scenario(t, name)
			srv := startSim(t, caracaltest.WithScenario(name))
			env := simEnv(srv)
			d, _ := whyJSON(t, env, whyArgs(sc)[1:]...)

			t.Run("text", func(t *testing.T) {
				res := runCLI(t, env, append(whyArgs(sc), "--format", "text")...)
				require.Equal(t, 0, res.code, "%s", res)
				assert.Empty(t, res.err)
				assert.NotContains(t, res.out, "\x1b[", "no colours without a terminal")
				flat := flatten(res.out)
				assert.Contains(t, flat, d.Verdict)
				assert.Contains(t, flat, "Request ID "+sc.ID)
				assert.Contains(t, flat, "Surface "+d.Surface)
				assert.Contains(t, flat, "Cause "+d.Cause)
				for _, title := range []string{"Evidence", "Steps", "Next actions"} {
					assert.Regexp(t, regexp.MustCompile(`(?m)^`+title+`$`), res.out, "section %q", title)
				}
				assert.Contains(t, flat, "1. runtime healthy")
				assert.Contains(t, flat, "8. audit trace")
			})
			t.Run("default_format_is_text", func(t *testing.T) {
				res := runCLI(t, env, whyArgs(sc)...)
				require.Equal(t, 0, res.code, "%s", res)
				assert.Contains(t, flatten(res.out), d.Verdict)
			})
			t.Run("markdown", func(t *testing.T) {
				res := runCLI(t, env, append(whyArgs(sc), "--format", "markdown")...)
				require.Equal(t, 0, res.code, "%s", res)
				assert.Empty(t, res.err)
				md := unmarkdown(res.out)
				assert.Contains(t, md, "**"+d.Verdict+"**", "the verdict is the bold first line")
				assert.Contains(t, md, "- **Request ID:** "+sc.ID)
				assert.Contains(t, md, "- **Surface:** "+d.Surface)
				assert.Contains(t, md, "- **Cause:** "+d.Cause)
				for _, title := range []string{"### Evidence", "### Steps", "### Next actions"} {
					assert.Regexp(t, regexp.MustCompile(`(?m)^`+title+`$`), res.out)
				}
				assert.Contains(t, res.out, "([docs](https://docs.caracal.run/", "next actions link the docs")
			})
		})
	}
}

// TestWhyAcceptsPastedText pins the input forms `why` understands: a bare
// ID, pasted error bodies and SDK messages passed as one argument with
// spaces inside, flags before or after the text, and the global flags in
// any position.
func TestWhyAcceptsPastedText(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	env := simEnv(srv)
	cases := []struct {
		name string
		args []string
	}{
		{"bare_id", []string{"why", denyID}},
		{"id_padded_with_spaces", []string{"why", "  " + denyID + "  "}},
		{"json_error_body_one_argument", []string{"why", `{"error": "access_denied", "error_description": "policy denied (resource_not_granted)", "requestId": "` + denyID + `"}`}},
		{"sdk_message_one_argument", []string{"why", "caracal.AccessDenied: policy denied (request_id=" + denyID + ")"}},
		{"sdk_message_as_words", strings.Fields("why caracal.AccessDenied: policy denied (request_id=" + denyID + ")")},
		{"x_request_id_header", []string{"why", "HTTP/1.1 403 Forbidden\nx-request-id: " + denyID}},
		{"flags_before_text", []string{"why", "--status", "403", "--error", "access_denied", denyID}},
		{"flag_with_equals", []string{"why", denyID, "--zone=" + caracaltest.ZoneResearch}},
		{"global_flags_before_command", []string{"--format", "json", "why", denyID}},
		{"format_with_equals", []string{"why", denyID, "--format=json"}},
		{"no_color_accepted", []string{"why", denyID, "--no-color"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := tc.args
			if !strings.Contains(strings.Join(args, " "), "--format") {
				args = append(args, "--format", "json")
			}
			res := runCLI(t, env, args...)
			require.Equal(t, 0, res.code, "%s", res)
			var d diagnosis
			decodeOne(t, res.out, &d)
			assert.Equal(t, denyID, d.RequestID)
			assert.Equal(t, "sts_policy", d.Surface)
			assert.Equal(t, "resource_not_granted", d.Cause)
		})
	}
}

// TestWhyWhenCaracalIsDown points the Admin API (or every service) at a
// closed port: the diagnosis still comes back (exit 0), says the surface is
// infrastructure and the cause api_unreachable, and names the evidence it
// could not fetch. Nothing panics and nothing hangs.
func TestWhyWhenCaracalIsDown(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	down := closedURL(t)
	envs := map[string]map[string]string{
		"api_down": with(simEnv(srv), "CARACAL_API_URL", down),
		"all_down": with(simEnv(srv), "CARACAL_API_URL", down, "CARACAL_STS_URL", down,
			"CARACAL_GATEWAY_URL", down, "CARACAL_AUDIT_URL", down, "CARACAL_COORDINATOR_URL", down),
	}
	for name, env := range envs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, res := whyJSON(t, env, denyID)
			assert.Less(t, res.elapsed, 10*time.Second, "a closed port answers at once (well under the 15 s diagnosis deadline)")
			assert.Equal(t, "infrastructure", d.Surface, "verdict: %s", d.Verdict)
			assert.Equal(t, "api_unreachable", d.Cause, "verdict: %s", d.Verdict)
			assert.Equal(t, denyID, d.RequestID)
			assert.Equal(t, caracaltest.ZoneResearch, d.ZoneID)
			assert.Contains(t, d.Verdict, strings.TrimPrefix(down, "http://"), "the verdict names the address that failed")
			assert.Len(t, d.Steps, 8)
			assert.Equal(t, "fail", d.Steps[0].Status, "step 1, runtime healthy, fails")
			assert.NotEmpty(t, d.NextActions)
			require.NotEmpty(t, d.MissingEvidence, "what could not be fetched is named")
			var whats []string
			for _, m := range d.MissingEvidence {
				whats = append(whats, m.What)
				assert.NotEmpty(t, m.Reason, "missing %s has a reason", m.What)
				assert.NotEmpty(t, m.Source, "missing %s has a source", m.What)
			}
			assert.Contains(t, whats, "request trace")
			assert.Contains(t, whats, "zone")

			text := runCLI(t, env, "why", denyID)
			require.Equal(t, 0, text.code, "%s", text)
			assert.Contains(t, text.out, "Missing evidence")
			assert.NotContains(t, strings.ToLower(text.all()), "panic")
		})
	}
	t.Run("other_commands_exit_1", func(t *testing.T) {
		t.Parallel()
		env := with(simEnv(srv), "CARACAL_API_URL", down)
		for _, args := range [][]string{{"status"}, {"doctor"}, {"trace", denyID}, {"audit"}} {
			res := runCLI(t, env, args...)
			assert.Equal(t, 1, res.code, "%v: %s", args, res)
			assert.NotContains(t, strings.ToLower(res.all()), "panic", "%v", args)
		}
	})
}

// TestWhyWhenCaracalIsSlow makes the trace lookup take 3 s while the bot's
// YAML config allows 200 ms per call and 1 s per diagnosis: the diagnosis
// still comes back in time and names the trace as missing (timeout).
func TestWhyWhenCaracalIsSlow(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	srv.Inject("api GET /v1/zones/*/audit/by-request/*/explain", caracaltest.Fault{Latency: 3 * time.Second})
	cfg := writeFile(t, "caracal-bot.yaml", "caracal:\n  call_timeout: 200ms\n  diagnosis_timeout: 1s\n")

	d, res := whyJSON(t, simEnv(srv), denyID, "--config", cfg)
	assert.Less(t, res.elapsed, 2500*time.Millisecond, "bounded by the diagnosis timeout, not by Caracal")
	assert.Equal(t, denyID, d.RequestID)
	assert.Len(t, d.Steps, 8)
	var trace []string
	for _, m := range d.MissingEvidence {
		if m.What == "request trace" {
			trace = append(trace, m.Reason)
			assert.Contains(t, m.Source, "/audit/by-request/"+denyID+"/explain")
		}
	}
	require.NotEmpty(t, trace, "the trace is named in missing_evidence: %+v", d.MissingEvidence)
	for _, reason := range trace {
		assert.Contains(t, reason, "timeout")
	}
}

// TestAdminTokenRejected gives the bot a wrong admin token: the commands that
// need it exit 1 and say plainly that Caracal rejected the bot's admin token,
// and the token itself is never printed, in any format or form.
func TestAdminTokenRejected(t *testing.T) {
	t.Parallel()
	const wrong = "wrong-token-xyz"
	srv := startSim(t)
	tokenFile := writeFile(t, "admin-token", wrong+"\n")
	envs := map[string]map[string]string{
		"env":  with(simEnv(srv), "CARACAL_ADMIN_TOKEN", wrong),
		"file": with(simEnv(srv), "CARACAL_ADMIN_TOKEN", "", "CARACAL_ADMIN_TOKEN_FILE", tokenFile),
	}
	cmds := [][]string{
		{"why", denyID},
		{"why", denyID, "--format", "json"},
		{"why", denyID, "--format", "markdown"},
		{"trace", denyID},
		{"audit"},
	}
	for name, env := range envs {
		for _, args := range cmds {
			t.Run(name+"/"+strings.Join(args, "_"), func(t *testing.T) {
				t.Parallel()
				res := runCLI(t, env, args...)
				assert.Equal(t, 1, res.code, "the bot cannot run: %s", res)
				assert.Contains(t, res.err, "rejected the bot's admin token")
				assert.Contains(t, res.err, "CARACAL_ADMIN_TOKEN")
				assert.Empty(t, res.out, "no half result on stdout")
				assert.NotContains(t, res.all(), wrong)
				assert.Equal(t, 1, lines(res.err), "one line: %s", res.err)
			})
		}
		t.Run(name+"/doctor_fails_without_printing_the_token", func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, env, "doctor", "--format", "json")
			assert.Equal(t, 1, res.code, "%s", res)
			assert.NotContains(t, res.all(), wrong)
		})
	}
}

// TestWhyWithoutAdminTokenSaysWhatToSet: with no admin token configured at
// all, `why` cannot run (exit 1) and says which setting to fill in.
func TestWhyWithoutAdminTokenSaysWhatToSet(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	env := simEnv(srv)
	delete(env, "CARACAL_ADMIN_TOKEN")
	res := runCLI(t, env, "why", denyID, "--format", "json")
	assert.Equal(t, 1, res.code, "%s", res)
	assert.Contains(t, res.err, "CARACAL_ADMIN_TOKEN")
	assert.Empty(t, res.out)
}
