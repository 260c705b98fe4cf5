package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Discord's limits on message components.
const (
	// MaxCustomID is the longest custom_id Discord accepts (we count bytes,
	// which is stricter than Discord's characters).
	MaxCustomID      = 100
	maxButtonLabel   = 80 // characters of a button label
	maxButtonsPerRow = 5
	maxActionRows    = 5
)

// ButtonIDSeparator separates a button's action from its value in the
// custom_id: "why|01a028ea-... --zone 019f1ce8-...".
const ButtonIDSeparator = "|"

// ButtonID is the custom_id of a button: Button.Action, "|", Button.Value,
// at most MaxCustomID bytes. When it does not fit, the value's "--zone Z"
// (or "--zone=Z") part is dropped first, so the command runs in the default
// zone; if it still does not fit the value is cut. Actions must not contain
// "|" (any "|" in the action is removed); the value may.
func ButtonID(action, value string) string {
	action = strings.ReplaceAll(action, ButtonIDSeparator, "")
	id := action + ButtonIDSeparator + value
	if len(id) <= MaxCustomID {
		return id
	}
	id = action + ButtonIDSeparator + dropZone(value)
	if len(id) <= MaxCustomID {
		return id
	}
	return id[:chat.CutBytes(id, MaxCustomID)]
}

// ParseButtonID splits a custom_id made by ButtonID into the action and
// the value (which may have lost its --zone part or been cut, see
// ButtonID). An id without a separator is all action.
func ParseButtonID(id string) (action, value string) {
	action, value, _ = strings.Cut(id, ButtonIDSeparator)
	return action, value
}

// dropZone removes the "--zone Z" and "--zone=Z" arguments from a value.
func dropZone(value string) string {
	words := strings.Fields(value)
	out := words[:0]
	for i := 0; i < len(words); i++ {
		switch {
		case words[i] == "--zone":
			i++ // and its argument
		case strings.HasPrefix(words[i], "--zone="):
		default:
			out = append(out, words[i])
		}
	}
	return strings.Join(out, " ")
}

// buttonRows lays the buttons out five to an action row, at most 25;
// a button whose custom_id repeats an earlier one is left out (Discord
// refuses duplicates within a message). Nil for no buttons.
func buttonRows(buttons []chat.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, b := range buttons {
		id := ButtonID(b.Action, b.Value)
		if seen[id] {
			continue
		}
		if len(row) == maxButtonsPerRow {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
		if len(rows) == maxActionRows {
			break
		}
		seen[id] = true
		row = append(row, button(b, id))
	}
	if len(row) > 0 && len(rows) < maxActionRows {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows
}

// button is one button; labels are plain text (Discord renders no markdown
// and no mentions in them).
func button(b chat.Button, id string) discordgo.Button {
	label := chat.Clip(chat.OneLine(b.Label), maxButtonLabel)
	if label == "" {
		label = "…"
	}
	style := discordgo.SecondaryButton
	switch b.Style {
	case chat.StylePrimary:
		style = discordgo.PrimaryButton
	case chat.StyleDanger:
		style = discordgo.DangerButton
	}
	return discordgo.Button{Label: label, Style: style, CustomID: id}
}
