package tickets

import (
	"path"
	"strings"
)

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
	return runes.clip(name, 200)
}

// bundleName is the file name of the ticket's bundle, "" when it has none.
func bundleName(t Ticket) string {
	if t.Attachment == nil {
		return ""
	}
	return safeFileName(t.Attachment.Name)
}

// contentType is the attachment's type, application/zip when unset.
func contentType(a *Attachment) string {
	if a.ContentType == "" {
		return "application/zip"
	}
	return a.ContentType
}
