package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

func TestZZExplore(t *testing.T) {
	for _, sc := range caracaltest.Scenarios() {
		srv := startSim(t, caracaltest.WithScenario(sc.Name))
		env := simEnv(srv)
		for _, args := range [][]string{{"doctor", "--format", "json"}, {"doctor", "--all-zones", "--format", "json"}} {
			res := runCLI(t, env, args...)
			var rep struct {
				Ready   bool
				Summary struct{ OK, Warn, Fail int }
				Checks  []struct{ Name, Status, Detail string }
			}
			_ = json.Unmarshal([]byte(res.out), &rep)
			var bad []string
			for _, c := range rep.Checks {
				if c.Status != "ok" {
					bad = append(bad, c.Name+"="+c.Status+":"+c.Detail)
				}
			}
			st := runCLI(t, env, "status")
			fmt.Printf("%-36s %v code=%d status=%d %+v %v\n", sc.Name, args[1], res.code, st.code, rep.Summary, bad)
		}
		d := runCLI(t, env, append(whyArgs(sc), "--format", "json")...)
		var m map[string]json.RawMessage
		_ = json.Unmarshal([]byte(d.out), &m)
		fmt.Printf("   why code=%d missing=%s evidence_null=%v\n", d.code, m["missing_evidence"], string(m["evidence"]) == "null")
	}
	srv := startSim(t)
	srv.Inject("api GET /v1/zones/*/audit/by-request/*/explain", caracaltest.Fault{Latency: 3 * time.Second})
	cfg := writeFile(t, "bot.yaml", "caracal:\n  call_timeout: 200ms\n  diagnosis_timeout: 1s\n")
	res := runCLI(t, simEnv(srv), "why", denyID, "--format", "json", "--config", cfg)
	fmt.Println(res)
}
