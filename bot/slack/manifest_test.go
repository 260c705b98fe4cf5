package slack_test

import (
	"maps"
	"os"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/caracal-bot/caracal-bot/bot/slack"
	"github.com/caracal-bot/caracal-bot/chat"
)

// appManifest is the part of a Slack app manifest the bot depends on.
type appManifest struct {
	Features struct {
		// Shortcuts are read whole, to check every key against the schema.
		Shortcuts     []map[string]any `yaml:"shortcuts"`
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
			assertDiagnoseShortcut(t, m.Features.Shortcuts)
			if !socketMode {
				assert.Contains(t, m.Features.SlashCommands[0].URL, "/slack/commands")
				assert.Contains(t, m.Settings.Events.RequestURL, "/slack/events")
				assert.Contains(t, m.Settings.Interactivity.RequestURL, "/slack/interactions")
			}
		})
	}
}

// assertDiagnoseShortcut checks that the manifest declares the "Diagnose
// with Caracal" message shortcut the adapter answers, as the manifest
// schema wants a shortcut: name, type (message or global), callback_id (at
// most 255 characters) and description (at most 150), and no other key.
// Interactivity, on in both manifests, delivers it: to /slack/interactions
// in HTTP mode, through Socket Mode otherwise.
func assertDiagnoseShortcut(t *testing.T, shortcuts []map[string]any) {
	t.Helper()
	require.Len(t, shortcuts, 1)
	sc := shortcuts[0]
	assert.Equal(t, []string{"callback_id", "description", "name", "type"}, slices.Sorted(maps.Keys(sc)))
	assert.Equal(t, chat.DiagnoseLabel, sc["name"])
	assert.Equal(t, "message", sc["type"])
	assert.Equal(t, slack.CallbackDiagnose, sc["callback_id"])
	assert.LessOrEqual(t, len(slack.CallbackDiagnose), 255)
	desc, _ := sc["description"].(string)
	assert.NotEmpty(t, desc)
	assert.LessOrEqual(t, utf8.RuneCountInString(desc), 150)
}
