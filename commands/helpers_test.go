package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// fixedNow is the simulator's reference clock, so "last 24 h" windows and
// rendered output are stable.
func fixedNow() time.Time { return caracaltest.ReferenceTime() }

// newSim starts the Caracal simulator on five loopback servers.
func newSim(t *testing.T, opts ...caracaltest.Option) *caracaltest.Server {
	t.Helper()
	opts = append([]caracaltest.Option{caracaltest.WithClock(fixedNow)}, opts...)
	return caracaltest.Start(t, opts...)
}

func run(t *testing.T, reg *commands.Registry, command, text string) (commands.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return reg.Run(ctx, chat.Invocation{Platform: "console", Command: command, Text: text})
}
