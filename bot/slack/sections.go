package slack

import (
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/chat"
)

// entities escapes the three characters Slack mrkdwn treats as control
// characters, for text already defanged (table lines).
var entities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// renderThread draws one message per section, or a note plus a file for a
// section whose rendering exceeds fileThreshold.
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
		for i := 0; i < len(blocks); i += maxBlocks {
			text := fallbackTitle(title)
			if i > 0 {
				text += " (continued)"
			}
			msgs = append(msgs, Message{Text: text, Blocks: blocks[i:min(i+maxBlocks, len(blocks))]})
		}
	}
	return msgs, files
}

func fallbackTitle(title string) string {
	if title == "" {
		return "Caracal"
	}
	return clipText(title, 200)
}

// sectionBlocks draws a section as section blocks of at most 3000
// characters each, split at line boundaries: the bold title, the paragraph
// and the list lines, then the table as monospace code blocks.
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
	for _, chunk := range packLines(lines, maxSectionText) {
		blocks = append(blocks, slackapi.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	if s.Table != nil {
		for _, chunk := range tableChunks(*s.Table, maxSectionText) {
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

// tableChunks lays the table out in aligned columns inside ``` code blocks
// of at most max characters, repeating the header at the top of each.
func tableChunks(t chat.Table, max int) []string {
	lines := chat.AlignTable(t, tableCell)
	if len(lines) == 0 {
		return nil
	}
	for i, l := range lines {
		lines[i] = entities.Replace(l)
	}
	const open, closing = "```\n", "\n```"
	var header []string
	if len(t.Header) > 0 && len(lines[0])+1 < max/2 {
		header, lines = lines[:1], lines[1:]
	}
	budget := max - len(open) - len(closing)
	if len(header) > 0 {
		budget -= len(header[0]) + 1
	}
	if len(lines) == 0 {
		return []string{open + header[0] + closing}
	}
	var chunks []string
	for _, body := range packLines(lines, budget) {
		chunks = append(chunks, open+strings.Join(append(header[:len(header):len(header)], body), "\n")+closing)
	}
	return chunks
}

// tableCell is one table cell: one line, defanged, and with no run of
// backticks that could close the code block. The zero-width spaces take no
// column, so alignment holds.
func tableCell(s string) string {
	return strings.ReplaceAll(chat.Defang(chat.OneLine(s)), "`", "`\u200b")
}

// packLines joins lines with newlines into chunks of at most max bytes,
// breaking between lines, and inside a line only when it alone is too long.
func packLines(lines []string, max int) []string {
	var chunks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
	}
	for _, line := range lines {
		for len(line) > max {
			flush()
			cut := safeCut(line, max)
			if sp := strings.LastIndexByte(line[:cut], ' '); sp > max/2 {
				cut = sp
			}
			chunks = append(chunks, line[:cut])
			line = line[cut:]
		}
		if cur.Len() > 0 && cur.Len()+1+len(line) > max {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
	}
	flush()
	return chunks
}

// safeCut returns an index ≤ max at which s can be cut without splitting a
// character, an entity such as "&amp;" or a "<url|docs>" link.
func safeCut(s string, max int) int {
	cut := runeCut(s, max)
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && !strings.Contains(s[amp:cut], ";") && cut-amp <= 6 {
		cut = amp
	}
	if lt := strings.LastIndexByte(s[:cut], '<'); lt >= 0 && !strings.Contains(s[lt:cut], ">") {
		cut = lt
	}
	if cut == 0 { // a single unbreakable token longer than max: cut it anyway
		cut = runeCut(s, max)
	}
	return cut
}

// runeCut is the largest index ≤ max that starts a character.
func runeCut(s string, max int) int {
	if max >= len(s) {
		return len(s)
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return max
}

// blocksSize is the total text length of section blocks.
func blocksSize(blocks []slackapi.Block) int {
	n := 0
	for _, b := range blocks {
		if s, ok := b.(*slackapi.SectionBlock); ok && s.Text != nil {
			n += len(s.Text.Text)
		}
	}
	return n
}

// truncateBlocks keeps the leading blocks whose text fits in budget.
func truncateBlocks(blocks []slackapi.Block, budget int) []slackapi.Block {
	n := 0
	for i, b := range blocks {
		n += blocksSize([]slackapi.Block{b})
		if n > budget {
			return blocks[:i]
		}
	}
	return blocks
}

// fileName is a file's name fit to show and upload: one line, at most 255
// bytes, "attachment" if empty.
func fileName(name string) string {
	if n := clipBytes(chat.OneLine(name), 255); n != "" {
		return n
	}
	return "attachment"
}
