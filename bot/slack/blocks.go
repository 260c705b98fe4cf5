// Package slack is the Slack adapter: it receives slash commands, button
// clicks and mentions (HTTP or Socket Mode), hands them to the dispatcher,
// and draws each chat.Reply as Block Kit: one root message in the channel
// with a thread of sections under it, posted by a Poster.
package slack

import (
	"strconv"
	"unicode/utf16"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/chat"
)

// fileThreshold is the size (bytes of its blocks' text) above which a
// thread section is attached as a file instead of posted; up to it a
// section takes one or two messages.
const fileThreshold = 12000

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
// the fields (Request ID, Zone, Surface, Cause, Decision...) and the
// buttons, within every limit of one message.
func RenderRoot(r chat.Reply) Message {
	return Message{Text: fallbackText(r), Blocks: rootBlocks(r, 0, 0)}
}

// RenderThread draws the thread under the root: one message per section,
// more when a section needs more than one message's blocks or text, and a
// short note in place of any section too long to post; those sections come
// back from Render as files.
func RenderThread(r chat.Reply) []Message {
	thread, _ := renderThread(r)
	return thread
}

// rootBlocks are the summary, the "only visible to you" note, the fields
// and the buttons, leaving room for reserveText characters and
// reserveBlocks blocks of the message: the fields share what the rest
// leaves, clipped when they do not fit.
func rootBlocks(r chat.Reply, reserveText, reserveBlocks int) []slackapi.Block {
	summary := r.Severity.Emoji() + " *" + clipText(chat.EscapeSlack(oneLineSummary(r)), blockkit.MaxSectionText-16) + "*"
	head := []slackapi.Block{slackapi.NewSectionBlock(mrkdwn(summary), nil, nil, slackapi.SectionBlockOptionBlockID(BlockIDSummary))}
	if r.Ephemeral {
		head = append(head, contextBlock("", "Only visible to you"))
	}
	actions := actionBlocks(r.Buttons)
	room := blockkit.MaxMessageText - reserveText - blockkit.TextLen(head...) - blockkit.TextLen(actions...)
	slots := blockkit.MaxBlocks - reserveBlocks - len(head) - len(actions)
	blocks := append(head, fieldBlocks(r.Fields, room, slots)...)
	return append(blocks, actions...)
}

// fieldBlocks lays the fields out ten per section block, in at most
// slots blocks whose text takes at most room characters: values are
// clipped to their fair share when the fields do not fit, and the fields
// beyond the last slot are counted in a last one. Fields with an empty
// value are left out.
func fieldBlocks(fields []chat.Field, room, slots int) []slackapi.Block {
	var fs []string
	for _, f := range fields {
		if value := chat.EscapeSlack(chat.OneLine(f.Value)); value != "" {
			label := clipText(chat.EscapeSlack(chat.OneLine(f.Label)), 200)
			fs = append(fs, clipText("*"+label+"*\n"+value, blockkit.MaxFieldText))
		}
	}
	if most := max(slots, 1) * blockkit.MaxFields; len(fs) > most {
		fs = append(fs[:most-1], "*More*\n"+strconv.Itoa(len(fs)-most+1)+" fields not shown")
	}
	sizes := make([]int, len(fs))
	for i, f := range fs {
		sizes[i] = blockkit.Len(f)
	}
	texts := make([]*slackapi.TextBlockObject, len(fs))
	for i, share := range shares(sizes, room) {
		if share < sizes[i] {
			fs[i] = clipText(fs[i], share)
		}
		texts[i] = mrkdwn(fs[i])
	}
	var blocks []slackapi.Block
	for i := 0; i < len(texts); i += blockkit.MaxFields {
		id := BlockIDFields
		if i > 0 {
			id += "_" + strconv.Itoa(i/blockkit.MaxFields+1)
		}
		end := min(i+blockkit.MaxFields, len(texts))
		blocks = append(blocks, slackapi.NewSectionBlock(nil, texts[i:end], nil, slackapi.SectionBlockOptionBlockID(id)))
	}
	return blocks
}

// actionBlocks turns the buttons into actions blocks (none for no
// buttons): action_id is Button.Action, value is Button.Value. Slack wants
// action_ids unique within a block, so a repeated action starts a new block
// ("caracal_actions_2"); a reply shows at most 25 buttons.
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
	for _, b := range buttons[:min(len(buttons), blockkit.MaxActionsElements)] {
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
	label := clipPlain(chat.OneLine(b.Label), blockkit.MaxButtonText)
	if label == "" {
		label = "…"
	}
	btn := slackapi.NewButtonBlockElement(clipBytes(chat.OneLine(b.Action), blockkit.MaxActionID), clipBytes(b.Value, blockkit.MaxButtonValue),
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
	return clipText(r.Severity.Emoji()+" "+chat.EscapeSlack(oneLineSummary(r)), blockkit.MaxFallbackText)
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

// clipText shortens escaped mrkdwn to at most max bytes (so at most max
// characters), ending with "…", without cutting a character, an entity
// (&amp;) or a link (<url|docs>); below 6 bytes it is just "…".
func clipText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max < 2*len("…") {
		return "…"
	}
	return s[:safeCut(s, max-len("…"))] + "…"
}

// clipPlain shortens plain text to at most max characters as blockkit.Len
// counts them, ending with "…".
func clipPlain(s string, max int) string {
	if blockkit.Len(s) <= max {
		return s
	}
	n := blockkit.Len("…")
	for i, r := range s {
		if n+utf16.RuneLen(r) > max {
			return s[:i] + "…"
		}
		n += utf16.RuneLen(r)
	}
	return s
}

// clipBytes shortens s to at most max bytes at a character boundary.
func clipBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:chat.CutBytes(s, max)]
}
