package main

import (
	"archive/zip"
	"bytes"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestCLIArgumentsStayWhole: each argument reaches the command as the
// shell passed it, spaces and newlines kept: a quoted --zone is named
// whole in the error, and an error body or a curl transcript pasted over
// several lines in one argument is read as one.
func TestCLIArgumentsStayWhole(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))

	res := runCLI(t, env, "why", denyID, "--zone", "bad zone!")
	assert.Equal(t, 2, res.code, "%s", res)
	assert.Contains(t, res.err, `got "bad zone!"`)
	res = runCLI(t, env, "why", denyID, "--error", "access denied")
	assert.Equal(t, 2, res.code, "%s", res)
	assert.Contains(t, res.err, `got "access denied"`)

	body := "{\n  \"error\": \"access_denied\",\n  \"error_description\": \"policy denied (resource_not_granted)\",\n  \"requestId\": \"" + denyID + "\"\n}"
	d, _ := whyJSON(t, env, body)
	assert.Equal(t, denyID, d.RequestID)
	assert.Equal(t, "resource_not_granted", d.Cause)
	assert.Contains(t, d.Evidence, struct{ Name, Value, Source string }{"caller saw", `access_denied "policy denied (resource_not_granted)"`, "user"},
		"the hints of the pasted body are read: %+v", d.Evidence)

	transcript := "$ curl -v --header 'X-Request-Id: refund retry #2' http://localhost:8081/v1/refunds\n---\n" +
		"> X-Request-Id: refund retry #2\n< HTTP/1.1 403 Forbidden\n< X-Request-Id: " + denyID
	d, _ = whyJSON(t, env, transcript, "-status", "403")
	assert.Equal(t, denyID, d.RequestID, "the response's X-Request-Id; the pasted --header and --- are text, not flags")
	assert.Equal(t, "resource_not_granted", d.Cause)
}

// TestCLISingleDashFlags: on the command line -name works like --name
// (and -h like --help), for the diagnosis commands and the others alike;
// an unknown one is a usage error, whatever its dashes, except in the text
// pasted to why.
func TestCLISingleDashFlags(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))

	one, _ := whyJSON(t, env, unseenID, "-status", "429")
	two, _ := whyJSON(t, env, unseenID, "--status=429")
	assert.Equal(t, two, one)
	assert.Contains(t, one.Evidence, struct{ Name, Value, Source string }{"caller saw", "429", "user"}, "%+v", one.Evidence)

	res := runCLI(t, env, "audit", "-limit", "2", "-format", "json")
	require.Equal(t, 0, res.code, "%s", res)
	var page struct{ Items []any }
	decodeOne(t, res.out, &page)
	assert.Len(t, page.Items, 2)

	for _, args := range [][]string{{"trace", denyID, "-bogus"}, {"trace", denyID, "--bogus"}, {"status", "-strict"}} {
		res := runCLI(t, env, args...)
		assert.Equal(t, 2, res.code, "%v: %s", args, res)
		assert.Contains(t, res.err, "unknown flag "+args[len(args)-1], "%v", args)
		assert.Empty(t, res.out)
	}
	d, _ := whyJSON(t, env, denyID, "--bogus")
	assert.Equal(t, denyID, d.RequestID, "why's text is pasted: a word with dashes that is no flag of why's is part of it")
}

// TestCLITextIsPlain: text output is what a command-line tool prints: the
// summary first, labelled fields, sections under their titles; none of
// the chat's chrome (bot name, thread gutter, buttons, attachments, "only
// visible to you").
func TestCLITextIsPlain(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))
	res := runCLI(t, env, "why", denyID)
	require.Equal(t, 0, res.code, "%s", res)
	first, _, _ := strings.Cut(res.out, "\n")
	assert.True(t, strings.HasPrefix(first, "The policy engine denied application billing-bot on resource resource://pipernet at the mint"), "%q", first)
	assert.Regexp(t, regexp.MustCompile(`(?m)^Request ID  `+denyID+`$`), res.out)
	assert.Regexp(t, regexp.MustCompile(`(?m)^Steps\n  ✓ 1\. runtime healthy`), res.out)
	for _, chrome := range []string{"caracal-bot  ", "└ thread", "│", "(only visible to you)", "Upload bundle to ticket", "Re-run", "❌"} {
		assert.NotContains(t, res.all(), chrome)
	}
}

// TestCLITextFitsTheWidth: text is wrapped to $COLUMNS, or to the
// terminal's width; piped without $COLUMNS nothing is wrapped or cut, and
// a table too wide to fit without breaking an ID keeps a row a line.
func TestCLITextFitsTheWidth(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))
	fits := func(out string, width int) {
		t.Helper()
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			assert.LessOrEqual(t, chat.DisplayWidth(l), width, "%q", l)
		}
	}
	res := runCLI(t, with(env, "COLUMNS", "60"), "why", denyID)
	require.Equal(t, 0, res.code, "%s", res)
	fits(res.out, 60)
	assert.Contains(t, res.out, "\n  1. Add a grants entry for the resource in the zone's data\n     document")

	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out, errb strings.Builder
	code := run(t.Context(), []string{"why", denyID, "--no-color"}, streams{in: strings.NewReader(""), out: &out, err: &errb, getenv: getenv, tty: true, width: 72})
	require.Equal(t, 0, code, "%s", errb.String())
	fits(out.String(), 72)

	piped := runCLI(t, env, "why", denyID)
	assert.Contains(t, piped.out, "\n  1. Add a grants entry for the resource in the zone's data document and bind the application key to the application id in app_ids.\n")

	audit := runCLI(t, with(env, "COLUMNS", "80"), "audit", "--decision", "deny", "--limit", "3")
	require.Equal(t, 0, audit.code, "%s", audit)
	rows := regexp.MustCompile(`(?m)^  \d{4}-\S+  [0-9a-f-]{36}  token_exchange .*application_name=\S+.*$`).FindAllString(audit.out, -1)
	assert.Len(t, rows, 3, "a row a line, its request ID and detail whole: %s", audit.out)
}

// files lists the files below dir, by slash path, with their contents.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		out[filepath.ToSlash(rel)] = data
		return err
	}))
	return out
}

// TestCLIWritesTheFilesARepliesCarries: the bundle's zip and the digest's
// chart are written in the working directory, or to --out / in
// --out-dir, readable by their owner only; each path is printed on
// stderr, so stdout stays the answer (one JSON value with --format json).
func TestCLIWritesTheFilesARepliesCarries(t *testing.T) {
	t.Parallel()
	env := simEnv(startSim(t))
	bundleName := "caracal-bundle-" + caracaltest.ZoneResearch + "-" + denyID + ".zip"

	res := runCLI(t, env, "bundle", denyID)
	require.Equal(t, 0, res.code, "%s", res)
	assert.Equal(t, "caracal-bot: wrote "+bundleName+" (", res.err[:len("caracal-bot: wrote "+bundleName+" (")])
	written := files(t, res.dir)
	require.Contains(t, written, bundleName)
	zr, err := zip.NewReader(bytes.NewReader(written[bundleName]), int64(len(written[bundleName])))
	require.NoError(t, err, "a whole zip")
	assert.NotEmpty(t, zr.File)
	info, err := os.Stat(filepath.Join(res.dir, bundleName))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.Len(t, written, 1, "no temporary file left behind")

	res = runCLI(t, env, "bundle", denyID, "--out", "incident.zip", "--format", "json")
	require.Equal(t, 0, res.code, "%s", res)
	var manifest map[string]any
	decodeOne(t, res.out, &manifest)
	assert.Contains(t, res.err, "caracal-bot: wrote incident.zip (")
	assert.Equal(t, []string{"incident.zip"}, sortedKeys(files(t, res.dir)))

	res = runCLI(t, env, "digest", "-out-dir", "charts")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Contains(t, res.err, "caracal-bot: wrote charts/denials-per-hour.png (")
	chart := files(t, res.dir)["charts/denials-per-hour.png"]
	_, err = png.Decode(bytes.NewReader(chart))
	assert.NoError(t, err, "the chart is a PNG")

	res = runCLI(t, env, "status", "--out-dir", "nothing")
	require.Equal(t, 0, res.code, "%s", res)
	assert.Empty(t, res.err, "a reply without files writes nothing")
	assert.Empty(t, files(t, res.dir))
}
