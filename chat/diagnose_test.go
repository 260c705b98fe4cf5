package chat

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiagnoseMessage: a message diagnosed runs what `/caracal why
// <message>` would, whatever the message holds.
func TestDiagnoseMessage(t *testing.T) {
	for _, text := range []string{
		`{"error":"access_denied","requestId":"r1"}`,
		"  caracal: 403 access_denied (request_id=r1)\n",
		"/caracal status",
		"@caracal-bot help",
		"why r1 --zone z",
		"line1\nline2\n```\n> X-Request-Id: r1\n```",
		"",
	} {
		want, err := ParseCommandLine("/caracal why " + text)
		require.NoError(t, err)
		assert.Equal(t, want, DiagnoseMessage(text), "%q", text)
	}
}
