package commands_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
)

// TestLargestReplies checks that the largest scenario stays the largest
// answer it is meant to be: the diagnosis still concludes with every other
// read failed, each failed read is listed as missing evidence, and the
// trace shows all 50 rows.
func TestLargestReplies(t *testing.T) {
	replies := commandstest.LargestReplies(t, "console")

	why := replies["why"]
	assert.Contains(t, fieldValue(why, "Cause"), "resource_not_granted")
	assert.Len(t, fieldValue(why, "Request ID"), 128)

	missing := sectionTitled(replies["why-missing-evidence"], "Missing evidence")
	require.NotNil(t, missing, "every other read failed")
	assert.GreaterOrEqual(t, len(missing.Items), 10, "one line per failed read")

	trace := replies["trace"]
	var rows int
	for _, s := range trace.Sections {
		if s.Table != nil {
			rows += len(s.Table.Rows)
		}
	}
	assert.Equal(t, 50, rows)
	assert.Greater(t, len(chat.Markdown(why)), 12000, "larger than a Slack message may be")
}

func fieldValue(r chat.Reply, label string) string {
	for _, f := range r.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

func sectionTitled(r chat.Reply, title string) *chat.Section {
	for i := range r.Sections {
		if strings.EqualFold(r.Sections[i].Title, title) {
			return &r.Sections[i]
		}
	}
	return nil
}
