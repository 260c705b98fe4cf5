package blockkit

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// Error codes Slack answers a message that breaks a limit with.
const (
	CodeInvalidBlocks = "invalid_blocks"
	CodeTooLong       = "msg_blocks_too_long"
	CodeNoText        = "no_text"
)

// Stats measure one message: the figures its limits are checked against.
type Stats struct {
	Text            int // characters of every text object of the blocks together
	Blocks          int // blocks
	Fallback        int // characters of the top-level text
	LargestSection  int // the longest section text
	MostFields      int // the most fields of one section
	LargestField    int // the longest field
	MostContext     int // the most elements of one context block
	LargestContext  int // the longest context text
	LargestHeader   int // the longest header text
	MostActions     int // the most elements of one actions block
	LargestButton   int // the longest button label
	LargestValue    int // the longest button value
	LargestActionID int // the longest action_id
	LargestBlockID  int // the longest block_id
}

// Error is a message that breaks limits: Slack's error code for it, and
// each limit broken.
type Error struct {
	Code     string
	Problems []string
}

func (e *Error) Error() string {
	return "slack: " + e.Code + ": " + strings.Join(e.Problems, "; ")
}

// Check measures a message (its top-level text and blocks) and holds it to
// every limit of this package. The blocks must be of the kinds the bot
// draws (section, context, actions of buttons, header, divider): any other
// is refused as unchecked. It returns an *Error listing every problem.
func Check(text string, blocks []slack.Block) (Stats, error) {
	c := checker{ids: map[string]bool{}}
	c.stats.Blocks, c.stats.Fallback = len(blocks), Len(text)
	if text == "" && len(blocks) == 0 {
		c.fail(CodeNoText, "neither text nor blocks")
	}
	c.atMost(CodeInvalidBlocks, "blocks", len(blocks), MaxBlocks)
	c.atMost(CodeInvalidBlocks, "top-level text", c.stats.Fallback, MaxFallbackText)
	for i, b := range blocks {
		c.block(i, b)
	}
	c.atMost(CodeTooLong, "text of the blocks", c.stats.Text, MaxMessageText)
	if c.err != nil {
		return c.stats, c.err
	}
	return c.stats, nil
}

type checker struct {
	stats Stats
	ids   map[string]bool
	err   *Error
}

func (c *checker) fail(code, format string, args ...any) {
	if c.err == nil {
		c.err = &Error{Code: code}
	} else if code == CodeInvalidBlocks {
		c.err.Code = code // a malformed block is what Slack reports first
	}
	c.err.Problems = append(c.err.Problems, fmt.Sprintf(format, args...))
}

func (c *checker) atMost(code, what string, n, limit int) {
	if n > limit {
		c.fail(code, "%s: %d > %d", what, n, limit)
	}
}

// largest records n in *m when larger and checks it against limit.
func (c *checker) largest(m *int, what string, n, limit int) {
	*m = max(*m, n)
	c.atMost(CodeInvalidBlocks, what, n, limit)
}

func (c *checker) block(i int, b slack.Block) {
	where := fmt.Sprintf("block %d", i)
	if id := b.ID(); id != "" {
		c.largest(&c.stats.LargestBlockID, where+" block_id", Len(id), MaxBlockID)
		if c.ids[id] {
			c.fail(CodeInvalidBlocks, "%s: block_id %q repeated", where, id)
		}
		c.ids[id] = true
	}
	switch b := b.(type) {
	case *slack.SectionBlock:
		c.section(where, b)
	case *slack.ContextBlock:
		c.context(where, b)
	case *slack.ActionBlock:
		c.actions(where, b)
	case *slack.HeaderBlock:
		c.text(where+" header", b.Text, slack.PlainTextType, &c.stats.LargestHeader, MaxHeaderText)
	case *slack.DividerBlock:
	default:
		c.fail(CodeInvalidBlocks, "%s: %s blocks are not checked", where, b.BlockType())
	}
}

func (c *checker) section(where string, b *slack.SectionBlock) {
	if b.Text == nil && len(b.Fields) == 0 {
		c.fail(CodeInvalidBlocks, "%s: section without text or fields", where)
	}
	if b.Text != nil {
		c.text(where+" text", b.Text, "", &c.stats.LargestSection, MaxSectionText)
	}
	c.stats.MostFields = max(c.stats.MostFields, len(b.Fields))
	c.atMost(CodeInvalidBlocks, where+" fields", len(b.Fields), MaxFields)
	for j, f := range b.Fields {
		c.text(fmt.Sprintf("%s field %d", where, j), f, "", &c.stats.LargestField, MaxFieldText)
	}
	if b.Accessory != nil {
		c.fail(CodeInvalidBlocks, "%s: section accessories are not checked", where)
	}
}

func (c *checker) context(where string, b *slack.ContextBlock) {
	els := b.ContextElements.Elements
	c.stats.MostContext = max(c.stats.MostContext, len(els))
	if len(els) == 0 {
		c.fail(CodeInvalidBlocks, "%s: context without elements", where)
	}
	c.atMost(CodeInvalidBlocks, where+" elements", len(els), MaxContextElements)
	for j, e := range els {
		t, ok := e.(*slack.TextBlockObject)
		if !ok {
			c.fail(CodeInvalidBlocks, "%s element %d: %s elements are not checked", where, j, e.MixedElementType())
			continue
		}
		c.text(fmt.Sprintf("%s element %d", where, j), t, "", &c.stats.LargestContext, MaxContextText)
	}
}

func (c *checker) actions(where string, b *slack.ActionBlock) {
	els := b.Elements.ElementSet
	c.stats.MostActions = max(c.stats.MostActions, len(els))
	if len(els) == 0 {
		c.fail(CodeInvalidBlocks, "%s: actions without elements", where)
	}
	c.atMost(CodeInvalidBlocks, where+" elements", len(els), MaxActionsElements)
	actionIDs := map[string]bool{}
	for j, e := range els {
		btn, ok := e.(*slack.ButtonBlockElement)
		if !ok {
			c.fail(CodeInvalidBlocks, "%s element %d: %s elements are not checked", where, j, e.ElementType())
			continue
		}
		at := fmt.Sprintf("%s button %d", where, j)
		c.text(at+" label", btn.Text, slack.PlainTextType, &c.stats.LargestButton, MaxButtonText)
		c.largest(&c.stats.LargestValue, at+" value", Len(btn.Value), MaxButtonValue)
		c.largest(&c.stats.LargestActionID, at+" action_id", Len(btn.ActionID), MaxActionID)
		if btn.ActionID != "" && actionIDs[btn.ActionID] {
			c.fail(CodeInvalidBlocks, "%s: action_id %q repeated in the block", at, btn.ActionID)
		}
		actionIDs[btn.ActionID] = true
	}
}

// text checks one text object: present, of type want (any when ""), not
// empty, at most limit; its length counts towards the message's text.
func (c *checker) text(where string, t *slack.TextBlockObject, want string, m *int, limit int) {
	if t == nil || t.Text == "" {
		c.fail(CodeInvalidBlocks, "%s: empty text", where)
		return
	}
	if t.Type != slack.PlainTextType && t.Type != slack.MarkdownType || want != "" && t.Type != want {
		c.fail(CodeInvalidBlocks, "%s: text of type %q", where, t.Type)
	}
	n := Len(t.Text)
	c.stats.Text += n
	c.largest(m, where, n, limit)
}

// TextLen is the text of blocks as Check counts it towards MaxMessageText.
func TextLen(blocks ...slack.Block) int {
	s, _ := Check("", blocks)
	return s.Text
}
