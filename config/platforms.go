package config

import "strings"

// ChatPlatform is a chat platform as the configuration knows it: the
// section that connects the bot to it. Its Name is the platform's name
// everywhere: the section's key, the <name>_channels lists of schedules
// and the watch, and the adapter of the composition root's registry.
type ChatPlatform struct {
	Name string
	// Enabled reports whether its bot token is set: the bot connects to
	// the platform and may post there.
	Enabled bool
	// Token is the setting that enables it ("slack.bot_token") and TokenEnv
	// its environment variable, for messages.
	Token, TokenEnv string
}

// ChatPlatforms lists the chat platforms the configuration has a section
// for, in the order they are posted to.
func (c *Config) ChatPlatforms() []ChatPlatform {
	return []ChatPlatform{
		c.chatPlatform("slack", c.Slack.Enabled()),
		c.chatPlatform("discord", c.Discord.Enabled()),
	}
}

func (c *Config) chatPlatform(name string, enabled bool) ChatPlatform {
	token := name + ".bot_token"
	return ChatPlatform{Name: name, Enabled: enabled, Token: token, TokenEnv: c.envFor(token)}
}

// Channels are the channel IDs a job posts to, by chat platform name. In
// YAML each platform has its own key, <name>_channels (slack_channels,
// discord_channels); the keys of other names are unknown keys.
type Channels map[string][]string

// channelsSuffix ends the YAML key of a platform's channel list; the field
// holding the lists is tagged "*" + channelsSuffix.
const channelsSuffix = "_channels"

// ChannelsKey is the YAML key of a platform's channel list: "slack_channels".
func ChannelsKey(platform string) string { return platform + channelsSuffix }

// Len counts the channels of every platform.
func (ch Channels) Len() int {
	n := 0
	for _, ids := range ch {
		n += len(ids)
	}
	return n
}

// ChannelKeys names the channel-list keys for messages: "slack_channels or
// discord_channels".
func (c *Config) ChannelKeys() string {
	var keys []string
	for _, p := range c.ChatPlatforms() {
		keys = append(keys, ChannelsKey(p.Name))
	}
	return strings.Join(keys, " or ")
}

// platformNames lists the names of ChatPlatforms.
func (c *Config) platformNames() []string {
	var names []string
	for _, p := range c.ChatPlatforms() {
		names = append(names, p.Name)
	}
	return names
}
