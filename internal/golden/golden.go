// Package golden compares a test's output with a file under testdata/,
// or rewrites the file when the tests run with -update.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// loopbackAddr matches the random ports of local test servers.
var loopbackAddr = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// Check compares got with testdata/name, with loopback ports masked as
// 127.0.0.1:PORT so that renderings are stable; under -update it writes
// the file instead.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	got = loopbackAddr.ReplaceAll(got, []byte("127.0.0.1:PORT"))
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file %s; run the package's tests with -update to create it", path)
	assert.Equal(t, string(want), string(got), "%s changed; run the package's tests with -update if that is intended", path)
}

// Section compares got with the lines of the file at path between the line
// begin and the line end (a generated part of a document); under -update it
// rewrites those lines instead.
func Section(t testing.TB, path, begin, end string, got []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	doc := string(raw)
	i := strings.Index(doc, begin+"\n")
	j := strings.Index(doc, "\n"+end)
	require.True(t, i >= 0 && j > i, "%s has no section between %q and %q", path, begin, end)
	i += len(begin) + 1
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(doc[:i]+string(got)+doc[j+1:]), 0o644))
		return
	}
	assert.Equal(t, doc[i:j+1], string(got), "the section of %s between %q and %q changed; run the package's tests with -update if that is intended", path, begin, end)
}
