// Package discord is the Discord adapter: it registers the /caracal
// application command, receives interactions (over HTTP or the gateway),
// hands them to the dispatcher, and draws each chat.Reply natively: a root
// message with one embed (severity colour, verdict, Request ID, Zone...)
// and buttons, and a thread started on it with one message per section,
// posted by a Poster through a session built with NewSession.
//
// Rendering choices: the root is an embed (colour and inline fields read
// well at a glance); thread messages are plain markdown content of at most
// 2000 characters (links, code blocks for tables, no embed limits to
// juggle); a section longer than 12000 characters is attached as a .txt
// file instead. Every text from a reply is escaped with
// chat.EscapeDiscord, and every message is sent with empty allowed_mentions
// so nothing can ping anyone.
package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Our own thresholds within Discord's limits (discordapi).
const (
	// fileThreshold is the length over which a section is attached as a
	// file rather than posted.
	fileThreshold = 12000
	// maxRootEmbed bounds the root embed's verdict and fields, leaving
	// RenderSingle room for sections and notes within the embed total.
	maxRootEmbed = discordapi.MaxEmbedTotal - 1000
)

// Embed colours by severity.
const (
	ColorOK      = 0x57F287 // green
	ColorInfo    = 0x3498DB // blue
	ColorWarning = 0xF1A90F // amber
	ColorError   = 0xED4245 // red
	ColorOutage  = 0x8B0000 // dark red
)

// EphemeralNote is the footer of a reply only the user sees.
const EphemeralNote = "Only visible to you"

// Message is one Discord message as the Poster sends it: content, embeds,
// components and attachments. Files stay chat.Files so every retry can
// read them again; allowed_mentions is added (empty) when sending.
type Message struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Files      []chat.File
}

// Rendering is a channel reply drawn for Discord: the root message and
// the thread messages, in order. The reply's files (and any section too
// long to post) are attachments of thread messages.
type Rendering struct {
	Root   Message
	Thread []Message
}

// Render draws a channel reply: the root and its thread. tokens are those
// of the button values kept in a ButtonStore (see customID).
func Render(r chat.Reply, tokens ButtonTokens) Rendering {
	return Rendering{Root: RenderRoot(r, tokens), Thread: RenderThread(r)}
}

// RenderRoot draws the root message: one embed coloured by severity with
// the mark and verdict as its description and the fields (Request ID,
// Zone, Surface, Cause, Decision...) inline, and the buttons in action
// rows (custom_id from ButtonID, or ButtonRef with tokens).
func RenderRoot(r chat.Reply, tokens ButtonTokens) Message {
	return Message{Embeds: []*discordgo.MessageEmbed{rootEmbed(r)}, Components: buttonRows(r.Buttons, tokens)}
}

// RenderSingle draws the whole reply as one message, for replies only the
// user sees: the root embed with the sections appended to its description
// and an "Only visible to you" footer for an ephemeral reply. It has no
// buttons (Discord lets the bot edit an ephemeral message only through the
// interaction, so Re-run could not update it). The reply's files are
// attached when they fit; a reply too long for the embed is truncated and
// attached whole as caracal-reply.txt.
func RenderSingle(r chat.Reply) Message {
	var body []string
	for _, s := range r.Sections {
		if pieces := sectionPieces(s, discordapi.MaxEmbedDescription); len(pieces) > 0 {
			body = append(body, "")
			body = append(body, pieces...)
		}
	}
	e := rootEmbed(r)
	budget := min(discordapi.MaxEmbedDescription, discordapi.MaxEmbedTotal-embedSize(e)+runeLen(e.Description))
	desc, truncated := appendWithin(e.Description, body, budget-200)
	var files []chat.File
	if truncated {
		desc += "\n…\n*Truncated: the whole reply is attached as caracal-reply.txt.*"
		files = append(files, chat.File{Name: "caracal-reply.txt", ContentType: "text/plain; charset=utf-8", Data: []byte(chat.PlainText(r))})
	}
	e.Description = desc
	m := Message{Embeds: []*discordgo.MessageEmbed{e}}
	attached, notes := attachable(append(files, r.Files...))
	if len(attached) > 0 {
		m.Files = attached[0]
	}
	for _, group := range attached[min(1, len(attached)):] {
		notes = append(notes, namesOf(group)+": not attached (too many files for one message)")
	}
	if len(notes) > 0 {
		text := strings.Join(notes, "; ")
		if r.Ephemeral {
			text = EphemeralNote + " · " + text
		}
		e.Footer = &discordgo.MessageEmbedFooter{Text: chat.Clip(text, 100)}
	}
	return m
}

// rootEmbed is the verdict embed: colour, "mark **verdict**", inline
// fields (empty values left out) and, for an ephemeral reply, the
// EphemeralNote footer, within the 6000-character total.
func rootEmbed(r chat.Reply) *discordgo.MessageEmbed {
	summary := chat.OneLine(r.Summary)
	if summary == "" {
		summary = "(no summary)"
	}
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: severityColor(r.Severity),
		Description: r.Severity.Emoji() + " **" + clipEscaped(escapeLine(summary), 1500) + "**"}
	if r.Ephemeral {
		e.Footer = &discordgo.MessageEmbedFooter{Text: EphemeralNote}
	}
	for _, f := range r.Fields {
		value := escapeOne(f.Value)
		if value == "" {
			continue
		}
		name := clipEscaped(escapeOne(f.Label), discordapi.MaxFieldName)
		if name == "" {
			name = "\u200b"
		}
		field := &discordgo.MessageEmbedField{Name: name, Value: clipEscaped(value, discordapi.MaxFieldValue), Inline: true}
		if len(e.Fields) == discordapi.MaxEmbedFields || embedSize(e)+runeLen(field.Name)+runeLen(field.Value) > maxRootEmbed {
			break
		}
		e.Fields = append(e.Fields, field)
	}
	return e
}

// severityColor is the embed colour of a severity; unknown ones read as info.
func severityColor(s chat.Severity) int {
	switch s {
	case chat.SeverityOK:
		return ColorOK
	case chat.SeverityWarning:
		return ColorWarning
	case chat.SeverityError:
		return ColorError
	case chat.SeverityOutage:
		return ColorOutage
	default:
		return ColorInfo
	}
}

// embedSize counts an embed's characters the way Discord's 6000 limit does.
func embedSize(e *discordgo.MessageEmbed) int {
	n := runeLen(e.Title) + runeLen(e.Description) + runeLen(footerText(e))
	if e.Author != nil {
		n += runeLen(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += runeLen(f.Name) + runeLen(f.Value)
	}
	return n
}

func footerText(e *discordgo.MessageEmbed) string {
	if e.Footer == nil {
		return ""
	}
	return e.Footer.Text
}

// appendWithin appends lines to head, one per line, while the result stays
// within max characters; truncated reports lines left out.
func appendWithin(head string, lines []string, max int) (string, bool) {
	var b strings.Builder
	b.WriteString(head)
	n := runeLen(head)
	for i, line := range lines {
		if n+1+runeLen(line) > max {
			return b.String(), i < len(lines)
		}
		b.WriteString("\n" + line)
		n += 1 + runeLen(line)
	}
	return b.String(), false
}
