package slack

import "strings"

// slackEntities are the only characters Slack escapes in the text it sends.
var slackEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// plainText turns the text of a slash command or a message back into what
// the user typed or pasted: links Slack formatted (<https://x> and
// <https://x|label>) become their text, and &lt; &gt; &amp; their
// characters, so a pasted curl -v transcript keeps its "<" and ">" lines.
// Mentions (<@U…>), channels (<#C…>) and special mentions (<!here>) stay as
// Slack wrote them. One pass.
func plainText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexAny(s[open+1:], "<>\n")
		var inner string
		if end > 0 && s[open+1+end] == '>' {
			inner = s[open+1 : open+1+end]
		}
		if target, _, _ := strings.Cut(inner, "|"); target == "" || strings.ContainsAny(target, " \t") {
			b.WriteString(slackEntities.Replace(s[:open+1])) // not Slack's markup
			s = s[open+1:]
			continue
		}
		b.WriteString(slackEntities.Replace(s[:open]))
		if strings.ContainsRune("@#!", rune(inner[0])) {
			b.WriteString("<" + inner + ">")
		} else {
			url, label, hasLabel := strings.Cut(inner, "|")
			if hasLabel {
				url = label
			}
			b.WriteString(slackEntities.Replace(url))
		}
		s = s[open+2+end:]
	}
	b.WriteString(slackEntities.Replace(s))
	return b.String()
}
