package slack

import (
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/chat"
)

// entities escapes the three characters Slack mrkdwn treats as control
// characters, for text already defanged (table lines).
var entities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// renderThread draws the messages of each section (splitMessages), or a
// note plus a file for a section whose rendering exceeds fileThreshold.
func renderThread(r chat.Reply) ([]Message, []chat.File) {
	var msgs []Message
	var files []chat.File
	used := map[string]int{}
	for _, s := range r.Sections {
		blocks := sectionBlocks(s)
		if len(blocks) == 0 {
			continue
		}
		title := chat.EscapeSlack(chat.OneLine(s.Title))
		if size := blocksSize(blocks); size > fileThreshold {
			f := chat.SectionFile(s, used)
			files = append(files, f)
			note := "This section is too long for a message (" + chat.FileSize(size) + "): attached below as `" + f.Name + "`."
			if title != "" {
				note = "*" + clipText(title, 200) + "*\n" + note
			}
			msgs = append(msgs, Message{Text: fallbackTitle(title), Blocks: []slackapi.Block{slackapi.NewSectionBlock(mrkdwn(note), nil, nil)}})
			continue
		}
		msgs = append(msgs, splitMessages(blocks, fallbackTitle(title))...)
	}
	return msgs, files
}

// splitMessages packs a section's blocks, in order, into as few messages
// as hold them within blockkit.MaxBlocks blocks and
// blockkit.MaxMessageText characters each; the fallback text of every
// message after the first says "(continued)". A block is never split: each
// holds at most blockkit.MaxSectionText.
func splitMessages(blocks []slackapi.Block, text string) []Message {
	var msgs []Message
	var cur []slackapi.Block
	size := 0
	flush := func() {
		t := text
		if len(msgs) > 0 {
			t += " (continued)"
		}
		msgs = append(msgs, Message{Text: t, Blocks: cur})
		cur, size = nil, 0
	}
	for _, b := range blocks {
		n := blockkit.TextLen(b)
		if len(cur) > 0 && (len(cur) == blockkit.MaxBlocks || size+n > blockkit.MaxMessageText) {
			flush()
		}
		cur, size = append(cur, b), size+n
	}
	flush()
	return msgs
}

func fallbackTitle(title string) string {
	if title == "" {
		return "Caracal"
	}
	return clipText(title, 200)
}

// sectionBlocks draws a section as section blocks of at most
// blockkit.MaxSectionText bytes (so characters) each, split at line
// boundaries: the bold title, the paragraph and the list lines, then the
// table as monospace code blocks.
func sectionBlocks(s chat.Section) []slackapi.Block {
	var lines []string
	if title := chat.EscapeSlack(chat.OneLine(s.Title)); title != "" {
		lines = append(lines, "*"+title+"*")
	}
	if text := strings.TrimSpace(chat.StripControl(s.Text)); text != "" {
		for _, line := range strings.Split(text, "\n") {
			lines = append(lines, chat.EscapeSlack(strings.TrimRight(line, " ")))
		}
	}
	for _, it := range s.Items {
		lines = append(lines, itemLine(it))
	}
	var blocks []slackapi.Block
	for _, chunk := range packer.Lines(lines, blockkit.MaxSectionText) {
		blocks = append(blocks, slackapi.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	if s.Table != nil {
		for _, chunk := range tableChunks(*s.Table, blockkit.MaxSectionText) {
			blocks = append(blocks, slackapi.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	return blocks
}

// itemLine is one list line: mark (✅ ❌ ⚠️ ➖, "1." or •), escaped text, and
// a docs link only for an http(s) URL.
func itemLine(it chat.Item) string {
	mark := chat.MarkEmoji(it.Mark)
	if mark == "" {
		mark = "•"
	}
	line := mark + " " + chat.EscapeSlack(chat.OneLine(it.Text))
	if u, ok := chat.SafeURL(it.URL); ok {
		line += " <" + strings.ReplaceAll(u, "&", "&amp;") + "|docs>"
	} else if u := chat.OneLine(it.URL); u != "" {
		line += " (" + chat.EscapeSlack(u) + ")"
	}
	return line
}

// packer splits Block Kit text in bytes: at least its characters, however
// Slack counts them.
var packer = chat.Packer{Len: func(s string) int { return len(s) }, Cut: lineCut}

// tableChunks lays the table out in aligned columns inside ``` code blocks
// of at most max bytes, repeating the header at the top of each.
func tableChunks(t chat.Table, max int) []string {
	lines := chat.AlignTable(t, chat.CodeCell)
	for i, l := range lines {
		lines[i] = entities.Replace(l)
	}
	return packer.CodeBlocks(lines, len(t.Header) > 0, max)
}

// lineCut is where packer cuts a line too long for one block: at a space
// in the second half when there is one, never inside an entity or a link.
func lineCut(line string, max int) int {
	cut := safeCut(line, max)
	if sp := strings.LastIndexByte(line[:cut], ' '); sp > max/2 {
		cut = sp
	}
	return cut
}

// safeCut returns an index ≤ max at which s can be cut without splitting a
// character, an entity such as "&amp;" or a "<url|docs>" link.
func safeCut(s string, max int) int {
	cut := chat.CutBytes(s, max)
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && !strings.Contains(s[amp:cut], ";") && cut-amp <= 6 {
		cut = amp
	}
	if lt := strings.LastIndexByte(s[:cut], '<'); lt >= 0 && !strings.Contains(s[lt:cut], ">") {
		cut = lt
	}
	if cut == 0 { // a single unbreakable token longer than max: cut it anyway
		cut = chat.CutBytes(s, max)
	}
	return cut
}

// blocksSize is the total text length of section blocks, in bytes.
func blocksSize(blocks []slackapi.Block) int {
	n := 0
	for _, b := range blocks {
		if s, ok := b.(*slackapi.SectionBlock); ok && s.Text != nil {
			n += len(s.Text.Text)
		}
	}
	return n
}

// fileName is a file's name fit to show and upload: one line, at most 255
// bytes, "attachment" if empty.
func fileName(name string) string {
	if n := clipBytes(chat.OneLine(name), 255); n != "" {
		return n
	}
	return "attachment"
}
