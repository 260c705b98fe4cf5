package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLIArgumentsStayWhole: each argument reaches the command as the
// shell passed it, spaces and newlines kept: a quoted --zone is named
// whole in the error, and an error body pasted over several lines in one
// argument is read as one.
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
}

// TestCLISingleDashFlags: on the command line -name works like --name
// (and -h like --help), for the diagnosis commands and the others alike;
// an unknown one is a usage error, whatever its dashes.
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

	for _, args := range [][]string{{"why", denyID, "-bogus"}, {"why", denyID, "--bogus"}, {"status", "-strict"}} {
		res := runCLI(t, env, args...)
		assert.Equal(t, 2, res.code, "%v: %s", args, res)
		assert.Contains(t, res.err, "unknown flag "+args[len(args)-1], "%v", args)
		assert.Empty(t, res.out)
	}
}
