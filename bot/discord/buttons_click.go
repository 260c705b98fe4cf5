package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Answers to a button that carries the token of a kept value.
const (
	// ButtonUnavailable answers a click while the store cannot be read.
	ButtonUnavailable = "caracal-bot cannot read this button right now; try again in a moment."
	// ExpiredButton answers a click whose value is no longer kept (after
	// platform.ButtonTTL, or from a store that lost it); the request ID
	// of the message, when it has one, follows the command.
	ExpiredButton = "This button has expired: run /caracal why"
)

// keptValue is the value kept under token, or the answer to give instead:
// ButtonUnavailable, or ExpiredButton with the request ID of msg (the
// message the button sits on).
func (in *inbound) keptValue(ctx context.Context, token string, msg *discordgo.Message) (value, answer string) {
	if platform.IsButtonToken(token) {
		v, found, err := in.buttons.Get(ctx, token)
		switch {
		case err != nil:
			in.Logger.Warn("discord: a button's value could not be read", "err", err)
			return "", ButtonUnavailable
		case found:
			return v, ""
		}
	}
	if id := requestIDOf(msg); id != "" {
		return "", ExpiredButton + " " + id + " again."
	}
	return "", ExpiredButton + " with the request ID again."
}

// requestIDOf reads the Request ID field of a message's embeds, with the
// escaping it was rendered with undone (ephemeral escapes it again), at
// most 128 bytes; "" when there is none.
func requestIDOf(msg *discordgo.Message) string {
	if msg == nil {
		return ""
	}
	for _, e := range msg.Embeds {
		if e == nil {
			continue
		}
		for _, f := range e.Fields {
			if f != nil && strings.EqualFold(unescapeDiscord(f.Name), "Request ID") {
				return chat.Reply{Fields: []chat.Field{{Label: "Request ID", Value: unescapeDiscord(f.Value)}}}.RequestID()
			}
		}
	}
	return ""
}

// unescapeDiscord undoes chat.EscapeDiscord: the backslash before ASCII
// punctuation and the zero-width spaces that break mentions and links.
func unescapeDiscord(s string) string {
	s = strings.ReplaceAll(s, "\u200b", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
