package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// FuzzCommandText feeds arbitrary chat text through the command line parser
// and every command. The client has no URLs, so nothing leaves the process:
// what is exercised is argument parsing, validation and error replies.
func FuzzCommandText(f *testing.F) {
	for _, seed := range []string{
		"/caracal why 01a028ea-d354-7443-96e4-46e5643d943c --zone z --status 403",
		`why {"error":"access_denied","error_description":"policy denied","requestId":"abc"} --status 403`,
		"audit --since 7d --limit 1000 --decision deny",
		"doctor --all-zones --strict", "trace x --zone", "why --symptom", "help why", "wyh abc",
		"why abc --status=99", "audit --since=-1h", "why -- --zone", "@caracal-bot status",
		"why the job fails\n---\n```\n$ curl -v --header 'X-Request-Id: a b' http://gw\n> X-Request-Id: a b\n< X-Request-Id: r1\n```\n--status 401",
		"why `--zone z` Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    raise mapped(d, request_id=request_id)\ncaracalai_oauth.errors.ApprovalRequired: human approval required (approval a1)",
	} {
		f.Add(seed)
	}
	reg := commands.New(commands.Env{Caracal: caracal.New(caracal.Config{}), DefaultZone: "z", Timeout: time.Second})
	f.Fuzz(func(t *testing.T, line string) {
		inv, err := chat.ParseCommandLine(line)
		if err != nil {
			return
		}
		reply := reg.Handle(context.Background(), inv)
		if reply.Summary == "" {
			t.Fatalf("empty reply for %q", line)
		}
		if reply.Ephemeral && strings.Contains(reply.Summary, "\n") {
			t.Fatalf("error reply is not one line for %q: %q", line, reply.Summary)
		}
	})
}
