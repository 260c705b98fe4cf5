package diagnose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func entriesOf(doc string) []dataEntry {
	var out []dataEntry
	scanDataDocument(doc, func(e dataEntry) { out = append(out, e) })
	return out
}

func TestScanDataDocument(t *testing.T) {
	doc := `# caracal:data-document
package caracal.authz

import rego.v1

app_ids := {
  "research-agent": "019f1cec-d624-7587-8bd5-a83712268d1c", # the agent
  # "commented": "not-read",
  "quoted \"name\"": "id-2",
}

grants := {
  "resource://pipernet": {
    "application": "research-agent",
    "roles": {
      "reader": ["pipernet:read"],
      "writer": [
        "pipernet:read", # reads too
        "pipernet:write",
      ],
      "none": [],
    },
  },
}

risk := [
  {"scope": "pipernet:refund", "tier": "high"},
]
mixed := {"ports": ["a", 2]}
raw := ` + "`\"raw\": \"not-read\"`" + `
`
	assert.Equal(t, []dataEntry{
		{Key: "research-agent", Value: "019f1cec-d624-7587-8bd5-a83712268d1c"},
		{Key: `quoted "name"`, Value: "id-2"},
		{Key: "application", Value: "research-agent"},
		{Key: "reader", List: []string{"pipernet:read"}, IsList: true},
		{Key: "writer", List: []string{"pipernet:read", "pipernet:write"}, IsList: true},
		{Key: "none", List: []string{}, IsList: true},
		{Key: "scope", Value: "pipernet:refund"},
		{Key: "tier", Value: "high"},
	}, entriesOf(doc))
}

func TestScanDataDocument_Unfinished(t *testing.T) {
	for _, doc := range []string{`"a`, `"a": "b`, `"a": ["b", `, `"a":`, `"a": [1`, "\"a\": \"b\nc\"", `"a\`, "`open"} {
		assert.NotPanics(t, func() { entriesOf(doc) }, doc)
	}
	assert.Empty(t, entriesOf(`"a": "b`))
	assert.Equal(t, []dataEntry{{Key: "c", Value: "d"}}, entriesOf(`"a": ["b", {"c": "d"}]`), "a list of objects is not a list of strings; its entries are read")
}

func TestRolesGranting_LargeDocument(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("grants := {\n")
	for i := range 2000 {
		doc.WriteString(`  "resource://bulk-` + strings.Repeat("x", i%7) + `": {"roles": {"reader": ["bulk:read"]}},` + "\n")
	}
	doc.WriteString(`  "resource://pipernet": {"roles": {"refunder": ["pipernet:read", "pipernet:refund"]}},` + "\n}\n")
	ev := &Evidence{PolicyDocuments: []caracal.PolicyVersion{{Content: doc.String()}}}
	assert.Equal(t, []string{"refunder"}, rolesGranting(ev, []string{"pipernet:refund"}))
	assert.Equal(t, []string{"reader"}, rolesGranting(ev, []string{"bulk:read"}))
}

func FuzzScanDataDocument(f *testing.F) {
	f.Add(`app_ids := {"a": "b"}`)
	f.Add(`"r": ["x", "y",] # c`)
	f.Add("\"k\\\"\": \"v\\n\"")
	f.Fuzz(func(t *testing.T, doc string) {
		scanDataDocument(doc, func(e dataEntry) {
			if e.IsList && e.Value != "" {
				t.Fatalf("a list entry has a string value: %+v", e)
			}
			if len(e.Key) > len(doc) {
				t.Fatalf("key longer than the document")
			}
		})
	})
}
