package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// TestCommandLineGrammar: a command-line invocation's arguments are taken
// whole and its flags may take one dash; chat keeps splitting its text at
// white space, and a word with one dash stays a word there. A paste for
// why keeps its own dashes either way.
func TestCommandLineGrammar(t *testing.T) {
	const denyID = "01a028ea-d354-7443-96e4-46e5643d943c" // deny-no-grant
	reg := commandstest.Registry(newSim(t), caracaltest.DefaultAdminToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cli := func(args ...string) error {
		_, err := reg.Run(ctx, chat.Invocation{Platform: commands.PlatformCLI, Command: "trace", Args: args})
		return err
	}

	err := cli(denyID, "--zone", "bad zone")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `got "bad zone"`, "the value is the whole argument")
	assert.ErrorContains(t, cli(denyID, "-zone", "nope"), `unknown zone "nope"`)
	assert.ErrorContains(t, cli(denyID, "-bogus"), "unknown flag -bogus")
	assert.NoError(t, cli(denyID, "-h"), "-h is --help")
	assert.NoError(t, cli("--", denyID), "words after -- are no flags")

	why := func(inv chat.Invocation) diagnose.Diagnosis {
		t.Helper()
		inv.Command = "why"
		res, err := reg.Run(ctx, inv)
		require.NoError(t, err)
		return res.Data.(diagnose.Diagnosis)
	}
	const pasted = "$ curl -i --header 'X-Caracal-Resource: resource://pipernet' http://localhost:8081/v1/refunds\n---\nX-Request-Id: " + denyID
	for _, d := range []diagnose.Diagnosis{
		why(chat.Invocation{Platform: commands.PlatformCLI, Args: []string{pasted, "-status", "403"}}),
		why(chat.Invocation{Platform: commands.PlatformCLI, Args: []string{"--status", "403", pasted}}),
		why(chat.Invocation{Platform: "slack", Text: pasted + "\n--status 403"}),
	} {
		assert.Equal(t, denyID, d.RequestID, "a pasted --header and a --- line are the paste's, not flags")
		assert.Equal(t, diagnose.CauseResourceNotGranted, d.Cause)
	}

	_, err = run(t, reg, "trace", denyID+" --zone bad zone")
	assert.ErrorContains(t, err, "trace needs exactly one request ID", "chat splits its text at white space: zone is a second word")
	_, err = run(t, reg, "trace", denyID+" -zone nope")
	assert.ErrorContains(t, err, "trace needs exactly one request ID", "in chat -zone is a word")
}
