package caracal

import (
	"context"
	"errors"
)

// Ready probes svc's GET /ready (API.md §3.2). Any 2xx is ready, whatever the
// body (Audit answers {"ready": true} without an ok key); any other status is
// not ready, including the 500 internal_error the API and Coordinator give
// during a Redis outage (§0). Probes are never retried: one call, one measure.
func (c *Client) Ready(ctx context.Context, svc Service) Probe {
	return c.probeOnce(ctx, svc, "/ready")
}

// Health probes svc's GET /health (API.md §3.1). Any 2xx is alive, including
// the empty bodies of STS, Gateway and Audit.
func (c *Client) Health(ctx context.Context, svc Service) Probe {
	return c.probeOnce(ctx, svc, "/health")
}

// probeOnce performs one unauthenticated GET of path on svc and reports it.
func (c *Client) probeOnce(ctx context.Context, svc Service, path string) Probe {
	p := Probe{Service: svc}
	b, err := c.base(svc)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	p.URL = b.display + path
	resp, err := c.send(ctx, c.probe, call{svc: svc, path: path})
	if resp == nil {
		if err != nil {
			p.Error = err.Error()
			var te *TransportError
			p.Timeout = errors.As(err, &te) && te.Timeout
		}
		return p
	}
	p.Reachable = true
	p.Status = resp.StatusCode()
	p.OK = isSuccess(p.Status)
	p.Date = resp.Header().Get("Date")
	body := resp.Body() // nil when it exceeded the cap
	p.Body = jsonObject(body)
	if !p.OK {
		p.Reason = probeReason(body)
	}
	return p
}
