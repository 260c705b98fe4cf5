package caracaltest

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// fixtureFS holds the Caracal wire-format fixtures (the shared contract's
// fixtures/ directory) that the simulator starts its world from.
//
//go:embed fixtures/*.json
var fixtureFS embed.FS

// Fixture returns the raw bytes of a fixture file by name, e.g. "explain-allow.json".
func Fixture(name string) ([]byte, error) {
	return fixtureFS.ReadFile("fixtures/" + name)
}

// FixtureNames lists the embedded fixture file names, sorted.
func FixtureNames() []string {
	entries, _ := fs.ReadDir(fixtureFS, "fixtures")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
