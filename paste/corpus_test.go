package paste

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/paste/pastetest"
)

// TestParse_Corpus reads every paste of the corpus of real Caracal error
// output (testdata/corpus: tracebacks, inspected errors, Go error chains,
// curl transcripts, log lines, CLI output, Slack-wrapped text) and checks
// exactly what it yields: the request ID, the approval ID and the hints.
func TestParse_Corpus(t *testing.T) {
	cases, err := pastetest.Corpus()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(cases), 60, "the corpus holds at least 60 real cases")
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, s := range c.Sources {
				assert.Regexp(t, `^(packages|services|apps)/`, s, "a source is a file of Caracal's tree")
			}
			got, err := Parse(c.Text)
			require.NoError(t, err)
			assert.Equal(t, c.Want, got, "%s (%s)", c.Format, strings.Join(c.Sources, ", "))
		})
	}
}
