package discord

import (
	"encoding/json"

	"github.com/bwmarrin/discordgo"
)

// threadParent returns the channel whose thread an interaction was sent
// from, "" when it was not sent from a thread. Commands and buttons in a
// thread carry the thread's id in channel_id; the parent is in the partial
// channel object Discord sends alongside, which discordgo v0.29.0's
// Interaction does not decode. A channel's parent_id outside threads is its
// category, which is not used.
func threadParent(raw []byte, channelID string) string {
	var p struct {
		Channel *discordgo.Channel `json:"channel"`
	}
	if json.Unmarshal(raw, &p) != nil || p.Channel == nil || p.Channel.ID != channelID || !p.Channel.IsThread() {
		return ""
	}
	return p.Channel.ParentID
}
