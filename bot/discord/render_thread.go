package discord

import (
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/chat"
)

// RenderThread draws the thread under the root: one message per section
// (more when a section needs over 2000 characters, split at line
// boundaries), a short note with the section attached as a .txt file in
// place of any section over 12000 characters, and last the reply's own
// files (ten per message, up to Discord's upload limit; larger ones are
// listed, not attached).
func RenderThread(r chat.Reply) []Message {
	var msgs []Message
	used := map[string]int{}
	for _, s := range r.Sections {
		pieces := sectionPieces(s, discordapi.MaxContent)
		if len(pieces) == 0 {
			continue
		}
		if size := runeLen(strings.Join(pieces, "\n")); size > fileThreshold {
			f := chat.SectionFile(s, used)
			note := "This section is too long for a message (" + chat.FileSize(size) + "): it is attached as " + f.Name + "."
			if title := escapeOne(s.Title); title != "" {
				note = "**" + clipEscaped(title, 200) + "**\n" + note
			}
			msgs = append(msgs, Message{Content: note, Files: []chat.File{f}})
			continue
		}
		for _, chunk := range packer.Lines(pieces, discordapi.MaxContent) {
			msgs = append(msgs, Message{Content: chunk})
		}
	}
	return append(msgs, fileMessages(r.Files)...)
}

// renderIntoThread is the whole reply as thread messages, for Show trace:
// the root embed without buttons (they act on a channel's root), then the
// thread.
func renderIntoThread(r chat.Reply) []Message {
	return append([]Message{{Embeds: []*discordgo.MessageEmbed{rootEmbed(r)}}}, RenderThread(r)...)
}

// sectionPieces are a section's lines as markdown, each at most max
// characters except long text lines (packLines splits those): the bold
// title, the paragraph, the list lines, then the table as ``` code blocks.
func sectionPieces(s chat.Section, max int) []string {
	var lines []string
	if title := escapeOne(s.Title); title != "" {
		lines = append(lines, "**"+clipEscaped(title, 200)+"**")
	}
	if text := strings.TrimSpace(chat.StripControl(s.Text)); text != "" {
		for _, line := range strings.Split(text, "\n") {
			lines = append(lines, escapeLine(strings.TrimRight(line, " ")))
		}
	}
	for _, it := range s.Items {
		lines = append(lines, itemLine(it))
	}
	if s.Table != nil {
		lines = append(lines, tableChunks(*s.Table, max)...)
	}
	return lines
}

// itemLine is one list line: the mark (✅ ❌ ⚠️ ➖, "1." or •), the escaped
// text, and a <url> link only for an http(s) URL (the angle brackets stop
// Discord's preview); any other URL is shown as inert text.
func itemLine(it chat.Item) string {
	mark := chat.MarkEmoji(it.Mark)
	if mark == "" {
		mark = "•"
	}
	line := mark + " " + escapeOne(it.Text)
	if u, ok := chat.SafeURL(it.URL); ok {
		line += " <" + u + ">"
	} else if u := chat.OneLine(it.URL); u != "" {
		line += " (" + escapeLine(u) + ")"
	}
	return line
}

// tableChunks lays the table out in aligned columns inside ``` code blocks
// of at most max characters, repeating the header at the top of each.
func tableChunks(t chat.Table, max int) []string {
	return packer.CodeBlocks(chat.AlignTable(t, chat.CodeCell), len(t.Header) > 0, max)
}

// fileMessages attach the reply's files to thread messages: ten per
// message within the upload limit, each message naming its files; files
// that cannot be attached are listed in the last message.
func fileMessages(files []chat.File) []Message {
	groups, notes := attachable(files)
	var msgs []Message
	for _, g := range groups {
		msgs = append(msgs, Message{Content: fileList(g), Files: g})
	}
	if len(notes) > 0 {
		for i, n := range notes {
			notes[i] = "⚠️ " + escapeOne(n)
		}
		for _, chunk := range packer.Lines(notes, discordapi.MaxContent) {
			msgs = append(msgs, Message{Content: chunk})
		}
	}
	return msgs
}

// fileList names a message's files, one line each, within Discord's
// content limit: when the lines do not all fit, the first ones and
// "… and N more".
func fileList(files []chat.File) string {
	lines := make([]string, len(files))
	for i, f := range files {
		lines[i] = "📎 " + escapeOne(fileName(f.Name)) + " (" + chat.FileSize(len(f.Data)) + ")"
	}
	for n := len(lines); n > 0; n-- {
		text := strings.Join(lines[:n], "\n")
		if n < len(lines) {
			text += "\n… and " + strconv.Itoa(len(lines)-n) + " more"
		}
		if runeLen(text) <= discordapi.MaxContent {
			return text
		}
	}
	return "📎 " + strconv.Itoa(len(files)) + " files"
}

// attachable groups files into messages (at most ten files and
// discordapi.MaxUploadBytes each) and describes those that cannot be attached:
// empty files and files over the limit on their own.
func attachable(files []chat.File) ([][]chat.File, []string) {
	var groups [][]chat.File
	var notes []string
	var cur []chat.File
	size := 0
	for _, f := range files {
		f.Name = fileName(f.Name)
		switch {
		case len(f.Data) == 0:
			notes = append(notes, f.Name+" is empty: not attached")
			continue
		case len(f.Data) > discordapi.MaxUploadBytes:
			notes = append(notes, f.Name+" ("+chat.FileSize(len(f.Data))+") is over Discord's "+chat.FileSize(discordapi.MaxUploadBytes)+" upload limit: not attached")
			continue
		}
		if len(cur) == discordapi.MaxFiles || size+len(f.Data) > discordapi.MaxUploadBytes {
			groups, cur, size = append(groups, cur), nil, 0
		}
		cur = append(cur, f)
		size += len(f.Data)
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups, notes
}

// namesOf lists the files' names.
func namesOf(files []chat.File) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// fileName is a file's name fit to upload: one line without path
// separators, at most 200 bytes, "attachment" if empty.
func fileName(name string) string {
	n := strings.NewReplacer("/", "_", `\`, "_").Replace(chat.OneLine(name))
	if n = n[:chat.CutBytes(n, 200)]; n != "" {
		return n
	}
	return "attachment"
}
