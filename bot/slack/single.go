package slack

import (
	"slices"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot/slack/blockkit"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Bounds of the closing note of a shortened single message: how many
// section titles and file names it names, and how long each may be.
const (
	noteMaxNames = 10
	noteMaxName  = 80
	minCutRoom   = 40 // the least room worth cutting a line into
)

// RenderSingle draws the whole reply as one message, for replies only the
// user sees and for answers through a response_url, which cannot start a
// thread: the root blocks, then each section after a divider. When that
// does not fit one message, each section keeps its title and first lines
// within a fair share of the room (shares), and a closing note names the
// sections shortened and the files that cannot be attached here.
func RenderSingle(r chat.Reply) Message { return renderSingle(r, "") }

// renderSingle is RenderSingle whose closing note, when there is one, ends
// with why: our own mrkdwn saying why the answer is a single message.
func renderSingle(r chat.Reply, why string) Message {
	var bodies [][]slackapi.Block
	var titles []string
	for _, s := range r.Sections {
		if body := sectionBlocks(s); len(body) > 0 {
			bodies = append(bodies, body)
			titles = append(titles, chat.EscapeSlack(chat.OneLine(s.Title)))
		}
	}
	whole := rootBlocks(r, 0, 0)
	for _, body := range bodies {
		whole = append(append(whole, slackapi.NewDividerBlock()), body...)
	}
	if len(r.Files) == 0 && len(whole) <= blockkit.MaxBlocks && blockkit.TextLen(whole...) <= blockkit.MaxMessageText {
		return Message{Text: fallbackText(r), Blocks: whole}
	}

	// The note naming every section, the longest first, is the longest the
	// note can be: room is kept for it.
	longest := slices.SortedFunc(slices.Values(titles), func(a, b string) int { return len(b) - len(a) })
	reserve := blockkit.TextLen(singleNote(longest, r.Files, why))
	blocks := rootBlocks(r, reserve, 1)
	room := blockkit.MaxMessageText - reserve - blockkit.TextLen(blocks...)
	slots := blockkit.MaxBlocks - 1 - len(blocks)
	sizes := make([]int, len(bodies))
	for i, body := range bodies {
		sizes[i] = blockkit.TextLen(body...)
	}
	var shortened []string
	for i, share := range shares(sizes, room) {
		kept, cut := fitBlocks(bodies[i], share)
		if len(kept)+1 > slots {
			kept, cut = kept[:max(slots-1, 0)], true
		}
		if len(kept) > 0 {
			blocks = append(append(blocks, slackapi.NewDividerBlock()), kept...)
			slots -= len(kept) + 1
		}
		if cut {
			shortened = append(shortened, titles[i])
		}
	}
	if note := singleNote(shortened, r.Files, why); note != nil {
		blocks = append(blocks, note)
	}
	return Message{Text: fallbackText(r), Blocks: blocks}
}

// fitBlocks keeps the leading blocks of a section whose text fits in room
// characters, and the first lines of the next one (cutBlock); cut says
// whether anything was left out.
func fitBlocks(blocks []slackapi.Block, room int) (kept []slackapi.Block, cut bool) {
	used := 0
	for i, b := range blocks {
		n := blockkit.TextLen(b)
		if used+n <= room {
			used += n
			continue
		}
		kept = slices.Clone(blocks[:i])
		if b := cutBlock(b, room-used); b != nil {
			kept = append(kept, b)
		}
		return kept, true
	}
	return blocks, false
}

// cutBlock keeps the first lines of a section block that fit in room
// characters, then a line "…"; a code block stays closed. When not even
// the first line fits, it is clipped; with less than minCutRoom there is
// nothing worth showing (nil).
func cutBlock(b slackapi.Block, room int) slackapi.Block {
	s, ok := b.(*slackapi.SectionBlock)
	if !ok || s.Text == nil || room < minCutRoom {
		return nil
	}
	const fence, more = "```", "\n…"
	text, open, closing := s.Text.Text, "", ""
	if strings.HasPrefix(text, fence+"\n") && strings.HasSuffix(text, "\n"+fence) && len(text) > 2*len(fence)+2 {
		text, open, closing = text[len(fence)+1:len(text)-len(fence)-1], fence+"\n", "\n"+fence
	}
	room -= blockkit.Len(open + more + closing)
	lines := strings.Split(text, "\n")
	k, n := 0, 0
	for ; k < len(lines); k++ {
		add := blockkit.Len(lines[k])
		if k > 0 {
			add++
		}
		if n+add > room {
			break
		}
		n += add
	}
	kept := strings.Join(lines[:k], "\n") + more
	if k == 0 {
		kept = clipText(lines[0], room)
	}
	return slackapi.NewSectionBlock(mrkdwn(open+kept+closing), nil, nil)
}

// singleNote is the closing note of a shortened single message: the
// sections shortened (their titles), the files not attached, then why; nil
// when nothing was left out. It names at most noteMaxNames of each, so a
// note naming some sections is never longer than the one naming them all,
// the longest first.
func singleNote(shortened []string, files []chat.File, why string) slackapi.Block {
	var parts []string
	if len(shortened) > 0 {
		part := "Shortened to fit one message"
		if names := listNames(slices.DeleteFunc(slices.Clone(shortened), func(t string) bool { return t == "" })); names != "" {
			part += ": " + names
		}
		parts = append(parts, part+".")
	}
	if len(files) > 0 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = chat.EscapeSlack(fileName(f.Name)) + " (" + chat.FileSize(len(f.Data)) + ")"
		}
		parts = append(parts, "Not attached here: "+listNames(names)+".")
	}
	if len(parts) == 0 {
		return nil
	}
	if why != "" {
		parts = append(parts, why)
	}
	return contextBlock("", clipText(strings.Join(parts, " "), blockkit.MaxContextText))
}

// listNames joins at most noteMaxNames names, each clipped, and counts the
// others: "a, b and 3 more".
func listNames(names []string) string {
	shown := names[:min(len(names), noteMaxNames)]
	clipped := make([]string, len(shown))
	for i, n := range shown {
		clipped[i] = clipText(n, noteMaxName)
	}
	out := strings.Join(clipped, ", ")
	if more := len(names) - len(shown); more > 0 {
		out += " and " + strconv.Itoa(more) + " more"
	}
	return out
}
