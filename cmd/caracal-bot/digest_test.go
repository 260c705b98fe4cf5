package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
)

func TestDigestPostsToTheScheduledChannels(t *testing.T) {
	fake := slackfake.Start(t)
	srv := startSim(t)
	env := simEnv(srv)
	env["SLACK_BOT_TOKEN"] = "xoxb-test-bot-token"
	env["SLACK_SIGNING_SECRET"] = testSigningSecret
	env["SLACK_API_URL"] = fake.URL()
	cfgFile := t.TempDir() + "/caracal-bot.yaml"
	require.NoError(t, os.WriteFile(cfgFile, []byte("schedules:\n  - name: morning\n    spec: \"0 9 * * *\"\n    slack_channels: [C0DIGEST]\n"), 0o600))

	res := runCLI(t, env, "digest", "--post", "--config", cfgFile)
	assert.Contains(t, res.out, "denials", "the digest is printed too")
	require.NotEmpty(t, fake.Roots("C0DIGEST"), "and posted to the schedule's channel: %s", res.err)
	root := fake.Roots("C0DIGEST")[0]
	assert.NotEmpty(t, fake.Thread("C0DIGEST", root.TS), "with its detail in the thread")
}

func TestDigestPostWithoutChannelsSaysWhatIsMissing(t *testing.T) {
	res := runCLI(t, simEnv(startSim(t)), "digest", "--post")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.err, "--post needs channels")
}
