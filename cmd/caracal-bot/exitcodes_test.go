package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestExitCodes pins the exit code of every kind of input against a
// healthy simulator: 0 when a diagnosis (or answer) was produced, whatever it
// says; 2 for a usage error, with a one-line message on stderr saying what
// was expected and nothing on stdout.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	env := simEnv(srv)
	long128 := strings.Repeat("a", 128)
	long129 := strings.Repeat("a", 129)

	cases := []struct {
		name string
		args []string
		want int
		// errHas are fragments stderr must contain (usage errors).
		errHas []string
	}{
		// Diagnoses: exit 0 whatever they say.
		{name: "diagnosis_deny", args: []string{"why", denyID}, want: 0},
		{name: "diagnosis_allow", args: []string{"why", allowID}, want: 0},
		{name: "diagnosis_request_caracal_never_saw", args: []string{"why", unseenID}, want: 0},
		{name: "diagnosis_request_id_of_128_chars", args: []string{"why", long128}, want: 0},
		{name: "diagnosis_error_code_without_id", args: []string{"why", `{"error":"config_missing","error_description":"caracal.FromEnv: CARACAL_ZONE_ID missing"}`}, want: 0},
		{name: "diagnosis_in_staging_zone", args: []string{"why", denyID, "--zone", caracaltest.ZoneStaging}, want: 0},
		{name: "diagnosis_with_all_hints", args: []string{"why", denyID, "--status", "403", "--error", "access_denied", "--symptom", "revoked"}, want: 0},
		{name: "why_help", args: []string{"why", "--help"}, want: 0},

		// Usage errors. An unknown flag is one for trace: in why's pasted
		// text, a dashed word that is no flag of why's is text.
		{name: "usage_error_no_args_to_why", args: []string{"why"}, want: 2, errHas: []string{"why needs a request ID or pasted error text"}},
		{name: "usage_error_unknown_flag", args: []string{"trace", denyID, "--bogus"}, want: 2, errHas: []string{"unknown flag --bogus", "usage: trace"}},
		{name: "usage_error_flag_given_twice", args: []string{"why", denyID, "--zone", "a", "--zone", "b"}, want: 2, errHas: []string{"--zone given twice"}},
		{name: "usage_error_flag_without_value", args: []string{"why", denyID, "--zone"}, want: 2, errHas: []string{"--zone needs a value"}},
		{name: "usage_error_status_out_of_range", args: []string{"why", denyID, "--status", "99"}, want: 2, errHas: []string{"--status must be an HTTP status from 100 to 599"}},
		{name: "usage_error_status_not_a_number", args: []string{"why", denyID, "--status", "forbidden"}, want: 2, errHas: []string{"--status"}},
		{name: "usage_error_bad_error_code", args: []string{"why", denyID, "--error", "Access Denied!"}, want: 2, errHas: []string{"--error must be an error code"}},
		{name: "usage_error_unknown_symptom", args: []string{"why", denyID, "--symptom", "slow"}, want: 2, errHas: []string{"unknown symptom", "no-audit", "revoked"}},
		{name: "usage_error_request_id_of_129_chars", args: []string{"why", long129}, want: 2, errHas: []string{"129 bytes long", "expected 1–128 printable ASCII characters"}},
		{name: "usage_error_request_id_with_control_char", args: []string{"why", "01a028ea\x01d354"}, want: 2, errHas: []string{"control character (U+0001)"}},
		{name: "usage_error_request_id_with_escape_char", args: []string{"why", "01a028ea\x1b[31md354"}, want: 2, errHas: []string{"control character (U+001B)"}},
		{name: "usage_error_request_id_with_del", args: []string{"why", "01a028ea\x7fd354"}, want: 2, errHas: []string{"control character"}},
		{name: "usage_error_request_id_non_ascii", args: []string{"why", "01a028ea-d354-é"}, want: 2, errHas: []string{"non-ASCII character"}},
		{name: "usage_error_request_id_invalid_utf8", args: []string{"why", "01a028ea\xff"}, want: 2, errHas: []string{"invalid UTF-8"}},
		{name: "usage_error_over_long_id_in_pasted_sdk_message", args: []string{"why", "failed (request_id=" + long129 + ")"}, want: 2, errHas: []string{"129 bytes long"}},
		{name: "usage_error_pasted_text_without_id", args: []string{"why", "the", "agent", "got", "an", "error", "again"}, want: 2, errHas: []string{"no request ID found", "paste the request ID"}},
		{name: "usage_error_pasted_text_over_64KiB", args: []string{"why", strings.Repeat("word ", 20000)}, want: 2, errHas: []string{"paste at most"}},

		// Unknown commands and global flags.
		{name: "usage_error_unknown_command_did_you_mean", args: []string{"whyy", denyID}, want: 2, errHas: []string{`unknown command "whyy"`, `did you mean "why"`}},
		{name: "usage_error_unknown_command_did_you_mean_status", args: []string{"stauts"}, want: 2, errHas: []string{`did you mean "status"`}},
		{name: "usage_error_unknown_command_lists_commands", args: []string{"frobnicate"}, want: 2, errHas: []string{`unknown command "frobnicate"`, "audit, bundle, causes, config, demo, digest, doctor, help, serve, sim, status, ticket, trace, version, why"}},
		{name: "usage_error_unknown_command_is_clipped", args: []string{strings.Repeat("x", 500)}, want: 2, errHas: []string{"unknown command", "…"}},
		{name: "usage_error_unknown_global_flag", args: []string{"--bogus"}, want: 2, errHas: []string{`unknown command "--bogus"`}},
		{name: "usage_error_unknown_format", args: []string{"why", denyID, "--format", "yaml"}, want: 2, errHas: []string{`--format must be text, json or markdown, got "yaml"`}},
		{name: "usage_error_format_without_value", args: []string{"why", denyID, "--format"}, want: 2, errHas: []string{"--format needs a value"}},
		{name: "usage_error_only_global_flags", args: []string{"--format", "json"}, want: 2, errHas: []string{"no command given"}},

		// Other commands' usage errors.
		{name: "usage_error_status_takes_no_arguments", args: []string{"status", "now"}, want: 2, errHas: []string{"status takes no arguments"}},
		{name: "usage_error_doctor_zone_and_all_zones", args: []string{"doctor", "--zone", caracaltest.ZoneResearch, "--all-zones"}, want: 2, errHas: []string{"use --zone or --all-zones, not both"}},
		{name: "usage_error_doctor_takes_no_arguments", args: []string{"doctor", "please"}, want: 2, errHas: []string{"doctor takes no arguments"}},
		{name: "usage_error_doctor_strict_takes_no_value", args: []string{"doctor", "--strict=yes"}, want: 2, errHas: []string{"--strict takes no value"}},
		{name: "usage_error_trace_without_id", args: []string{"trace"}, want: 2, errHas: []string{"trace needs exactly one request ID"}},
		{name: "usage_error_trace_two_ids", args: []string{"trace", denyID, allowID}, want: 2, errHas: []string{"trace needs exactly one request ID"}},
		{name: "usage_error_trace_request_id_of_129_chars", args: []string{"trace", long129}, want: 2, errHas: []string{"129 bytes long"}},
		{name: "usage_error_trace_request_id_with_control_char", args: []string{"trace", "abc\x02def"}, want: 2, errHas: []string{"control character"}},
		{name: "usage_error_audit_limit_zero", args: []string{"audit", "--limit", "0"}, want: 2, errHas: []string{"--limit must be a whole number from 1 to 1000"}},
		{name: "usage_error_audit_limit_too_big", args: []string{"audit", "--limit", "1001"}, want: 2, errHas: []string{"--limit must be a whole number from 1 to 1000"}},
		{name: "usage_error_audit_limit_not_a_number", args: []string{"audit", "--limit", "ten"}, want: 2, errHas: []string{"--limit"}},
		{name: "usage_error_audit_since_bogus", args: []string{"audit", "--since", "bogus"}, want: 2, errHas: []string{"--since must be a duration like 30m, 24h or 7d"}},
		{name: "usage_error_audit_since_negative", args: []string{"audit", "--since", "-1h"}, want: 2, errHas: []string{"--since"}},
		{name: "usage_error_audit_since_over_90_days", args: []string{"audit", "--since", "91d"}, want: 2, errHas: []string{"--since"}},
		{name: "usage_error_audit_decision_maybe", args: []string{"audit", "--decision", "maybe"}, want: 2, errHas: []string{"--decision must be allow or deny"}},
		{name: "usage_error_audit_application_too_long", args: []string{"audit", "--application", strings.Repeat("a", 129)}, want: 2, errHas: []string{"--application is at most 128 characters"}},
		{name: "usage_error_audit_positional_argument", args: []string{"audit", "deny"}, want: 2, errHas: []string{"audit takes only flags"}},
		{name: "usage_error_help_unknown_command", args: []string{"help", "nope"}, want: 2, errHas: []string{`unknown command "nope"`}},

		// Valid runs of the other commands.
		{name: "status_healthy", args: []string{"status"}, want: 0},
		{name: "trace_deny", args: []string{"trace", denyID}, want: 0},
		{name: "trace_request_caracal_never_saw", args: []string{"trace", unseenID}, want: 0},
		{name: "audit_default", args: []string{"audit"}, want: 0},
		{name: "audit_all_flags", args: []string{"audit", "--decision", "deny", "--since", "7d", "--limit", "5", "--application", "019f230e-d6df-74ba-b084-de0d74d7d04b", "--zone", caracaltest.ZoneResearch}, want: 0},
		{name: "audit_limit_bounds", args: []string{"audit", "--limit", "1000", "--since", "90d"}, want: 0},
		{name: "help", args: []string{"help"}, want: 0},
		{name: "version", args: []string{"version"}, want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, env, tc.args...)
			if !assert.Equal(t, tc.want, res.code, "%s", res) {
				return
			}
			assert.NotContains(t, strings.ToLower(res.all()), "panic")
			if tc.want != 2 {
				return
			}
			assert.Empty(t, res.out, "a usage error prints nothing on stdout")
			for _, frag := range tc.errHas {
				assert.Contains(t, res.err, frag)
			}
			// One line says what was wrong; a second may point at --help.
			first, rest, _ := strings.Cut(strings.TrimRight(res.err, "\n"), "\n")
			assert.True(t, strings.HasPrefix(first, "caracal-bot: "), "stderr starts with the message: %q", res.err)
			assert.True(t, rest == "" || strings.HasPrefix(rest, "Run 'caracal-bot ") && !strings.Contains(rest, "\n"),
				"the error is one line (plus a --help hint): %q", res.err)
			assert.NotContains(t, res.err, "\x1b", "user input is not echoed raw")
			assert.NotContains(t, res.err, "\x01")
			assert.Less(t, len(first), 400, "the message is short: %q", first)
		})
	}
}

// TestUnknownZoneIsAUsageError: a zone Caracal does not have, given with
// --zone to any command or as CARACAL_ZONE_ID to why, is a one-line usage
// error (exit 2) naming the zone, whatever the request ID, and whatever
// the zone looks like.
func TestUnknownZoneIsAUsageError(t *testing.T) {
	t.Parallel()
	srv := startSim(t)
	env := simEnv(srv)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		// errHas is what stderr must say (the zone, clipped and with
		// control characters neutralised).
		errHas string
	}{
		{name: "why_request_caracal_never_saw", args: []string{"why", unseenID, "--zone", "nope"}, errHas: `unknown zone "nope"`},
		{name: "why_zone_from_environment", env: with(env, "CARACAL_ZONE_ID", "019f0000-0000-7000-8000-000000000000"), args: []string{"why", unseenID},
			errHas: `unknown zone "019f0000-0000-7000-8000-000000000000"`},
		{name: "why_request_that_lives_in_another_zone", args: []string{"why", denyID, "--zone", "nope"}, errHas: `unknown zone "nope"`},
		{name: "why_zone_with_a_slash", args: []string{"why", unseenID, "--zone", "a/b"}, errHas: "a/b"},
		{name: "why_zone_with_control_characters", args: []string{"why", unseenID, "--zone", "no\x1b[31mpe"}, errHas: "zone"},
		{name: "why_zone_of_300_chars", args: []string{"why", unseenID, "--zone", strings.Repeat("z", 300)}, errHas: "zone"},
		{name: "trace", args: []string{"trace", denyID, "--zone", "nope"}, errHas: `"nope"`},
		{name: "audit", args: []string{"audit", "--zone", "nope"}, errHas: `"nope"`},
		{name: "doctor", args: []string{"doctor", "--zone", "nope"}, errHas: `unknown zone "nope"`},
		{name: "digest", args: []string{"digest", "--zone", "nope"}, errHas: `unknown zone "nope"`},
		{name: "bundle", args: []string{"bundle", denyID, "--zone", "nope"}, errHas: `unknown zone "nope"`},
		{name: "ticket", env: with(env, "TICKET_WEBHOOK_URL", "http://127.0.0.1:9/hook"), args: []string{"ticket", unseenID, "--zone", "nope"}, errHas: `unknown zone "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := env
			if tc.env != nil {
				e = tc.env
			}
			res := runCLI(t, e, tc.args...)
			if !assert.Equal(t, 2, res.code, "%s", res) {
				return
			}
			assert.Empty(t, res.out)
			assert.Contains(t, res.err, tc.errHas)
			first, _, _ := strings.Cut(res.err, "\n")
			assert.Contains(t, first, "zone", "the first line is about the zone: %q", res.err)
			assert.NotContains(t, res.err, "\x1b")
			assert.LessOrEqual(t, lines(res.err), 2, "one line (plus a --help hint): %q", res.err)
		})
	}
}

// TestNoArgsPrintsUsage: with no arguments the usage goes to stderr, exit 2.
func TestNoArgsPrintsUsage(t *testing.T) {
	t.Parallel()
	res := runCLI(t, nil)
	assert.Equal(t, 2, res.code)
	assert.Empty(t, res.out)
	assert.Contains(t, res.err, "Usage:")
	assert.Contains(t, res.err, "caracal-bot <command>")
	for _, cmd := range []string{"why", "status", "doctor", "trace", "audit", "help", "demo", "sim", "config check", "version"} {
		assert.Contains(t, res.err, "\n  "+cmd, "usage lists %s", cmd)
	}
}

// TestVersion prints the version on stdout, the one bundle manifests
// carry.
func TestVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"version", "--version"} {
		res := runCLI(t, nil, arg)
		assert.Equal(t, 0, res.code, "%s", res)
		assert.Equal(t, "caracal-bot "+botVersion()+"\n", res.out)
		assert.Empty(t, res.err)
	}
	assert.NotEmpty(t, botVersion())

	res := runCLI(t, simEnv(startSim(t)), "bundle", denyID, "--format", "json")
	require.Equal(t, 0, res.code, "%s", res)
	var manifest struct {
		BotVersion string `json:"bot_version"`
	}
	decodeOne(t, res.out, &manifest)
	assert.Equal(t, botVersion(), manifest.BotVersion)
}
