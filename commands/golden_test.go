package commands_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/internal/golden"
)

// TestDiagnosisRenderings pins the text, markdown and JSON renderings of a
// deny, an allow and an outage diagnosis.
func TestDiagnosisRenderings(t *testing.T) {
	for _, name := range []string{"deny-no-grant", "allowed", "sts-redis-down"} {
		t.Run(name, func(t *testing.T) {
			sc, ok := caracaltest.ScenarioByName(name)
			require.True(t, ok)
			srv := newSim(t, caracaltest.WithScenario(sc.ID))
			res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "why", sc.WhyArgs())
			require.NoError(t, err)

			var text bytes.Buffer
			require.NoError(t, console.Render(&text, res.Reply, console.Options{Width: 100}))
			golden.Check(t, "why-"+name+".txt.golden", text.Bytes())
			golden.Check(t, "why-"+name+".md.golden", []byte(chat.Markdown(res.Reply)))
			js, err := json.MarshalIndent(res.Data, "", "  ")
			require.NoError(t, err)
			golden.Check(t, "why-"+name+".json.golden", append(js, '\n'))
		})
	}
}

// TestDoctorRenderings pins the Doctor's text and JSON renderings: on a
// healthy stack with the recommended credential (a zone-scoped token),
// --strict passes; during a Redis outage whose reads hang, what could not
// be read is missing evidence, not a failed check.
func TestDoctorRenderings(t *testing.T) {
	tests := []struct {
		name string
		opts []caracaltest.Option
		args string
		ok   bool
	}{
		{"strict-zone-token", []caracaltest.Option{caracaltest.WithZoneScopedToken(caracaltest.ZoneResearch)}, "--strict", true},
		{"redis-outage-hang", []caracaltest.Option{caracaltest.WithScenario("redis-outage-hang")}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSim(t, tc.opts...)
			res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "doctor", tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.ok, res.OK)

			var text bytes.Buffer
			require.NoError(t, console.Render(&text, res.Reply, console.Options{Width: 100}))
			golden.Check(t, "doctor/"+tc.name+".txt.golden", text.Bytes())
			js, err := json.MarshalIndent(res.Data, "", "  ")
			require.NoError(t, err)
			golden.Check(t, "doctor/"+tc.name+".json.golden", append(js, '\n'))
		})
	}
}

// TestDigestRendering pins the digest of the base world: each application
// is one row of the denials by application and resource, named by its
// name, also when some of its rows carry only its id (replay_detected).
func TestDigestRendering(t *testing.T) {
	srv := newSim(t)
	res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "digest", "--since 24h")
	require.NoError(t, err)
	var text bytes.Buffer
	require.NoError(t, console.Render(&text, res.Reply, console.Options{Width: 100}))
	golden.Check(t, "digest/research-24h.txt.golden", text.Bytes())
	js, err := json.MarshalIndent(res.Data, "", "  ")
	require.NoError(t, err)
	golden.Check(t, "digest/research-24h.json.golden", append(js, '\n'))
}

// TestTraceRenderings pins trace's text and markdown: a request the Gateway
// could not forward (502 upstream) shows no success mark, although its
// final decision is allow; an allowed call does.
func TestTraceRenderings(t *testing.T) {
	for _, name := range []string{"upstream-failed", "allowed"} {
		t.Run(name, func(t *testing.T) {
			sc, ok := caracaltest.ScenarioByName(name)
			require.True(t, ok)
			srv := newSim(t, caracaltest.WithScenario(sc.ID))
			res, err := run(t, commandstest.Registry(srv, caracaltest.DefaultAdminToken), "trace", sc.ID+" --zone "+sc.Zone)
			require.NoError(t, err)
			var text bytes.Buffer
			require.NoError(t, console.Render(&text, res.Reply, console.Options{Width: 120}))
			golden.Check(t, "trace/"+name+".txt.golden", text.Bytes())
			golden.Check(t, "trace/"+name+".md.golden", []byte(chat.Markdown(res.Reply)))
		})
	}
}
