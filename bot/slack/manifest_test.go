package slack_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// appManifest is the part of a Slack app manifest the bot depends on.
type appManifest struct {
	Features struct {
		SlashCommands []struct {
			Command string `yaml:"command"`
			URL     string `yaml:"url"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled    bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestManifestsGrantWhatTheBotUses keeps deploy/*.yaml in step with the
// Web API methods and events the adapter uses.
func TestManifestsGrantWhatTheBotUses(t *testing.T) {
	for file, socketMode := range map[string]bool{"slack-app-manifest.yaml": true, "slack-app-manifest-http.yaml": false} {
		t.Run(file, func(t *testing.T) {
			raw, err := os.ReadFile("../../deploy/" + file)
			require.NoError(t, err)
			var m appManifest
			require.NoError(t, yaml.Unmarshal(raw, &m))
			require.Len(t, m.Features.SlashCommands, 1)
			assert.Equal(t, "/caracal", m.Features.SlashCommands[0].Command)
			for _, scope := range []string{"commands", "chat:write", "files:write", "app_mentions:read", "usergroups:read"} {
				assert.Contains(t, m.OAuth.Scopes.Bot, scope)
			}
			assert.Contains(t, m.Settings.Events.BotEvents, "app_mention")
			assert.True(t, m.Settings.Interactivity.Enabled)
			assert.Equal(t, socketMode, m.Settings.SocketMode)
			if !socketMode {
				assert.Contains(t, m.Features.SlashCommands[0].URL, "/slack/commands")
				assert.Contains(t, m.Settings.Events.RequestURL, "/slack/events")
				assert.Contains(t, m.Settings.Interactivity.RequestURL, "/slack/interactions")
			}
		})
	}
}
