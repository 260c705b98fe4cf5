package caracaltest

import (
	"net/http"
	"testing"
)

func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		New()
	}
}

func BenchmarkUseScenario(b *testing.B) {
	sim := New()
	for i := 0; i < b.N; i++ {
		if err := sim.UseScenario("revoked-policy-not-propagated"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplain measures one explain read over loopback.
func BenchmarkExplain(b *testing.B) {
	benchmarkGET(b, zonePath(ZoneResearch, "/audit/by-request/01a028ea-d354-7443-96e4-46e5643d943c/explain"))
}

// BenchmarkAuditPage measures a default audit list page.
func BenchmarkAuditPage(b *testing.B) {
	benchmarkGET(b, zonePath(ZoneResearch, "/audit"))
}

// benchmarkGET measures one authorized GET of an Admin API path.
func benchmarkGET(b *testing.B, path string) {
	srv := Start(b)
	url := srv.APIURL + path
	client := &http.Client{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+DefaultAdminToken)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
