// Package blockkit holds Slack's Block Kit limits in one place, and Check,
// which holds a message to them. The renderer of bot/slack draws within
// these limits; the fake Slack of bot/slack/slackfake refuses a message
// that breaks one, as Slack would, so every test posting through the fake
// checks every message it posts.
package blockkit

import "unicode/utf16"

// Slack's Block Kit limits, from the Block Kit reference
// (https://docs.slack.dev/reference/block-kit/blocks and the pages of each
// block, element and composition object it links), plus the bot's own
// bounds where Slack documents none or allows more than is wise. Lengths are
// characters as Len counts them.
const (
	// MaxBlocks is the number of blocks of one message.
	MaxBlocks = 50
	// MaxBlockID is the length of a block_id, unique within a message.
	MaxBlockID = 255
	// MaxSectionText is the length of a section block's text.
	MaxSectionText = 3000
	// MaxFields is the number of fields of a section block.
	MaxFields = 10
	// MaxFieldText is the length of one field of a section block.
	MaxFieldText = 2000
	// MaxContextElements is the number of elements of a context block.
	MaxContextElements = 10
	// MaxContextText is the length of a context block's text element. A
	// text object may hold 3000; the bot holds context lines to 2000.
	MaxContextText = 2000
	// MaxHeaderText is the length of a header block's plain_text.
	MaxHeaderText = 150
	// MaxActionsElements is the number of elements of an actions block.
	MaxActionsElements = 25
	// MaxButtonText is the length of a button's plain_text label.
	MaxButtonText = 75
	// MaxButtonValue is the length of a button's value.
	MaxButtonValue = 2000
	// MaxActionID is the length of an action_id, unique within its block.
	MaxActionID = 255

	// MaxMessageText is the bot's bound on the text of all the text objects
	// of one message's blocks together. Slack documents no such total, yet
	// refuses a message with msg_blocks_too_long from about 12,000
	// characters, and refusals near 11,300 have been reported
	// (slackapi/bolt-js#2509, #2867).
	MaxMessageText = 11_000
	// MaxFallbackText is the bot's bound on a message's top-level text, the
	// notification text: Slack truncates it at 40,000 characters and shows
	// far less.
	MaxFallbackText = 3000
)

// Len is the length of s as the limits count it: UTF-16 code units. That is
// the number of characters for all but characters outside the Basic
// Multilingual Plane (most emoji), which count twice, so a text within a
// limit by Len is within it whether Slack counts code points or UTF-16.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
