package caracal

import (
	"context"

	"github.com/go-resty/resty/v2"
)

// CallOutcome is how a call to Caracal ended, as Config.OnCall hears it.
type CallOutcome string

// The outcomes of a call, after its retries.
const (
	// CallOK is a 2xx answer.
	CallOK CallOutcome = "ok"
	// CallError is an answer with any other status.
	CallError CallOutcome = "error"
	// CallUnreachable is no answer: the connection was refused or reset, the
	// attempt timed out, or a redirect to another origin was refused.
	CallUnreachable CallOutcome = "unreachable"
)

// CallOutcomes lists every CallOutcome.
func CallOutcomes() []CallOutcome { return []CallOutcome{CallOK, CallError, CallUnreachable} }

// observe tells Config.OnCall how a call to svc ended. A call with no
// answer whose caller's context had ended is not told: the caller gave up,
// Caracal did not fail.
func (c *Client) observe(ctx context.Context, svc Service, resp *resty.Response, answered bool) {
	switch {
	case c.onCall == nil:
	case answered && isSuccess(resp.StatusCode()):
		c.onCall(svc, CallOK)
	case answered:
		c.onCall(svc, CallError)
	case ctx.Err() == nil:
		c.onCall(svc, CallUnreachable)
	}
}
