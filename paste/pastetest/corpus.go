// Package pastetest reads the corpus of real Caracal error output in
// paste/testdata/corpus, for the tests that parse it and run it through
// the commands.
package pastetest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/caracal-bot/caracal-bot/diagnose"
)

// Case is one paste of the corpus and what reading it must give.
type Case struct {
	Name    string   // the file name without .txt
	Format  string   // how the text was produced and pasted, e.g. "python traceback"
	Sources []string // the Caracal source files the text comes from
	How     string   // how the text was obtained (run, or derived and from what)
	Text    string   // the paste, as an engineer would copy it
	Want    diagnose.Query
	// Scenario names the simulator scenario whose surface and cause the
	// paste must lead to ("" when the paste alone cannot decide).
	Scenario string
}

// separator ends a case's header; the paste follows it.
const separator = "\n=== paste ===\n"

// Corpus returns every case, sorted by name. It reads the files next to
// this source file, so any package's tests may call it.
func Corpus() ([]Case, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return nil, fmt.Errorf("pastetest: cannot locate the corpus")
	}
	dir := filepath.Join(filepath.Dir(self), "..", "testdata", "corpus")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		c, err := parseCase(strings.TrimSuffix(e.Name(), ".txt"), string(b))
		if err != nil {
			return nil, fmt.Errorf("corpus %s: %w", e.Name(), err)
		}
		out = append(out, c)
	}
	return out, nil
}

// parseCase reads "key: value" header lines, the separator, and the paste
// (without the file's final newline).
func parseCase(name, file string) (Case, error) {
	head, text, ok := strings.Cut(file, separator)
	if !ok {
		return Case{}, fmt.Errorf("no %q line", strings.TrimSpace(separator))
	}
	c := Case{Name: name, Text: strings.TrimSuffix(text, "\n")}
	for _, line := range strings.Split(head, "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return Case{}, fmt.Errorf("header line %q is not key: value", line)
		}
		value = strings.TrimSpace(value)
		switch key {
		case "format":
			c.Format = value
		case "source":
			c.Sources = append(c.Sources, value)
		case "how":
			c.How = value
		case "want.request_id":
			c.Want.RequestID = value
		case "want.approval_id":
			c.Want.ApprovalID = value
		case "want.error":
			c.Want.Hints.ErrorCode = value
		case "want.description":
			c.Want.Hints.Description = value
		case "want.status":
			if value != "" {
				n, err := strconv.Atoi(value)
				if err != nil {
					return Case{}, fmt.Errorf("want.status %q: %w", value, err)
				}
				c.Want.Hints.Status = n
			}
		case "scenario":
			c.Scenario = value
		default:
			return Case{}, fmt.Errorf("unknown header key %q", key)
		}
	}
	if len(c.Sources) == 0 || c.Format == "" || c.How == "" {
		return Case{}, fmt.Errorf("a case needs a format, a how and at least one source")
	}
	return c, nil
}
