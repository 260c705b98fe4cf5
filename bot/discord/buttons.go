package discord

import (
	"context"
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// A button's custom_id names its action and carries its value (the
// command's text): "why|01a028ea-... --zone 019f1ce8-..." when that fits in
// discordapi.MaxCustomID characters. A longer value (a 128-character
// request ID and its zone) is kept in a platform.ButtonStore and the
// custom_id carries its token instead: "why~ABCDEFGHIJKLMNOPQRSTUVWXYZ".
const (
	// ButtonIDSeparator follows the action of a custom_id that carries
	// the value itself.
	ButtonIDSeparator = "|"
	// ButtonRefSeparator follows the action of a custom_id that carries
	// the token of a kept value.
	ButtonRefSeparator = "~"
)

// ButtonID is the custom_id carrying value itself, and whether it fits
// (discordapi.MaxCustomID bytes, stricter than Discord's characters). The
// separators are removed from the action; the value may hold anything.
func ButtonID(action, value string) (string, bool) {
	id := cleanAction(action) + ButtonIDSeparator + value
	return id, len(id) <= discordapi.MaxCustomID
}

// ButtonRef is the custom_id carrying the token of a kept value, and
// whether it fits.
func ButtonRef(action, token string) (string, bool) {
	id := cleanAction(action) + ButtonRefSeparator + token
	return id, len(id) <= discordapi.MaxCustomID
}

// ParseButtonID splits a custom_id made by ButtonID or ButtonRef: the
// action, then the value, or (kept) the token of a kept value as written.
// An id without a separator is all action.
func ParseButtonID(id string) (action, value string, kept bool) {
	i := strings.IndexAny(id, ButtonIDSeparator+ButtonRefSeparator)
	if i < 0 {
		return id, "", false
	}
	return id[:i], id[i+1:], id[i:i+1] == ButtonRefSeparator
}

func cleanAction(action string) string {
	return strings.NewReplacer(ButtonIDSeparator, "", ButtonRefSeparator, "").Replace(action)
}

// ButtonTokens are the tokens of the button values a Poster kept in its
// ButtonStore, by value.
type ButtonTokens map[string]string

// keepButtons keeps in store the values of buttons too long for a
// custom_id, once each. A value the store refuses is logged and gets no
// token (see buttonRows).
func keepButtons(ctx context.Context, store platform.ButtonStore, buttons []chat.Button, logger *slog.Logger) ButtonTokens {
	tokens := ButtonTokens{}
	for _, b := range buttons {
		if _, fits := ButtonID(b.Action, b.Value); fits {
			continue
		}
		if _, done := tokens[b.Value]; done {
			continue
		}
		token, err := store.Put(ctx, b.Value)
		if err != nil {
			logger.Warn("discord: a button's value could not be kept; the button runs in the default zone or is left out", "err", err)
			continue
		}
		tokens[b.Value] = token
	}
	return tokens
}

// customID is a button's custom_id: its value itself, else the token
// tokens hold for it, else (the store failed, or none was given) its value
// without the --zone part, which then runs in the default zone. A button
// for which none fits is left out (false): it never acts on a cut value.
func customID(b chat.Button, tokens ButtonTokens) (string, bool) {
	if id, ok := ButtonID(b.Action, b.Value); ok {
		return id, true
	}
	if token, ok := tokens[b.Value]; ok {
		if id, ok := ButtonRef(b.Action, token); ok {
			return id, true
		}
	}
	return ButtonID(b.Action, dropZone(b.Value))
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

// buttonRows lays the buttons out five to an action row, at most 25; a
// button without a custom_id that fits (see customID), or whose custom_id
// repeats an earlier one (Discord refuses duplicates within a message), is
// left out. Nil for no buttons.
func buttonRows(buttons []chat.Button, tokens ButtonTokens) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, b := range buttons {
		id, ok := customID(b, tokens)
		if !ok || seen[id] {
			continue
		}
		if len(row) == discordapi.MaxButtonsPerRow {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
		if len(rows) == discordapi.MaxActionRows {
			break
		}
		seen[id] = true
		row = append(row, button(b, id))
	}
	if len(row) > 0 && len(rows) < discordapi.MaxActionRows {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows
}

// button is one button; labels are plain text (Discord renders no markdown
// and no mentions in them).
func button(b chat.Button, id string) discordgo.Button {
	label := chat.Clip(chat.OneLine(b.Label), discordapi.MaxButtonLabel)
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
