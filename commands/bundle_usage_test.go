package commands_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

func TestBundleUsageErrors(t *testing.T) {
	srv := newSim(t)
	reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)
	for _, tc := range []struct{ name, text, has string }{
		{"no ID", "", "bundle needs exactly one request ID"},
		{"two IDs", "a b", "bundle needs exactly one request ID"},
		{"bad zone", "abc --zone bad/zone", "--zone must be a Caracal zone id"},
		{"zone without value", "abc --zone", "--zone needs a value"},
		{"non-ASCII ID", "réquest", "request ID"},
		{"unknown zone", "abc --zone 019f0000-0000-7000-8000-000000000000", "unknown zone"},
		{"unknown flag", "abc --format json", "unknown flag --format"},
		{"out without value", "abc --out", "--out needs a value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, reg, "bundle", tc.text)
			require.Error(t, err)
			var u *commands.UsageError
			require.True(t, errors.As(err, &u), "%T: %v", err, err)
			assert.Equal(t, 2, commands.ExitCode(err))
			assert.Contains(t, err.Error(), tc.has)
		})
	}
}

func TestBundleOutIsCommandLineOnly(t *testing.T) {
	sc := scenario(t, "deny-no-grant")
	srv := newSim(t, caracaltest.WithScenario(sc.ID))
	reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for _, platform := range []string{"slack", "discord", "console"} {
		_, err := reg.Run(ctx, chat.Invocation{Platform: platform, Command: "bundle", Text: sc.ID + " --out /tmp/x.zip"})
		assert.ErrorContains(t, err, "--out works only on the command line", platform)
		assert.Equal(t, 2, commands.ExitCode(err))
	}

	out := filepath.Join(t.TempDir(), "bundle.zip")
	res, err := reg.Run(ctx, chat.Invocation{Platform: commands.PlatformCLI, Command: "bundle", Args: []string{sc.ID, "--out", out}})
	require.NoError(t, err)
	assert.Equal(t, out, res.SaveAs, "the command line writes the zip there")
	require.Len(t, res.Reply.Files, 1)
	assert.Equal(t, bundle.ContentTypeZip, res.Reply.Files[0].ContentType)
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "the command itself writes nothing")
}

func TestBundleRejectedAdminToken(t *testing.T) {
	sc := scenario(t, "deny-no-grant")
	srv := newSim(t, caracaltest.WithScenario(sc.ID))
	reg := commandstest.Registry(srv, "not-the-admin-token")
	_, err := run(t, reg, "bundle", sc.ID)
	var u *commands.UnavailableError
	require.True(t, errors.As(err, &u), "%T: %v", err, err)
	assert.Equal(t, 1, commands.ExitCode(err))
}

// TestRegistryBuildBundle builds the same bundle as the command.
func TestRegistryBuildBundle(t *testing.T) {
	sc := scenario(t, "deny-no-grant")
	srv := newSim(t, caracaltest.WithScenario(sc.ID))
	reg := commandstest.Registry(srv, caracaltest.DefaultAdminToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	b, d, err := reg.BuildBundle(ctx, sc.ID, "")
	require.NoError(t, err)
	assert.Equal(t, sc.Cause, d.Cause)
	assert.Equal(t, caracaltest.ZoneResearch, b.Manifest.ZoneID, "the default zone")
	assert.Equal(t, bundle.Name(caracaltest.ZoneResearch, sc.ID), b.Name)
	assert.NotEmpty(t, b.Zip)

	res, err := run(t, reg, "bundle", sc.ID)
	require.NoError(t, err)
	assert.Equal(t, res.Data.(bundle.Manifest).Files[0], b.Manifest.Files[0], "the same bundle as the command")

	_, _, err = reg.BuildBundle(ctx, "", "")
	assert.Equal(t, 2, commands.ExitCode(err))
	_, _, err = reg.BuildBundle(ctx, sc.ID, "bad zone")
	assert.Equal(t, 2, commands.ExitCode(err))
}

func TestBundleHelp(t *testing.T) {
	reg := commandstest.Registry(newSim(t), caracaltest.DefaultAdminToken)
	res, err := run(t, reg, "help", "bundle")
	require.NoError(t, err)
	assert.Equal(t, "bundle <request-id> [--zone Z] [--out FILE]", res.Reply.Summary)
	assert.Contains(t, reg.Names(), "bundle")
}
