package bundle

import (
	"fmt"
	"strings"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/redact"
)

// diagnosisMarkdown renders diagnosis.md: the same facts as diagnosis.json
// for a person reading a ticket. The bundle renders it itself (rather than
// taking the chat reply) so it depends on the Diagnosis alone. Each value
// is redacted before it is escaped for markdown (escaping could hide a
// token from the patterns), and each redaction is located by line.
func diagnosisMarkdown(r *redact.Scrubber, d diagnose.Diagnosis) (string, []redact.Redaction) {
	w := &mdWriter{r: r}
	w.line("# Caracal diagnosis of request %s", w.code(d.RequestID))
	w.line("")
	w.line("**%s**", w.text(d.Verdict))
	w.line("")
	for _, f := range [][2]string{
		{"Request ID", d.RequestID}, {"Zone", d.ZoneID}, {"Surface", string(d.Surface)},
		{"Cause", string(d.Cause)}, {"Decision", d.Decision}, {"Severity", string(d.Severity())},
	} {
		v := "(none)"
		if f[1] != "" {
			v = w.code(f[1])
		}
		w.line("- %s: %s", f[0], v)
	}
	w.section("Steps", len(d.Steps))
	for _, s := range d.Steps {
		w.line("- %s %d. %s: %s", stepMark(s.Status), s.N, w.text(s.Name), w.text(s.Detail))
	}
	w.section("Evidence", len(d.Evidence))
	for _, f := range d.Evidence {
		w.line("- %s: %s (%s)", w.text(f.Name), w.text(f.Value), w.code(f.Source))
	}
	w.section("Next actions", len(d.NextActions))
	for i, a := range d.NextActions {
		doc := ""
		if a.Doc != "" {
			doc = " (" + w.link(a.Doc) + ")"
		}
		w.line("%d. %s%s", i+1, w.text(a.Text), doc)
	}
	if len(d.MissingEvidence) > 0 {
		w.section("Missing evidence", len(d.MissingEvidence))
		for _, m := range d.MissingEvidence {
			w.line("- %s: %s (%s)", w.text(m.What), w.text(m.Reason), w.code(m.Source))
		}
	}
	return w.b.String(), w.reds
}

// mdWriter builds diagnosis.md line by line, redacting values as they go.
type mdWriter struct {
	r    *redact.Scrubber
	b    strings.Builder
	n    int // lines written
	reds []redact.Redaction
}

func (w *mdWriter) line(format string, a ...any) {
	fmt.Fprintf(&w.b, format, a...)
	w.b.WriteByte('\n')
	w.n++
}

func (w *mdWriter) section(title string, n int) {
	w.line("")
	w.line("## %s", title)
	w.line("")
	if n == 0 {
		w.line("(none)")
	}
}

// redact removes secrets from one value of the line being written.
func (w *mdWriter) redact(s string) string {
	out, hits := w.r.Text(oneLine(s))
	for _, h := range hits {
		w.reds = append(w.reds, redact.Redaction{Path: fmt.Sprintf("line %d", w.n+1), Kind: h.Kind})
	}
	return out
}

func (w *mdWriter) text(s string) string { return text(w.redact(s)) }
func (w *mdWriter) code(s string) string { return code(w.redact(s)) }
func (w *mdWriter) link(s string) string { return link(w.redact(s)) }

// stepMark is a step status as a plain-text mark.
func stepMark(s diagnose.StepStatus) string {
	switch s {
	case diagnose.StepPass:
		return "[pass]"
	case diagnose.StepFail:
		return "[FAIL]"
	case diagnose.StepWarn:
		return "[warn]"
	}
	return "[skip]"
}

// oneLine turns control characters (newlines included) into spaces, so a
// value cannot start a heading or a list item of its own.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// text is free text on one line with markup that could hide content (HTML
// tags, link syntax) neutralised.
func text(s string) string {
	s = strings.NewReplacer("\\", "\\\\", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]", "*", "\\*", "_", "\\_", "`", "\\`").Replace(oneLine(s))
	// Placeholders are not link syntax; keep them readable.
	return strings.NewReplacer(`\[redacted\]`, redact.Redacted, `\[redacted-signature\]`, redact.RedactedSignature).Replace(s)
}

// code is s as an inline code span that s cannot close early.
func code(s string) string {
	s = oneLine(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// link is a docs URL as a markdown autolink when it is http(s), else code.
func link(u string) string {
	u = oneLine(u)
	if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " <>") {
		return "<" + u + ">"
	}
	return code(u)
}
