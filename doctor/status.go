package doctor

import (
	"context"
	"sync"

	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// ServiceStatus is one row of a status report, shaped like `caracal status
// --ready --json` (API.md §4).
type ServiceStatus struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// StatusReport is the readiness of the five services.
type StatusReport struct {
	Mode     string          `json:"mode"`
	Services []ServiceStatus `json:"services"`
}

// Ready reports whether every service answered /ready with 2xx.
func (r StatusReport) Ready() bool {
	for _, s := range r.Services {
		if !s.OK {
			return false
		}
	}
	return len(r.Services) > 0
}

// Prober is the part of a Source that status needs.
type Prober interface {
	Ready(ctx context.Context, svc caracal.Service) caracal.Probe
}

// Status probes /ready of the five services in parallel.
func Status(ctx context.Context, p Prober) StatusReport {
	return statusOf(probeAll(ctx, p))
}

// statusOf reports the readiness probes of the five services.
func statusOf(probes map[caracal.Service]caracal.Probe) StatusReport {
	report := StatusReport{Mode: "ready"}
	for _, svc := range caracal.AllServices() {
		pr := probes[svc]
		report.Services = append(report.Services, ServiceStatus{Name: string(svc), URL: pr.URL, OK: pr.OK, Detail: health.ProbeDetail(pr)})
	}
	return report
}

func probeAll(ctx context.Context, p Prober) map[caracal.Service]caracal.Probe {
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := map[caracal.Service]caracal.Probe{}
	for _, svc := range caracal.AllServices() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr := p.Ready(ctx, svc)
			mu.Lock()
			out[svc] = pr
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}
