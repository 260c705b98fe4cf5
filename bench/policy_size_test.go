package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// BenchmarkWhyPolicySize diagnoses a role_scope_mismatch, whose verdict
// reads the zone's policy data document for the roles that would grant the
// scopes asked, with the document grown to n grants (each about 270
// bytes, 10,000 of them 2.7 MB). Metrics as in BenchmarkWhyParallel, and
// "MB/doc", the size of the document read.
func BenchmarkWhyPolicySize(b *testing.B) {
	for _, n := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("grants=%d", n), func(b *testing.B) {
			sc, ok := caracaltest.ScenarioByName("deny-role-scope-mismatch")
			if !ok {
				b.Fatal("no scenario deny-role-scope-mismatch")
			}
			srv := caracaltest.Start(b, caracaltest.WithScenario(sc.ID), caracaltest.WithLatency(latency))
			size := growGrants(srv, n)
			timeWhy(b, srv, newClient(srv), diagnose.Query{RequestID: sc.ID}, sc.Cause)
			b.ReportMetric(float64(size)/1e6, "MB/doc")
		})
	}
}

// growGrants adds n grants, each binding one application to a resource
// with three roles, to the newest version of every policy data document of
// the Research zone (the one the active policy set loads; older versions
// keep their size), and returns the size of the largest document.
func growGrants(srv *caracaltest.Server, n int) int {
	w := srv.World()
	z := w.ZoneByID(caracaltest.ZoneResearch)
	var extra strings.Builder
	for i := range n {
		fmt.Fprintf(&extra, "  \"resource://bulk-%05d\": {\n    \"application\": \"bulk-agent-%05d\",\n    \"roles\": {\n"+
			"      \"reader\": [\"bulk-%05d:read\"],\n      \"writer\": [\"bulk-%05d:read\", \"bulk-%05d:write\"],\n"+
			"      \"admin\": [\"bulk-%05d:read\", \"bulk-%05d:write\", \"bulk-%05d:admin\"],\n    },\n  },\n", i, i, i, i, i, i, i, i)
	}
	largest := 0
	for _, p := range z.Policies {
		if len(p.Versions) == 0 {
			continue
		}
		v := p.Versions[0]
		if i := strings.Index(v.Content, "grants := {\n"); i >= 0 {
			i += len("grants := {\n")
			v.Content = v.Content[:i] + extra.String() + v.Content[i:]
		}
		largest = max(largest, len(v.Content))
	}
	srv.SetWorld(w)
	return largest
}
