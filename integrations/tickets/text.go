package tickets

import (
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// JiraMarkup converts the markdown the bot writes (headings, bullet and
// numbered lists, bold, inline code, links, code fences, rules) to Jira's
// wiki markup, which REST v2 descriptions and comments use.
func JiraMarkup(md string) string {
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	inCode := false
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "```") {
			if inCode {
				lines[i] = "{code}"
			} else {
				lines[i] = "{code}"
				if lang := strings.TrimPrefix(trimmed, "```"); lang != "" {
					lines[i] = "{code:" + lang + "}"
				}
			}
			inCode = !inCode
			continue
		}
		if inCode {
			continue
		}
		lines[i] = jiraLine(l)
	}
	return strings.Join(lines, "\n")
}

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	mdBullet  = regexp.MustCompile(`^(\s*)[-*+]\s+(.*)$`)
	mdNumber  = regexp.MustCompile(`^(\s*)\d+[.)]\s+(.*)$`)
	mdBold    = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	mdCode    = regexp.MustCompile("`([^`]+)`")
	mdLink    = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s]+)\)`)
)

func jiraLine(l string) string {
	switch {
	case strings.TrimSpace(l) == "---":
		return "----"
	case mdHeading.MatchString(l):
		m := mdHeading.FindStringSubmatch(l)
		return "h" + string(rune('0'+len(m[1]))) + ". " + jiraInline(m[2])
	case mdBullet.MatchString(l):
		m := mdBullet.FindStringSubmatch(l)
		return strings.Repeat("*", 1+len(m[1])/2) + " " + jiraInline(m[2])
	case mdNumber.MatchString(l):
		m := mdNumber.FindStringSubmatch(l)
		return strings.Repeat("#", 1+len(m[1])/2) + " " + jiraInline(m[2])
	}
	return jiraInline(l)
}

func jiraInline(s string) string {
	s = mdCode.ReplaceAllString(s, "{{$1}}")
	s = mdBold.ReplaceAllString(s, "*$1*")
	return mdLink.ReplaceAllString(s, "[$1|$2]")
}

// clipRunes shortens s to at most n runes, marking the cut with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// oneLine folds whitespace, line breaks included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// safeFileName keeps a file name's base and drops characters that would
// break a header or a path.
func safeFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." || name == "/" {
		return "bundle.zip"
	}
	return clipRunes(name, 200)
}

// contentType is the attachment's type, application/zip when unset.
func contentType(a *Attachment) string {
	if a.ContentType == "" {
		return "application/zip"
	}
	return a.ContentType
}
