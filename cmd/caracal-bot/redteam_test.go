package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/redact"
)

// The red-team suite. Distinct secrets are planted everywhere the bot
// reads: its own configuration (every credential, one read from a file),
// Caracal's data (audit metadata, a policy-set name), Caracal echoing the
// bot's own credentials back (error bodies, readiness reasons) and what a
// user pastes. Every command then runs on every surface (the CLI in each
// format with debug logs, serve with Slack and Discord, bundles, tickets
// and their spool, the ops endpoints) and every byte the bot emitted is
// searched for every secret, raw and in every encoding a sink could give
// it. A leak is reported with the secret, the form it was found in and
// where it went.

// Credentials the bot is configured with. The values carry the characters
// escapers change (_ * & <), so every escaped form is exercised.
const (
	rtAdminToken       = "cat_rt_Admin_Tok3n_7Qf9Lm2Xw8Zp4Kd6Hs1Vb5Nc0Jg3Ty7Ue2Ra9" // Caracal's admin token format
	rtMetricsBearer    = "rt-metrics*bearer&<9fK2mQ7x_Lp4Wd8"
	rtCoordinatorToken = "rt_coord*token&<4Hd8Wq2Zs6_Mv3" // read from CARACAL_COORDINATOR_TOKEN_FILE
	rtSlackBotToken    = "xoxb-7319-RedTeam_slack*bot&tok<8Qw2"
	rtSigningSecret    = "rt_signing*secret&<Kx93Lm_Pq7"
	rtDiscordToken     = "NRedTeamDiscordBot0000001.RtD1sc.Red_Team-Discord_Token_4bXq9Lm2Zp"
	rtJiraToken        = "rt-jira*api&token<5Gh2Nq8Ws_Lk1"
	rtGitHubToken      = "ghp_RedTeam_GitHub_Token_0123456789abcd"
	rtWebhookSecret    = "rt_webhook*secret&<Vb7Yc3_Xn5"
	rtRedisPassword    = "rt-redis*pass&<Qw5Er9_Ty2"
	// rtWebhookPath is the path of the ticket webhook's URL: a URL with a
	// path may itself grant posting, so the whole URL is a secret.
	rtWebhookPath = "/hooks/rt-capability-Zx81Lm4Qp7"
	rtJiraEmail   = "oncall@acme.example"
	rtGitHubRepo  = "acme/incidents"
)

// Secrets recognised by their shape, planted in Caracal's data and in a
// paste. Each constant is the part the scrubber must remove.
const (
	rtAccessToken       = "rtAccessTok9Xq2Wm5Lp8"                          // ?access_token= in an audit row's path
	rtDBPassword        = "rtDbPass7Hk3Lq9Zs4"                             // db_password= in free text
	rtJWTSignature      = "RtJwtSignature_q8W2e4R6t8Y0u2I4"                // the signature of a JWT in metadata
	rtAmzSignature      = "rtAmzSig5f3e2d1c0b9a8e7"                        // X-Amz-Signature= of a signed URL
	rtBasicPassword     = "rtBasicPass4Zx8Cv6"                             // inside "Basic <base64 user:password>"
	rtSecretNumber      = 914736258301                                     // a number under a secret key (db_password)
	rtPasteBearer       = "rtPasteBearer3Kd8Lq2Wz7"                        // pasted: Authorization: Bearer
	rtPasteClientSecret = "rtPasteClient6Yh1Nb4Tm"                         // pasted: client_secret=
	rtPasteJWTSignature = "RtPasteJwtSig_z9X7c5V3b1N0m8"                   // pasted: a JWT
	rtJWTHead           = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWQtdGVhbSJ9." // a JWT's header and payload, kept readable
)

// rtPaste is what a user pastes after /caracal why: a real request ID
// among a bearer header, a client secret and a JWT.
func rtPaste(requestID string) string {
	return "the call " + requestID + " failed; Authorization: Bearer " + rtPasteBearer +
		" client_secret=" + rtPasteClientSecret + " mandate " + rtJWTHead + rtPasteJWTSignature
}

// rtBasic is the Basic credential planted in an error kind.
func rtBasic() string {
	return base64.StdEncoding.EncodeToString([]byte("svc-red:" + rtBasicPassword))
}

// configuredValues are the values of every credential the bot is
// configured with, as Caracal data echoes them.
func configuredValues(webhookURL string) []string {
	return []string{rtAdminToken, rtMetricsBearer, rtCoordinatorToken, rtSlackBotToken, rtSigningSecret, rtDiscordToken,
		rtJiraToken, rtGitHubToken, rtWebhookSecret, rtRedisPassword, webhookURL}
}

// plantedSecret is one secret the suite plants: the name reports use and
// every text whose presence in an output is a leak.
type plantedSecret struct {
	name    string
	needles []needle
}

// needle is one form of a secret to search for.
type needle struct{ form, text string }

// newSecret plants value under name. Its needles are the value in every
// encoding (see encodings) and fragments that are leaks on their own, a
// secret clipped before it was scrubbed: marks, else the value's first and
// last 12 characters.
func newSecret(name, value string, marks ...string) plantedSecret {
	if len(marks) == 0 {
		n := min(12, len(value))
		marks = []string{value[:n], value[len(value)-n:]}
	}
	s := plantedSecret{name: name}
	seen := map[string]bool{}
	add := func(form, text string) {
		if !seen[text] {
			seen[text] = true
			s.needles = append(s.needles, needle{form, text})
		}
	}
	add("raw", value)
	for _, n := range encodings(value) {
		add(n.form, n.text)
	}
	for _, m := range marks {
		add("fragment "+strconv.Quote(m), m)
	}
	return s
}

// encodings are the forms value can take in the bytes a sink receives:
// JSON-escaped (with and without HTML escaping), escaped for markdown,
// Slack and Discord, URL-encoded, and base64 at every byte alignment (as
// inside "Basic user:password").
func encodings(value string) []needle {
	quoted, _ := json.Marshal(value)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(value)
	out := []needle{
		{"json-escaped", strings.Trim(string(quoted), `"`)},
		{"json-escaped", strings.Trim(strings.TrimSpace(plain.String()), `"`)},
		{"markdown-escaped", chat.EscapeMarkdown(value)},
		{"slack-escaped", chat.EscapeSlack(value)},
		{"discord-escaped", chat.EscapeDiscord(value)},
		{"url-encoded", url.QueryEscape(value)},
		{"url-encoded", url.PathEscape(value)},
	}
	for _, core := range base64Cores(value) {
		out = append(out, needle{"base64", core})
	}
	return out
}

// base64Cores returns, for the standard and URL alphabets and each of the
// three byte alignments value can have inside a longer input, the base64
// characters that depend on value's bytes alone.
func base64Cores(value string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for k := range 3 {
			e := enc.EncodeToString(append(make([]byte, k), value...))
			// Character i holds bits [6i, 6i+6); value's bits are [8k, 8(k+len)).
			out = append(out, e[(8*k+5)/6:8*(k+len(value))/6])
		}
	}
	return out
}

// rtSecrets lists every planted secret; webhookURL is the configured
// ticket webhook.
func rtSecrets(webhookURL string) []plantedSecret {
	return []plantedSecret{
		newSecret("CARACAL_ADMIN_TOKEN", rtAdminToken),
		newSecret("CARACAL_METRICS_BEARER", rtMetricsBearer),
		newSecret("CARACAL_COORDINATOR_TOKEN_FILE", rtCoordinatorToken),
		newSecret("SLACK_BOT_TOKEN", rtSlackBotToken),
		newSecret("SLACK_SIGNING_SECRET", rtSigningSecret),
		newSecret("DISCORD_BOT_TOKEN", rtDiscordToken),
		newSecret("JIRA_API_TOKEN", rtJiraToken),
		newSecret("GITHUB_TOKEN", rtGitHubToken),
		newSecret("TICKET_WEBHOOK_SECRET", rtWebhookSecret),
		newSecret("REDIS_URL password", rtRedisPassword),
		newSecret("TICKET_WEBHOOK_URL", webhookURL, rtWebhookPath),
		newSecret("access_token in an audit path", rtAccessToken),
		newSecret("db_password in free text", rtDBPassword),
		newSecret("JWT signature in metadata", rtJWTSignature),
		newSecret("X-Amz-Signature", rtAmzSignature),
		newSecret("Basic credential", rtBasic()),
		newSecret("Basic password", rtBasicPassword),
		newSecret("number under db_password", strconv.Itoa(rtSecretNumber)),
		newSecret("pasted bearer", rtPasteBearer),
		newSecret("pasted client_secret", rtPasteClientSecret),
		newSecret("pasted JWT signature", rtPasteJWTSignature),
	}
}

// redTeam is a simulator serving the planted world, fake ticket systems,
// and the environment that configures the bot with every planted
// credential.
type redTeam struct {
	srv                   *caracaltest.Server
	jira, github, webhook *ticketstest.Server
	env                   map[string]string
	stateDir              string
	secrets               []plantedSecret
}

// startRedTeam starts the simulator, accepting only the planted
// credentials, on the planted world (see plantWorld).
func startRedTeam(t *testing.T) *redTeam {
	t.Helper()
	srv := startSim(t, caracaltest.WithAdminToken(rtAdminToken), caracaltest.WithMetricsBearer(rtMetricsBearer),
		caracaltest.WithCoordinatorToken(rtCoordinatorToken))
	rt := &redTeam{srv: srv, stateDir: t.TempDir(),
		jira: ticketstest.StartJira(t, rtJiraEmail, rtJiraToken), github: ticketstest.StartGitHub(t, rtGitHubToken, rtGitHubRepo),
		webhook: ticketstest.StartWebhook(t, rtWebhookSecret)}
	webhookURL := rt.webhook.URL + rtWebhookPath
	plantWorld(t, srv, webhookURL)
	// Redis is away: the shared state degrades, and its errors are outputs too.
	redisURL := url.URL{Scheme: "redis", User: url.UserPassword("", rtRedisPassword), Host: strings.TrimPrefix(closedURL(t), "http://"), Path: "/0"}
	rt.env = with(simEnv(srv),
		"CARACAL_ADMIN_TOKEN", rtAdminToken, "CARACAL_METRICS_BEARER", rtMetricsBearer,
		"CARACAL_COORDINATOR_TOKEN", "", "CARACAL_COORDINATOR_TOKEN_FILE", writeFile(t, "coordinator-token", rtCoordinatorToken+"\n"),
		"SLACK_BOT_TOKEN", rtSlackBotToken, "SLACK_SIGNING_SECRET", rtSigningSecret, "SLACK_API_URL", closedURL(t),
		"DISCORD_BOT_TOKEN", rtDiscordToken, "DISCORD_APP_ID", discordfake.DefaultAppID, "DISCORD_API_URL", closedURL(t),
		"JIRA_URL", rt.jira.URL, "JIRA_EMAIL", rtJiraEmail, "JIRA_API_TOKEN", rtJiraToken, "JIRA_PROJECT", "OPS",
		"GITHUB_API_URL", rt.github.URL, "GITHUB_TOKEN", rtGitHubToken, "GITHUB_REPO", rtGitHubRepo,
		"TICKET_WEBHOOK_URL", webhookURL, "TICKET_WEBHOOK_SECRET", rtWebhookSecret, "TICKET_SYSTEM", "jira",
		"REDIS_URL", redisURL.String(), "BOT_STATE_DIR", rt.stateDir, "BOT_LOG_LEVEL", "debug")
	rt.secrets = rtSecrets(webhookURL)
	return rt
}

// plantWorld plants secrets in Caracal's data, where the bot shows them:
// the active Research policy set's name (in deny-no-grant's headline)
// echoes the admin token, deny-no-grant's audit rows echo every configured
// credential (the trace table shows a row's reason), and upstream-failed's
// rows carry secrets by shape in the upstream host and error kind its
// headline quotes, the path and reason its trace shows, and keys only its
// JSON and bundle show.
func plantWorld(t *testing.T, srv *caracaltest.Server, webhookURL string) {
	t.Helper()
	w := srv.World()
	z := w.ZoneByID(caracaltest.ZoneResearch)
	renamed := 0
	for i := range z.PolicySets {
		if p := &z.PolicySets[i]; p.ActiveVersionID != nil && *p.ActiveVersionID != "" {
			p.Name += " (owner token " + rtAdminToken + ")"
			renamed++
		}
	}
	require.Equal(t, 1, renamed, "Research has one active policy set")
	require.Positive(t, w.MergeMetadata(caracaltest.ZoneResearch, denyID, map[string]any{
		"reason": "echo " + strings.Join(configuredValues(webhookURL), " ")}))
	require.Equal(t, 2, w.MergeMetadata(caracaltest.ZoneResearch, scenario(t, "upstream-failed").ID, map[string]any{
		"upstream_host": "pipernet:8088/export.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=" + rtAmzSignature,
		"error_kind":    "transport_error: dsn db_password=" + rtDBPassword + " refused, retried with Basic " + rtBasic(),
		"path":          "/v1/files?access_token=" + rtAccessToken + "&page=2",
		"reason":        "caller token " + rtJWTHead + rtJWTSignature,
		"forwarded_jwt": rtJWTHead + rtJWTSignature,
		"db_password":   rtSecretNumber,
	}))
	srv.SetWorld(w)
}

// echoCredentials makes Caracal echo the bot's credentials back: STS and
// the Gateway are not ready for reasons quoting the admin token and the
// metrics bearer, the Admin API's /health and audit list fail quoting the
// admin and Coordinator tokens, the Coordinator refuses /stats quoting its
// token and STS refuses /metrics.json quoting the bearer.
func echoCredentials(srv *caracaltest.Server) {
	w := srv.World()
	w.STS.Ready = caracaltest.NotReady("WRONGPASS redis refused AUTH " + rtAdminToken)
	w.Gateway.Ready = caracaltest.NotReady("metrics bearer " + rtMetricsBearer + " rejected")
	w.API.Health = &caracaltest.Reply{Status: http.StatusServiceUnavailable,
		Body: jsonBody(map[string]any{"ok": false, "error": "admin token " + rtAdminToken + " revoked"})}
	srv.SetWorld(w)
	srv.Inject("api /v1/zones/*/audit", caracaltest.Fault{Status: http.StatusInternalServerError, Body: string(jsonBody(map[string]string{
		"error": "internal_error", "error_description": "upstream refused Authorization: Bearer " + rtAdminToken + " and operator token " + rtCoordinatorToken}))})
	srv.Inject("coordinator /stats", caracaltest.Fault{Status: http.StatusUnauthorized, Body: string(jsonBody(map[string]string{
		"error": "unauthorized", "message": "operator token " + rtCoordinatorToken + " revoked"}))})
	srv.Inject("sts /metrics.json", caracaltest.Fault{Status: http.StatusUnauthorized, Body: "unauthorized: Bearer " + rtMetricsBearer})
}

// jsonBody encodes v, which the tests build to be encodable.
func jsonBody(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// cli runs the CLI with the red-team configuration, logging at debug in
// JSON when the output is JSON and in text otherwise, and keeps both
// streams under label (arguments may hold secrets; labels never do).
func (rt *redTeam) cli(t *testing.T, out *outputs, label string, args ...string) cliResult {
	t.Helper()
	return rt.cliWith(t, out, label, nil, args...)
}

// cliWith is cli with more environment variables (name, value pairs).
func (rt *redTeam) cliWith(t *testing.T, out *outputs, label string, env []string, args ...string) cliResult {
	t.Helper()
	logFormat := "text"
	if slices.Contains(args, "json") {
		logFormat = "json"
	}
	res := runCLI(t, with(with(rt.env, "BOT_LOG_FORMAT", logFormat), env...), args...)
	out.addString("cli "+label+": stdout", res.out)
	out.addString("cli "+label+": stderr", res.err)
	return res
}

// addCaracalRequests keeps the path and query of every request the bot
// sent Caracal: nothing pasted or configured may travel in one.
func (rt *redTeam) addCaracalRequests(out *outputs) {
	var b strings.Builder
	for _, r := range rt.srv.Requests() {
		fmt.Fprintf(&b, "%s %s %s?%s\n", r.Service, r.Method, r.Path, r.Query)
	}
	out.addString("requests to Caracal", b.String())
}

// TestRedTeamCLI runs every diagnosis command on the command line in every
// format, with debug logs in text and JSON, on the planted world, then with
// Caracal echoing the bot's credentials, and through error paths that
// repeat what was typed.
func TestRedTeamCLI(t *testing.T) {
	rt := startRedTeam(t)
	out := &outputs{}
	failed, deny := scenario(t, "upstream-failed"), scenario(t, "deny-no-grant")

	for _, format := range []string{"text", "json", "markdown"} {
		res := rt.cli(t, out, "why upstream-failed --format "+format, "why", failed.ID, "--format", format)
		require.Equal(t, 0, res.code, "%s", res)
		assert.Contains(t, unmarkdown(res.out), "upstream_failed", "the diagnosis still works")
		assert.Contains(t, res.out, failed.ID, "the request ID stays readable")
		assert.Contains(t, unmarkdown(res.out), "pipernet:8088", "the upstream host is still named")

		res = rt.cli(t, out, "why deny-no-grant --format "+format, "why", deny.ID, "--format", format)
		require.Equal(t, 0, res.code, "%s", res)
		assert.Contains(t, unmarkdown(res.out), "resource_not_granted")
		assert.Contains(t, res.out, caracaltest.ZoneResearch, "the zone ID stays readable")

		for _, args := range [][]string{{"trace", failed.ID}, {"trace", deny.ID}, {"trace", unseenID}, {"audit", "--limit", "1000"}, {"bundle", failed.ID}} {
			res = rt.cli(t, out, strings.Join(args, " ")+" --format "+format, append(args, "--format", format)...)
			require.Equal(t, 0, res.code, "%s", res)
		}
	}

	// Where the secrets were, placeholders show.
	res := rt.cli(t, out, "trace upstream-failed", "trace", failed.ID, "--format", "markdown")
	for _, want := range []string{"access_token=[redacted]", "db_password=[redacted]", "Basic [redacted]", rtJWTHead + "[redacted-signature]"} {
		assert.Contains(t, unmarkdown(res.out), want)
	}
	res = rt.cli(t, out, "trace upstream-failed", "trace", failed.ID, "--format", "json")
	assert.Contains(t, res.out, `"db_password": "[redacted]"`, "a number under a secret key")
	assert.Contains(t, res.out, "X-Amz-Signature=[redacted]")

	res = rt.cli(t, out, "why <paste>", append([]string{"why"}, strings.Fields(rtPaste(failed.ID))...)...)
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, res.out, "upstream_failed", "the request ID is found in the paste")
	assert.Contains(t, res.err, "removed 3 secret(s)", "the user is told what was removed")

	bundlePath := filepath.Join(t.TempDir(), "rt-bundle.zip")
	res = rt.cli(t, out, "bundle --out", "bundle", failed.ID, "--out", bundlePath)
	require.Equal(t, 0, res.code, "%s", res)
	out.addFile(t, "bundle --out file", bundlePath)

	for _, format := range []string{"text", "json"} {
		res = rt.cli(t, out, "config check --format "+format, "config", "check", "--format", format)
		require.Equal(t, 0, res.code, "%s", res)
	}

	// Error paths that repeat what was typed.
	for _, c := range []struct {
		label string
		args  []string
	}{
		{"an unknown command", []string{rtAdminToken}},
		{"a bad --decision", []string{"audit", "--decision", rtGitHubToken}},
		{"a bad --zone", []string{"why", failed.ID, "--zone", rtJiraToken + "/x"}},
	} {
		res = rt.cli(t, out, c.label, c.args...)
		assert.NotZero(t, res.code, "%s: %s", c.label, res)
	}

	// Caracal echoes the bot's credentials back.
	echoCredentials(rt.srv)
	for _, format := range []string{"text", "json", "markdown"} {
		for _, args := range [][]string{{"status"}, {"doctor"}, {"digest"}, {"why", deny.ID}, {"audit"}} {
			rt.cli(t, out, "echo: "+strings.Join(args, " ")+" --format "+format, append(args, "--format", format)...)
		}
	}
	res = rt.cli(t, out, "echo: status", "status")
	assert.Contains(t, res.out, "2 of 5 Caracal services not ready", "readiness still reads")
	res = rt.cli(t, out, "echo: status", "status", "--format", "json")
	assert.Contains(t, res.out, "WRONGPASS redis refused AUTH [redacted]", "the echoed reason is shown, its token removed")

	rt.addCaracalRequests(out)
	assertNoLeaks(t, rt.secrets, out)
}

// TestRedTeamTickets files tickets from the command line in Jira, GitHub
// and a webhook, then spools one that Jira refuses with a body echoing its
// credential, and retries it: every request the ticket systems received,
// every issue, comment and attachment, and the spool directory are searched.
func TestRedTeamTickets(t *testing.T) {
	rt := startRedTeam(t)
	out := &outputs{}
	failed, deny := scenario(t, "upstream-failed"), scenario(t, "deny-no-grant")

	// One ticket per request whatever the system: the GitHub and webhook
	// runs get a state_dir of their own, where no Jira ticket is recorded.
	for _, to := range []struct{ system, format, stateDir string }{{"jira", "text", rt.stateDir},
		{"github", "json", t.TempDir()}, {"webhook", "markdown", t.TempDir()}} {
		res := rt.cliWith(t, out, "ticket --to "+to.system, []string{"BOT_STATE_DIR", to.stateDir}, "ticket", failed.ID, "--to", to.system, "--format", to.format)
		require.Equal(t, 0, res.code, "%s", res)
		out.addDir(t, "state_dir after ticket --to "+to.system+":", to.stateDir)
	}
	require.Len(t, rt.jira.Issues(), 1)
	assert.Contains(t, rt.jira.Issues()[0].Title, "upstream_failed", "the ticket still says why")
	assert.Contains(t, rt.jira.Issues()[0].Body, failed.ID)
	require.Len(t, rt.jira.Issues()[0].Attachments, 1, "the bundle is attached")
	require.Len(t, rt.github.Issues(), 1)
	require.Len(t, rt.webhook.Issues(), 1)

	rt.jira.Inject(ticketstest.Fault{Status: http.StatusUnauthorized, Body: string(jsonBody(map[string]any{"errorMessages": []string{
		"Basic " + base64.StdEncoding.EncodeToString([]byte(rtJiraEmail+":"+rtJiraToken)) + " refused: API token " + rtJiraToken + " expired"}}))})
	res := rt.cli(t, out, "ticket spooled", "ticket", deny.ID)
	require.Equal(t, 1, res.code, "%s", res)
	assert.Contains(t, res.out, "spooled", "the refused ticket waits in the spool")
	spool := filepath.Join(rt.stateDir, "ticket-spool")
	out.addDir(t, "spool while spooled:", spool)

	res = rt.cli(t, out, "ticket --retry-spooled", "ticket", "--retry-spooled")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Len(t, rt.jira.Issues(), 2, "the spooled ticket is delivered")
	out.addDir(t, "spool after the retry:", spool)

	out.addTicketSystem("jira", rt.jira)
	out.addTicketSystem("github", rt.github)
	out.addTicketSystem("webhook", rt.webhook)
	rt.addCaracalRequests(out)
	assertNoLeaks(t, rt.secrets, out)
}

// TestRedTeamClippedEcho: Caracal echoes the admin token where the bot
// clips what it reads (readiness and health reasons at 120 characters, an
// error description at 1024), the token across the cut: what is left of
// it must not show either, on the command line or on /readyz.
func TestRedTeamClippedEcho(t *testing.T) {
	t.Parallel()
	rt := startRedTeam(t)
	out := &outputs{}
	w := rt.srv.World()
	w.STS.Ready = caracaltest.NotReady(acrossCut(120))
	w.API.Health = &caracaltest.Reply{Status: http.StatusServiceUnavailable, Body: jsonBody(map[string]any{"ok": false, "error": acrossCut(120)})}
	rt.srv.SetWorld(w)
	rt.srv.Inject("api /v1/zones/*/audit", caracaltest.Fault{Status: http.StatusInternalServerError,
		Body: string(jsonBody(map[string]string{"error": "internal_error", "error_description": acrossCut(1024)}))})

	for _, format := range []string{"text", "json", "markdown"} {
		for _, args := range [][]string{{"status"}, {"audit"}, {"why", denyID}} {
			rt.cli(t, out, strings.Join(args, " ")+" --format "+format, append(args, "--format", format)...)
		}
	}
	s := rt.startServe(t)
	_, body := getStatus(t, s.base+"/readyz")
	out.addString("GET /readyz", body)
	assertNoLeaks(t, rt.secrets, out)
}

// acrossCut is a text whose admin token starts 21 characters before
// limit: clipped at limit, it keeps the token's first 21 characters.
func acrossCut(limit int) string {
	const says = "upstream refused the call for "
	return strings.Repeat("-", limit-21-len(says)) + says + rtAdminToken
}

// TestRedTeamServe runs serve on Slack's HTTP mode and Discord's gateway
// with Redis away: slash commands (one with a paste), buttons and a thread
// mention on Slack, commands and buttons on Discord, on the planted world
// and then with Caracal echoing the bot's credentials. Every request the
// bot sent either platform, every uploaded file, every acknowledgement, the
// ops endpoints and the debug log are searched.
func TestRedTeamServe(t *testing.T) {
	t.Parallel()
	rt := startRedTeam(t)
	out := &outputs{}
	s := rt.startServe(t)
	failed, deny := scenario(t, "upstream-failed"), scenario(t, "deny-no-grant")
	value := deny.ID + " --zone " + caracaltest.ZoneResearch

	s.slash(t, out, "rt-paste", "why "+rtPaste(failed.ID))
	s.slash(t, out, "rt-why", "why "+deny.ID)
	for i, text := range []string{"trace " + failed.ID, "audit --limit 1000", "bundle " + failed.ID} {
		s.slash(t, out, "rt-"+strconv.Itoa(i), text)
	}
	root := s.slackRoot(t, "resource_not_granted", 3)
	for _, action := range []string{"trace", "why", "ticket"} {
		s.click(t, out, action, value, root.TS)
	}
	s.mention(t, out, "Ev-rt-1", "why "+failed.ID, root.TS)

	pasteToken := s.discordCommand(t, "why", strOpt("request_id", rtPaste(failed.ID)))
	whyToken := s.discordCommand(t, "why", strOpt("request_id", deny.ID))
	s.discordCommand(t, "trace", strOpt("request_id", failed.ID))
	s.discordCommand(t, "bundle", strOpt("request_id", failed.ID))
	s.discordCommand(t, "audit", &discordgo.ApplicationCommandInteractionDataOption{Name: "limit", Type: discordgo.ApplicationCommandOptionInteger, Value: float64(1000)})
	droot, _ := waitDiscordThread(t, s.discord, whyToken, 3)
	for _, action := range []string{"trace", "ticket"} {
		s.discordClick(t, action+"|"+value, droot.ID)
	}
	s.waitCommands(t, 16)

	echoCredentials(rt.srv)
	for i, text := range []string{"status", "doctor", "digest", "why " + deny.ID, "audit"} {
		s.slash(t, out, "rt-echo-"+strconv.Itoa(i), text)
	}
	for _, sub := range []string{"status", "doctor", "digest"} {
		s.discordCommand(t, sub)
	}
	s.waitCommands(t, 24)
	for _, path := range []string{"/readyz", "/metrics", "/healthz"} {
		code, body := getStatus(t, s.base+path)
		out.addString("GET "+path, body)
		assert.Equal(t, http.StatusOK, code, path)
		if path == "/readyz" {
			assert.Contains(t, body, "the bot keeps answering", "/readyz still tells of Caracal")
			assert.Contains(t, body, "admin token [redacted] revoked", "and of its echo, the token removed")
		}
	}
	s.stop()

	s.collect(out)
	out.addTicketSystem("webhook", rt.webhook)
	out.addDir(t, "state dir", rt.stateDir)
	rt.addCaracalRequests(out)
	assertNoLeaks(t, rt.secrets, out)

	// The features still work: diagnoses are posted with readable request
	// IDs, and the user who pasted secrets was told privately.
	assert.NotEmpty(t, s.slackRootsWith(failed.ID, "upstream_failed"), "Slack: the pasted request is diagnosed")
	assert.True(t, s.slackNoted("rt-paste", 3), "Slack: the private note on removed secrets")
	assert.NotEmpty(t, s.slack.Files(), "Slack: the bundle is uploaded")
	assert.True(t, s.discordNoted(pasteToken, 3), "Discord: the private note on removed secrets")
	paste, ok := s.discord.Original(pasteToken)
	if assert.True(t, ok, "Discord: the diagnosis of the pasted request is still in the channel (the private note must not delete it)") &&
		assert.NotEmpty(t, paste.Embeds) {
		var cause string
		for _, f := range paste.Embeds[0].Fields {
			if f.Name == "Cause" {
				cause = unescape(f.Value)
			}
		}
		assert.Equal(t, "upstream_failed", cause, "the embed's cause field")
	}
}

// TestRedTeamScannerFindsEveryForm: the search itself finds a secret in
// each form a sink could give it, and nothing in its placeholder; else
// the suite could pass by looking in the wrong place.
func TestRedTeamScannerFindsEveryForm(t *testing.T) {
	v := rtMetricsBearer // * & < and _ are changed by every escaper
	secret := newSecret("probe", v)
	var bundle bytes.Buffer
	zw := zip.NewWriter(&bundle)
	f, err := zw.Create("trace.json")
	require.NoError(t, err)
	_, err = f.Write(jsonBody(map[string]string{"note": v}))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	for _, c := range []struct{ name, data string }{
		{"raw", "token " + v + "."},
		{"JSON", string(jsonBody(map[string]string{"k": v}))},
		{"markdown", chat.EscapeMarkdown("see " + v)},
		{"Slack mrkdwn in a form-encoded JSON field", url.Values{"blocks": {string(jsonBody([]string{chat.EscapeSlack(v)}))}}.Encode()},
		{"Discord markdown in JSON", string(jsonBody(map[string]string{"content": chat.EscapeDiscord(v)}))},
		{"URL query", "https://x.example/?q=" + url.QueryEscape(v)},
		{"Basic credential", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+v))},
		{"base64url at offset 2", base64.RawURLEncoding.EncodeToString([]byte("ab" + v + "cd"))},
		{"zip in a multipart body", "--b\r\nContent-Type: application/zip\r\n\r\n" + bundle.String() + "\r\n--b--\r\n"},
		{"clipped", "reason: " + v[:13] + "…"},
	} {
		leaks, _, _ := findLeaks([]plantedSecret{secret}, []emission{{where: c.name, data: []byte(c.data)}})
		assert.Len(t, leaks, 1, "%s: %q", c.name, c.data)
	}
	leaks, _, _ := findLeaks([]plantedSecret{secret}, []emission{{where: "scrubbed", data: []byte(redact.New(v).String("token " + v))}})
	assert.Empty(t, leaks, "a placeholder is no leak")
}

// rtServe is serve with the red-team configuration on Slack's HTTP mode
// and Discord's gateway, each platform behind a recorder.
type rtServe struct {
	base                 string
	slack                *slackfake.Server
	discord              *discordfake.Server
	gw                   *discordfake.Gateway
	slackRec, discordRec *recorder
	logs                 *syncbuf.Buffer
	// stop stops serve once every queued reply is delivered.
	stop func()
}

// startServe runs serve in-process with the red-team configuration, its
// log at debug in JSON through the scrubber the way runServe builds it.
func (rt *redTeam) startServe(t *testing.T) *rtServe {
	t.Helper()
	s := &rtServe{slack: slackfake.Start(t, slackfake.WithToken(rtSlackBotToken)), gw: discordfake.NewGateway(0), logs: &syncbuf.Buffer{}}
	t.Cleanup(s.gw.Close)
	s.discord = discordfake.Start(t, discordfake.WithGateway(s.gw), discordfake.WithChannel(discordChannel), discordfake.WithBotToken(rtDiscordToken))
	s.slackRec, s.discordRec = startRecorder(t, s.slack.URL(), true), startRecorder(t, s.discord.URL(), false)
	env := with(rt.env, "SLACK_API_URL", s.slackRec.URL+"/", "DISCORD_API_URL", s.discordRec.URL+discordfake.APIPrefix,
		"DISCORD_APP_ID", s.discord.AppID(), "BOT_LOG_FORMAT", "json")
	scrub := redact.New()
	cfg, err := loadConfig("", streams{getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, scrub: scrub})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.base = "http://" + ln.Addr().String()
	s.stop = serveInBackground(t, cfg, ln, nil, newLogger(redact.NewWriter(s.logs, scrub), cfg, scrub), scrub)
	wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer wcancel()
	require.NoError(t, s.gw.WaitHandshakes(wctx, 1))
	return s
}

// slackPost sends a body signed with the planted signing secret to one of
// serve's Slack endpoints.
func (s *rtServe) slackPost(t *testing.T, path, contentType, body string) (int, string) {
	t.Helper()
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(rtSigningSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
	return resp.StatusCode, string(b)
}

// responseURL is a response_url through the Slack recorder.
func (s *rtServe) responseURL(id string) string {
	return s.slackRec.URL + "/response/" + url.PathEscape(id)
}

// slash sends /caracal text from the on-call user, and keeps the ack.
func (s *rtServe) slash(t *testing.T, out *outputs, trigger, text string) {
	t.Helper()
	form := url.Values{"command": {"/caracal"}, "text": {text}, "user_id": {"U0ONCALL"}, "user_name": {"oncall"},
		"channel_id": {testChannel}, "team_id": {slackfake.TeamID}, "trigger_id": {trigger}, "response_url": {s.responseURL(trigger)}}
	_, ack := s.slackPost(t, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	out.addString("slack ack of slash command "+trigger, ack)
}

// click clicks a button of the root message rootTS.
func (s *rtServe) click(t *testing.T, out *outputs, action, value, rootTS string) {
	t.Helper()
	p, err := json.Marshal(map[string]any{
		"type": "block_actions", "response_url": s.responseURL("click-" + action),
		"user":      map[string]string{"id": "U0ONCALL", "username": "oncall"},
		"channel":   map[string]string{"id": testChannel},
		"container": map[string]string{"message_ts": rootTS, "channel_id": testChannel},
		"actions":   []map[string]string{{"action_id": action, "value": value}},
	})
	require.NoError(t, err)
	_, ack := s.slackPost(t, "/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(p)}}.Encode())
	out.addString("slack ack of button "+action, ack)
}

// mention mentions the bot in the thread of rootTS.
func (s *rtServe) mention(t *testing.T, out *outputs, eventID, text, rootTS string) {
	t.Helper()
	_, ack := s.slackPost(t, "/slack/events", "application/json", threadMention(eventID, text, rootTS))
	out.addString("slack ack of mention "+eventID, ack)
}

// slackRoot waits for a root message showing marker with at least n
// thread replies.
func (s *rtServe) slackRoot(t *testing.T, marker string, n int) slackfake.Message {
	t.Helper()
	var root slackfake.Message
	require.Eventually(t, func() bool {
		for _, m := range s.slack.Roots(testChannel) {
			if strings.Contains(m.Text+m.BlocksJSON, marker) && len(s.slack.Thread(testChannel, m.TS)) >= n {
				root = m
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "a Slack root showing %s", marker)
	return root
}

// slackRootsWith lists the root messages showing every marker.
func (s *rtServe) slackRootsWith(markers ...string) []slackfake.Message {
	return slices.DeleteFunc(s.slack.Roots(testChannel), func(m slackfake.Message) bool {
		for _, mark := range markers {
			if !strings.Contains(m.Text+m.BlocksJSON, mark) {
				return true
			}
		}
		return false
	})
}

// slackNoted reports whether the user of the slash command or shortcut
// trigger was told privately that n secrets were removed from what they
// sent.
func (s *rtServe) slackNoted(trigger string, n int) bool {
	note := fmt.Sprintf("removed %d secret", n)
	for _, e := range s.slack.Ephemerals() {
		if e.User == "U0ONCALL" && strings.Contains(e.Text+e.BlocksJSON, note) {
			return true
		}
	}
	for _, p := range s.slack.ResponseURLPosts() {
		if p.ID == trigger && p.ResponseType != "in_channel" && strings.Contains(p.Text+p.BlocksJSON, note) {
			return true
		}
	}
	return false
}

// discordCommand sends /caracal sub with options through the gateway, as
// the on-call member of the test guild, and returns the interaction token.
func (s *rtServe) discordCommand(t *testing.T, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) string {
	t.Helper()
	id, token := s.discord.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	require.NoError(t, s.gw.SendInteraction(&discordgo.Interaction{
		ID: id, AppID: s.discord.AppID(), Type: discordgo.InteractionApplicationCommand, Token: token,
		ChannelID: discordChannel, GuildID: discordGuild,
		Member: &discordgo.Member{User: &discordgo.User{ID: "700000000000000001", Username: "oncall"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "1", Name: "caracal", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}}},
	}))
	return token
}

func strOpt(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// discordClick clicks the button customID of message messageID.
func (s *rtServe) discordClick(t *testing.T, customID, messageID string) {
	t.Helper()
	id, token := s.discord.NewInteraction(discordChannel, discordGuild, "700000000000000001")
	require.NoError(t, s.gw.SendInteraction(&discordgo.Interaction{
		ID: id, AppID: s.discord.AppID(), Type: discordgo.InteractionMessageComponent, Token: token,
		ChannelID: discordChannel, GuildID: discordGuild,
		Member:  &discordgo.Member{User: &discordgo.User{ID: "700000000000000001", Username: "oncall"}},
		Message: &discordgo.Message{ID: messageID, ChannelID: discordChannel},
		Data:    discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
	}))
}

// discordNoted reports whether the interaction token got an ephemeral
// followup saying that n secrets were removed.
func (s *rtServe) discordNoted(token string, n int) bool {
	for _, m := range s.discord.Followups(token) {
		text := m.Content
		for _, e := range m.Embeds {
			text += e.Description
		}
		if m.Ephemeral && strings.Contains(unescape(text), fmt.Sprintf("removed %d secret", n)) {
			return true
		}
	}
	return false
}

var commandsTotal = regexp.MustCompile(`caracal_bot_commands_total\{command="[^"]*",outcome="([a-z_]+)"\} (\d+)`)

// waitCommands waits until n commands were accepted and all of them ran
// (they have read Caracal; their replies may still be on their way).
func (s *rtServe) waitCommands(t *testing.T, n int) {
	t.Helper()
	var outcomes map[string]int
	ok := assert.Eventually(t, func() bool {
		resp, err := http.Get(s.base + "/metrics")
		if err != nil {
			return false
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return false
		}
		outcomes = map[string]int{}
		for _, m := range commandsTotal.FindAllSubmatch(body, -1) {
			v, _ := strconv.Atoi(string(m[2]))
			outcomes[string(m[1])] += v
		}
		return outcomes["accepted"] == n && outcomes["ok"]+outcomes["error"] == n
	}, 30*time.Second, 50*time.Millisecond)
	require.True(t, ok, "want %d commands accepted and run, have %v", n, outcomes)
}

// collect keeps everything serve sent the platforms (uploads included)
// and its log.
func (s *rtServe) collect(out *outputs) {
	for _, r := range s.slackRec.requests() {
		out.add("slack "+r.where, r.data)
	}
	for _, r := range s.discordRec.requests() {
		out.add("discord "+r.where, r.data)
	}
	out.addString("serve log", s.logs.String())
}

// recorder is a reverse proxy in front of a fake chat platform that keeps
// every request the bot sent through it, less the bot's own credential
// for that platform (the Authorization header, Slack's token form field).
type recorder struct {
	URL  string
	mu   sync.Mutex
	reqs []emission
}

// startRecorder proxies to the host of target; the bot is given target's
// URL with the recorder's host. With rewriteHost, the target's host in the
// answers' JSON is the recorder's too: Slack's upload URL must be on the
// API's host, or the bot refuses to send its token there.
func startRecorder(t *testing.T, target string, rewriteHost bool) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if form, err := url.ParseQuery(string(body)); err == nil {
				form.Del("token")
				body = []byte(form.Encode())
			}
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, emission{where: r.Method + " " + r.URL.Path, data: requestDump(r.Header, body)})
		rec.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	if rewriteHost {
		proxy.ModifyResponse = func(resp *http.Response) error {
			if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
				return nil
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			b = bytes.ReplaceAll(b, []byte(u.Host), []byte(strings.TrimPrefix(srv.URL, "http://")))
			resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
			return nil
		}
	}
	return rec
}

func (rec *recorder) requests() []emission {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

// requestDump is a request's headers, but Authorization (the receiver's own
// credential), sorted, then its body.
func requestDump(h http.Header, body []byte) []byte {
	var b bytes.Buffer
	for _, k := range sortedKeys(h) {
		if k != "Authorization" {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(h[k], ", "))
		}
	}
	b.WriteString("\n")
	b.Write(body)
	return b.Bytes()
}

// emission is something the bot emitted and where it went.
type emission struct {
	where string
	data  []byte
}

// outputs collects what the bot emitted during a test.
type outputs struct{ list []emission }

func (o *outputs) add(where string, data []byte) {
	o.list = append(o.list, emission{where: where, data: slices.Clone(data)})
}

func (o *outputs) addString(where, s string) { o.add(where, []byte(s)) }

func (o *outputs) addFile(t *testing.T, where, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	o.add(where, b)
}

// addDir keeps every file under dir.
func (o *outputs) addDir(t *testing.T, where, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		o.addFile(t, where+" "+rel, p)
		return nil
	}))
}

// addTicketSystem keeps every request a fake ticket system received (see
// requestDump) and every issue it holds: title, body, labels, comments and
// attachments.
func (o *outputs) addTicketSystem(name string, srv *ticketstest.Server) {
	for i, r := range srv.Requests() {
		o.add(fmt.Sprintf("%s request %d (%s %s)", name, i+1, r.Method, r.Path), requestDump(r.Header, r.Body))
	}
	for _, is := range srv.Issues() {
		where := name + " issue " + is.ID
		o.addString(where, strings.Join(append([]string{is.Title, is.Body}, append(is.Labels, is.Comments...)...), "\n"))
		for _, a := range is.Attachments {
			o.add(where+" attachment "+a.Name, a.Data)
		}
	}
}

var (
	zipLocalHeader = []byte("PK\x03\x04")
	zipEnd         = []byte("PK\x05\x06")
)

// unpack returns em and each member of every zip in it (a bundle, or a
// multipart body carrying one) as an emission of its own: compression
// would hide a secret from a search of the raw bytes.
func unpack(em emission) []emission {
	out := []emission{em}
	rest := em.data
	for {
		i := bytes.Index(rest, zipLocalHeader)
		if i < 0 {
			return out
		}
		z := rest[i:]
		end := bytes.Index(z, zipEnd)
		if end < 0 {
			return out
		}
		if zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z))); err == nil {
			for _, f := range zr.File {
				if data, err := readZipFile(f); err == nil {
					out = append(out, emission{where: em.where + " » " + f.Name, data: data})
				}
			}
		}
		rest = z[end+len(zipEnd):]
	}
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

var (
	percentEscape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)
	jsonEscape    = regexp.MustCompile(`\\u[0-9A-Fa-f]{4}|\\["\\/bfnrt]`)
)

// views are a text as sent, then decoded once and twice: a JSON document in
// a form field, or markdown in a JSON string, hides a secret behind two
// encodings.
func views(text string) []string {
	once := decodeSinks(text)
	return []string{text, once, decodeSinks(once)}
}

// decodeSinks undoes, in the order sinks apply them, URL percent-encoding,
// JSON string escapes, markdown backslashes and zero-width spaces, and
// HTML entities.
func decodeSinks(s string) string {
	s = percentEscape.ReplaceAllStringFunc(s, func(m string) string {
		b, _ := hex.DecodeString(m[1:])
		return string(b)
	})
	s = jsonEscape.ReplaceAllStringFunc(s, func(m string) string {
		var out string
		if json.Unmarshal([]byte(`"`+m+`"`), &out) != nil {
			return m
		}
		return out
	})
	return html.UnescapeString(unmarkdown(s))
}

// find returns the first needle of s found in one of the views, and the
// text around it.
func (s plantedSecret) find(views []string) (needle, string, bool) {
	for _, n := range s.needles {
		for _, v := range views {
			if i := strings.Index(v, n.text); i >= 0 {
				from, to := max(0, i-40), min(len(v), i+len(n.text)+40)
				return n, v[from:to], true
			}
		}
	}
	return needle{}, "", false
}

// findLeaks searches every emission, zips unpacked, for every secret, and
// describes each secret found: its name, the form it was found in, where,
// and the text around it. It also returns how many texts and bytes it
// searched.
func findLeaks(secrets []plantedSecret, list []emission) (leaks []string, texts, size int) {
	for _, em := range list {
		for _, part := range unpack(em) {
			texts, size = texts+1, size+len(part.data)
			vs := views(string(part.data))
			for _, s := range secrets {
				if n, around, found := s.find(vs); found {
					leaks = append(leaks, fmt.Sprintf("%s (as %s) in %s: %q", s.name, n.form, part.where, around))
				}
			}
		}
	}
	sort.Strings(leaks)
	return leaks, texts, size
}

// assertNoLeaks reports every secret found in what out holds.
func assertNoLeaks(t *testing.T, secrets []plantedSecret, out *outputs) {
	t.Helper()
	leaks, texts, size := findLeaks(secrets, out.list)
	t.Logf("searched %d outputs (%d bytes) for %d secrets", texts, size, len(secrets))
	for _, l := range leaks {
		t.Error("leak: " + l)
	}
}
