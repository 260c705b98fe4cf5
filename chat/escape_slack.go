package chat

import "strings"

// slackMarkup are Slack mrkdwn's formatting characters (bold, italic,
// strikethrough, code) and slackLookalikes the characters EscapeSlack
// writes in their place, in the same order: ∗ (asterisk operator), ˍ
// (modifier letter low macron), ∼ (tilde operator), ˋ (modifier letter
// grave accent). Each reads like the original and is one character, so
// lengths do not change.
const (
	slackMarkup     = "*_~`"
	slackLookalikes = "∗ˍ∼ˋ"
)

// neutralizeSlackMarkup replaces the mrkdwn formatting characters with
// look-alikes so that echoed text cannot format itself or break the bot's
// own formatting around it. Slack mrkdwn has no escape character, and
// zero-width characters next to a marker do not reliably stop Slack from
// pairing markers; a look-alike is never a marker. An underscore between
// two ASCII letters or digits is kept: Slack reads "_" as italic only at
// the edge of a word, so snake_case names and request IDs ("batch_7")
// stay as they are and copy exactly. "*", "~" and "`" cannot occur in a
// request ID.
func neutralizeSlackMarkup(s string) string {
	if !strings.ContainsAny(s, slackMarkup) {
		return s
	}
	lookalikes := []rune(slackLookalikes)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		k := strings.IndexByte(slackMarkup, c)
		if k < 0 || c == '_' && i > 0 && i+1 < len(s) && isASCIIAlnum(s[i-1]) && isASCIIAlnum(s[i+1]) {
			b.WriteByte(c)
			continue
		}
		b.WriteRune(lookalikes[k])
	}
	return b.String()
}

// FromSlackLookalike returns the mrkdwn formatting character EscapeSlack
// wrote r in place of, if r is one of its look-alikes: redaction undoes
// Slack escaping with it to find secrets in escaped text.
func FromSlackLookalike(r rune) (byte, bool) {
	for k, l := range []rune(slackLookalikes) {
		if l == r {
			return slackMarkup[k], true
		}
	}
	return 0, false
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
