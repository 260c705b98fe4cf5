package commands_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/console"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// loopbackPort hides the simulator's random ports so renderings are stable.
var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = loopbackPort.ReplaceAll(got, []byte("127.0.0.1:PORT"))
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./commands -update")
	require.Equal(t, string(want), string(got), "rendering of %s changed; run go test ./commands -update if intended", name)
}

// TestDiagnosisRenderings pins the text, markdown and JSON renderings of a
// deny, an allow and an outage diagnosis.
func TestDiagnosisRenderings(t *testing.T) {
	for _, name := range []string{"deny-no-grant", "allowed", "sts-redis-down"} {
		t.Run(name, func(t *testing.T) {
			sc, ok := caracaltest.ScenarioByName(name)
			require.True(t, ok)
			srv := newSim(t, caracaltest.WithScenario(sc.ID))
			res, err := run(t, newRegistry(srv, caracaltest.DefaultAdminToken), "why", sc.WhyArgs())
			require.NoError(t, err)

			var text bytes.Buffer
			require.NoError(t, console.Render(&text, res.Reply, console.Options{Width: 100}))
			golden(t, "why-"+name+".txt.golden", text.Bytes())
			golden(t, "why-"+name+".md.golden", []byte(chat.Markdown(res.Reply)))
			js, err := json.MarshalIndent(res.Data, "", "  ")
			require.NoError(t, err)
			golden(t, "why-"+name+".json.golden", append(js, '\n'))
		})
	}
}
