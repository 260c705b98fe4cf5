package main

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
)

const (
	cliJiraEmail = "oncall@acme.example"
	cliJiraToken = "jira-cli-token-5Rt"
)

// ticketEnv configures the CLI against the simulator and a Jira fake,
// with a spool of its own and, when stateDir is not "", a state_dir.
func ticketEnv(t *testing.T, jira *ticketstest.Server, stateDir string) map[string]string {
	t.Helper()
	return with(simEnv(startSim(t)), "JIRA_URL", jira.URL, "JIRA_EMAIL", cliJiraEmail, "JIRA_API_TOKEN", cliJiraToken,
		"JIRA_PROJECT", "OPS", "TICKET_SPOOL_DIR", t.TempDir(), "BOT_STATE_DIR", stateDir)
}

func ticketJSON(t *testing.T, res cliResult) commands.TicketData {
	t.Helper()
	var d commands.TicketData
	require.NoError(t, json.Unmarshal([]byte(res.out), &d), "%s", res)
	return d
}

// TestTicketTwoCLIRunsFileOneIssue runs `caracal-bot ticket <id> --to jira`
// twice: without a state_dir (nothing is remembered between the runs, Jira's
// lookup finds the issue) and with one (the file store remembers it).
func TestTicketTwoCLIRunsFileOneIssue(t *testing.T) {
	t.Parallel()
	for name, withStateDir := range map[string]bool{"lookup only": false, "state_dir": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			jira := ticketstest.StartJira(t, cliJiraEmail, cliJiraToken)
			stateDir := ""
			if withStateDir {
				stateDir = t.TempDir()
			}
			env := ticketEnv(t, jira, stateDir)

			first := runCLI(t, env, "ticket", denyID, "--to", "jira", "--format", "json")
			require.Equal(t, 0, first.code, "%s", first)
			d1 := ticketJSON(t, first)
			assert.True(t, d1.Created)

			second := runCLI(t, env, "ticket", denyID, "--to", "jira", "--format", "json")
			require.Equal(t, 0, second.code, "%s", second)
			d2 := ticketJSON(t, second)
			assert.False(t, d2.Created)
			assert.False(t, d2.Commented, "same diagnosis: no comment")
			require.NotNil(t, d2.Ticket)
			assert.Equal(t, d1.Ticket, d2.Ticket)

			text := runCLI(t, env, "ticket", denyID, "--to", "jira")
			require.Equal(t, 0, text.code, "%s", text)
			assert.Contains(t, text.out, "Ticket OPS-1 already exists for request "+denyID+" (same diagnosis)")

			issues := jira.Issues()
			require.Len(t, issues, 1, "one issue for three runs")
			assert.Empty(t, issues[0].Comments)
			assert.Equal(t, 1, jira.Attempts("/rest/api/2/issue"), "one create")
		})
	}
}

// TestTicketConcurrentCLIRunsFileOneIssue starts two runs at once over one
// state_dir: the lock file lets one file the issue while the other waits
// for it.
func TestTicketConcurrentCLIRunsFileOneIssue(t *testing.T) {
	t.Parallel()
	jira := ticketstest.StartJira(t, cliJiraEmail, cliJiraToken)
	env := ticketEnv(t, jira, t.TempDir())
	arrived, release := jira.Hold()

	results := make([]cliResult, 2)
	var wg sync.WaitGroup
	wg.Go(func() { results[0] = runCLI(t, env, "ticket", denyID, "--to", "jira", "--format", "json") })
	<-arrived // the first run is creating the issue
	wg.Go(func() { results[1] = runCLI(t, env, "ticket", denyID, "--to", "jira", "--format", "json") })
	time.Sleep(500 * time.Millisecond) // let the second build its bundle and find the key locked
	release()
	wg.Wait()

	require.Len(t, jira.Issues(), 1)
	created := 0
	for _, res := range results {
		d := ticketJSON(t, res)
		if d.Created {
			created++
		}
		assert.True(t, d.Created || d.Pending || d.Ticket != nil, "%s", res)
	}
	assert.Equal(t, 1, created)
}
