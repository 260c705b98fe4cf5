package paste

import (
	"cmp"
	"regexp"
	"strings"
)

// pasted is the text as the extractors read it: the prose without the
// source lines of a traceback, and the exception a traceback or an
// inspected error ends in.
type pasted struct {
	prose     string
	exception exception
}

// exception is an error's class and message, as a Python traceback's last
// line or a Node error's first line shows them.
type exception struct {
	class, message string
}

var (
	// A Python frame header; the lines indented under it are source.
	rePyFrame = regexp.MustCompile(`^(\s*)File "[^"]*", line \d+`)
	// A caret line under a source line (Node's arrow, Python's markers).
	reCarets = regexp.MustCompile(`^\s*[\^~]+\s*$`)
	// A class followed by ": " in an exception line: the first one that
	// starts a word and whose last segment is an error class names the
	// exception.
	reClass = regexp.MustCompile(`(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*): `)
)

// read splits text into lines once: it drops the source lines of Python
// tracebacks (the lines indented under a `File "...", line N` header) and
// the source line above a caret line (Node's uncaught-error arrow), and
// finds the exception line: the last unindented line after a Python
// traceback's frames, else the line above a Node stack's first "at" line,
// else the first line that names an error class.
func read(text string) pasted {
	lines := strings.Split(text, "\n")
	keep := make([]bool, len(lines))
	frameIndent := -1
	pyException, nodeException := "", ""
	for i, line := range lines {
		keep[i] = true
		if m := rePyFrame.FindStringSubmatch(line); m != nil {
			frameIndent = len(m[1])
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		indent := len(line) - len(trimmed)
		switch {
		case frameIndent >= 0 && indent > frameIndent && trimmed != "":
			keep[i] = false // source under a frame
		case reCarets.MatchString(line):
			keep[i] = false
			if i > 0 {
				keep[i-1] = false // the source line the carets point at
			}
		case frameIndent >= 0 && indent == 0 && trimmed != "":
			pyException, frameIndent = line, -1
		case nodeException == "" && strings.HasPrefix(trimmed, "at ") && indent > 0 && i > 0:
			nodeException = lines[i-1]
		}
	}
	var b strings.Builder
	b.Grow(len(text))
	for i, line := range lines {
		if keep[i] {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	p := pasted{prose: b.String(), exception: parseException(cmp.Or(pyException, nodeException))}
	for i := 0; i < len(lines) && p.exception.class == ""; i++ {
		if keep[i] {
			p.exception = parseException(lines[i]) // a message pasted without its trace
		}
	}
	return p
}

// parseException splits an exception line into its class and message:
// "caracalai_oauth.errors.AccessDenied: policy denied", "refund failed:
// FastMcpAuthError: Missing scope: x". A line naming no error class is no
// exception.
func parseException(line string) exception {
	for _, m := range reClass.FindAllStringSubmatchIndex(line, 8) {
		if m[0] > 0 && !strings.ContainsRune(" \t`'\"", rune(line[m[0]-1])) {
			continue // inside a word
		}
		class, name := line[m[0]:m[1]-2], line[m[2]:m[3]]
		if isErrorClass(class, name) {
			return exception{class: class, message: unquote(line[m[1]:])}
		}
	}
	return exception{}
}

// unquote trims white space and the backticks of inline code.
func unquote(s string) string { return strings.Trim(strings.TrimSpace(s), "` \t") }

// isErrorClass reports whether a (qualified) class names an exception: a
// Caracal SDK class, or one whose name ends in Error or Exception.
func isErrorClass(class, name string) bool {
	return classCode(class) != "" || strings.HasSuffix(name, "Error") || strings.HasSuffix(name, "Exception")
}

// classCodes map the SDKs' exception classes to the error codes they stand
// for (packages/oauth/python/caracalai_oauth/errors.py, the TS and Python
// ApprovalRequired and CredentialsUnavailableError). Python's classes count
// only under a caracal module; the Error-suffixed ones anywhere.
var classCodes = map[string]string{
	"InvalidRequest":              "invalid_request",
	"AccessDenied":                "access_denied",
	"InvalidToken":                "invalid_token",
	"ZoneMismatch":                "zone_invalid",
	"ResourceNotFound":            "resource_not_found",
	"ScopeInsufficient":           "scope_insufficient",
	"OperationNotPermitted":       "operation_not_permitted",
	"DelegationRequired":          "delegation_required",
	"ServiceUnavailable":          "sts_unavailable",
	"ApprovalRequired":            "interaction_required",
	"ApprovalRequiredError":       "interaction_required",
	"CredentialsUnavailableError": "config_missing",
	"MissingTokenError":           "missing_token",
}

// code is the error code the exception's class stands for, if any.
func (e exception) code() string { return classCode(e.class) }

// classCode is the error code a (qualified) class stands for: one of
// classCodes, an Error-suffixed one anywhere, another under a caracal module.
func classCode(class string) string {
	name := class[strings.LastIndexByte(class, '.')+1:]
	code := classCodes[name]
	if !strings.HasSuffix(name, "Error") && !strings.Contains(strings.ToLower(class), "caracal") {
		return ""
	}
	return code
}
