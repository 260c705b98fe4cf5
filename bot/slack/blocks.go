// Package slack is the Slack adapter: it receives slash commands, button
// clicks and mentions (HTTP or Socket Mode), hands them to the dispatcher,
// and draws each chat.Reply as Block Kit: one root message in the channel
// with a thread of sections under it, posted by a Poster.
package slack

import (
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Slack's Block Kit limits, and our own threshold for attaching a section
// as a file instead of posting it.
const (
	maxSectionText  = 3000  // characters of a section block's text
	maxFieldText    = 2000  // characters of one field of a section block
	maxFields       = 10    // fields per section block
	maxBlocks       = 50    // blocks per message
	maxButtons      = 25    // elements per actions block, and the most buttons we show
	maxButtonValue  = 2000  // characters of a button's value
	maxButtonLabel  = 75    // characters of a button's label
	maxActionID     = 255   // characters of an action_id
	maxFallbackText = 3000  // the notification text; Slack allows more but shows less
	fileThreshold   = 12000 // a section rendering longer than this becomes a file
)

// Block IDs of the root message. They are stable so interaction handlers
// (Show trace, Re-run) can rely on them; extra field blocks get "_2", "_3"...
const (
	BlockIDSummary = "caracal_summary"
	BlockIDFields  = "caracal_fields"
	BlockIDActions = "caracal_actions"
)

// Message is one Slack message: Block Kit blocks and the plain-text
// fallback Slack shows in notifications and old clients (always set).
type Message struct {
	Text   string
	Blocks []slackapi.Block
}

// Rendering is a channel reply drawn for Slack: the root message, the
// thread messages in order, and the files to upload into the thread (the
// reply's own files after any section too long to post, which the thread
// announces with a short note).
type Rendering struct {
	Root   Message
	Thread []Message
	Files  []chat.File
}

// Render draws a channel reply: root message, thread and files.
func Render(r chat.Reply) Rendering {
	thread, files := renderThread(r)
	return Rendering{Root: RenderRoot(r), Thread: thread, Files: append(files, r.Files...)}
}

// RenderRoot draws the root message: the severity mark and bold verdict,
// the fields (Request ID, Zone, Surface, Cause, Decision...) and the buttons.
func RenderRoot(r chat.Reply) Message {
	blocks := append(rootBlocks(r), actionBlocks(r.Buttons)...)
	return Message{Text: fallbackText(r), Blocks: blocks}
}

// RenderThread draws the thread under the root: one message per section
// (more when a section needs over 50 blocks), and a short note in place of
// any section too long to post; those sections come back from Render as
// files.
func RenderThread(r chat.Reply) []Message {
	thread, _ := renderThread(r)
	return thread
}

// RenderSingle draws the whole reply as one message, for replies only the
// user sees and for the response_url fallback, which cannot start a thread:
// the root blocks, then each section after a divider, then the buttons.
// Sections too long for the message are truncated with a note; files
// cannot be attached and are listed instead.
func RenderSingle(r chat.Reply) Message {
	blocks := append(rootBlocks(r), actionBlocks(r.Buttons)...)
	for _, s := range r.Sections {
		body := sectionBlocks(s)
		if len(body) == 0 {
			continue
		}
		if size := blocksSize(body); size > fileThreshold {
			body = truncateBlocks(body, fileThreshold)
			body = append(body, contextBlock("", "_Truncated: this section is too long for a single message ("+
				chat.FileSize(size)+")._"))
		}
		blocks = append(blocks, slackapi.NewDividerBlock())
		blocks = append(blocks, body...)
	}
	if len(r.Files) > 0 {
		names := make([]string, len(r.Files))
		for i, f := range r.Files {
			names[i] = chat.EscapeSlack(fileName(f.Name)) + " (" + chat.FileSize(len(f.Data)) + ")"
		}
		blocks = append(blocks, contextBlock("", clipText("Not attached here: "+strings.Join(names, ", "), maxSectionText)))
	}
	if len(blocks) > maxBlocks {
		blocks = append(blocks[:maxBlocks-1], contextBlock("", "_Truncated: the reply is too long for a single message._"))
	}
	return Message{Text: fallbackText(r), Blocks: blocks}
}

// rootBlocks are the summary, the "only visible to you" note and the fields.
func rootBlocks(r chat.Reply) []slackapi.Block {
	summary := r.Severity.Emoji() + " *" + clipText(chat.EscapeSlack(oneLineSummary(r)), maxSectionText-16) + "*"
	blocks := []slackapi.Block{slackapi.NewSectionBlock(mrkdwn(summary), nil, nil, slackapi.SectionBlockOptionBlockID(BlockIDSummary))}
	if r.Ephemeral {
		blocks = append(blocks, contextBlock("", "Only visible to you"))
	}
	return append(blocks, fieldBlocks(r.Fields)...)
}

// fieldBlocks lays the fields out ten per section block; fields with an
// empty value are left out.
func fieldBlocks(fields []chat.Field) []slackapi.Block {
	var texts []*slackapi.TextBlockObject
	for _, f := range fields {
		value := chat.EscapeSlack(chat.OneLine(f.Value))
		if value == "" {
			continue
		}
		label := clipText(chat.EscapeSlack(chat.OneLine(f.Label)), 200)
		texts = append(texts, mrkdwn(clipText("*"+label+"*\n"+value, maxFieldText)))
	}
	var blocks []slackapi.Block
	for i := 0; i < len(texts); i += maxFields {
		id := BlockIDFields
		if i > 0 {
			id += "_" + strconv.Itoa(i/maxFields+1)
		}
		end := min(i+maxFields, len(texts))
		blocks = append(blocks, slackapi.NewSectionBlock(nil, texts[i:end], nil, slackapi.SectionBlockOptionBlockID(id)))
	}
	return blocks
}

// actionBlocks turns the buttons into actions blocks (none for no
// buttons): action_id is Button.Action, value is Button.Value. Slack wants
// action_ids unique within a block, so a repeated action starts a new block
// ("caracal_actions_2"); a block holds at most 25 buttons.
func actionBlocks(buttons []chat.Button) []slackapi.Block {
	var blocks []slackapi.Block
	var elems []slackapi.BlockElement
	seen := map[string]bool{}
	flush := func() {
		if len(elems) == 0 {
			return
		}
		id := BlockIDActions
		if len(blocks) > 0 {
			id += "_" + strconv.Itoa(len(blocks)+1)
		}
		blocks = append(blocks, slackapi.NewActionBlock(id, elems...))
		elems, seen = nil, map[string]bool{}
	}
	for _, b := range buttons[:min(len(buttons), maxButtons)] {
		btn := button(b)
		if seen[btn.ActionID] {
			flush()
		}
		seen[btn.ActionID] = true
		elems = append(elems, btn)
	}
	flush()
	return blocks
}

func button(b chat.Button) *slackapi.ButtonBlockElement {
	label := chat.Clip(chat.OneLine(b.Label), maxButtonLabel)
	if label == "" {
		label = "…"
	}
	btn := slackapi.NewButtonBlockElement(clipBytes(chat.OneLine(b.Action), maxActionID), clipBytes(b.Value, maxButtonValue),
		slackapi.NewTextBlockObject(slackapi.PlainTextType, label, true, false))
	switch b.Style {
	case chat.StylePrimary:
		btn.WithStyle(slackapi.StylePrimary)
	case chat.StyleDanger:
		btn.WithStyle(slackapi.StyleDanger)
	}
	return btn
}

// fallbackText is the notification text: mark and verdict, escaped.
func fallbackText(r chat.Reply) string {
	return clipText(r.Severity.Emoji()+" "+chat.EscapeSlack(oneLineSummary(r)), maxFallbackText)
}

func oneLineSummary(r chat.Reply) string {
	if s := chat.OneLine(r.Summary); s != "" {
		return s
	}
	return "(no summary)"
}

// mrkdwn is a verbatim mrkdwn text object: Slack does not auto-link URLs or
// channel names in it, so only our explicit <url|docs> links are links.
func mrkdwn(text string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, true)
}

func contextBlock(blockID, text string) *slackapi.ContextBlock {
	return slackapi.NewContextBlock(blockID, mrkdwn(text))
}

// clipText shortens escaped mrkdwn to at most max bytes, ending with "…",
// without cutting a character, an entity (&amp;) or a link (<url|docs>).
func clipText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:safeCut(s, max-len("…"))] + "…"
}

// clipBytes shortens s to at most max bytes at a character boundary.
func clipBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:chat.CutBytes(s, max)]
}
