package caracal

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/caracal-bot/caracal-bot/egress"
)

// call describes one GET: the service, the escaped route path (no query), the
// query, the bearer to send ("" sends none) and, for routes whose answers
// are always small, a lower cap on the body than the client's.
type call struct {
	svc   Service
	path  string
	query url.Values
	token string
	limit int
}

// callKey carries the call description to the retry callbacks through the
// request context (resty hands them only the response).
type callKey struct{}

func callFrom(ctx context.Context) (call, bool) {
	cl, ok := ctx.Value(callKey{}).(call)
	return cl, ok
}

// send performs cl on rc. It returns the response when the server answered
// (whatever the status), a *TransportError when it did not, and the
// ErrNotConfigured error of an unusable base URL without sending anything. A
// response body over the size cap is reported with the response and
// errBodyTooLarge, one cut by the read budget with a *ReadBudgetError.
func (c *Client) send(ctx context.Context, rc *resty.Client, cl call) (*resty.Response, error) {
	ctx = ctxOrBackground(ctx)
	b, err := c.base(cl.svc)
	if err != nil {
		return nil, err
	}
	target := b.url + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	req := rc.R().SetContext(context.WithValue(ctx, callKey{}, cl))
	if cl.token != "" {
		req.SetHeader("Authorization", "Bearer "+cl.token)
	}
	if cl.limit > 0 {
		req.SetResponseBodyLimit(cl.limit)
	}
	start := time.Now()
	resp, err := req.Get(target) // the only request this package ever issues

	attempts := 0
	if resp != nil && resp.Request != nil {
		attempts = resp.Request.Attempt
	}
	answered := resp != nil && resp.RawResponse != nil
	var overBudget *ReadBudgetError
	switch {
	case err == nil || !answered:
	case errors.Is(err, errRetryBudget):
		err = nil // another attempt would overrun the deadline: keep the last answer
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		err = errBodyTooLarge
	case errors.As(err, &overBudget):
		err = &ReadBudgetError{Service: cl.svc, Path: cl.path, Budget: overBudget.Budget}
	case ctx.Err() != nil && !isSuccess(resp.StatusCode()):
		err = nil // cancelled while waiting to retry: report the last answer
	default:
		answered = false // the body could not be read: a transport failure
	}
	c.observe(ctx, cl.svc, resp, answered)

	attrs := []slog.Attr{
		slog.String("service", string(cl.svc)),
		slog.String("method", http.MethodGet),
		slog.String("path", cl.path),
		slog.Int("attempts", attempts),
		slog.Duration("elapsed", time.Since(start)),
	}
	if answered {
		attrs = append(attrs, slog.Int("status", resp.StatusCode()))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "caracal call", attrs...)

	if err != nil && !answered {
		if r, ok := egress.AsRedirect(err); ok {
			err = r // its URLs carry no credentials; the *url.Error's may carry a query
		}
		return nil, &TransportError{Service: cl.svc, Method: http.MethodGet, Path: cl.path, Timeout: isTimeout(err), Err: err}
	}
	return resp, err
}

// errBodyTooLarge reports a response body over the size cap.
var errBodyTooLarge = errors.New("response body exceeds the size limit")

// fetch performs cl and returns the body of a 2xx answer. Any other status
// becomes an *Error; an oversized 2xx body a *DecodeError. Past the read
// budget it sends nothing, and a body it cut short is a *ReadBudgetError
// whatever the status.
func (c *Client) fetch(ctx context.Context, cl call) ([]byte, error) {
	if b := budgetOf(ctxOrBackground(ctx)); b != nil && b.spent() {
		return nil, &ReadBudgetError{Service: cl.svc, Path: cl.path, Budget: b.limit}
	}
	resp, err := c.send(ctx, c.rest, cl)
	var overBudget *ReadBudgetError
	if resp == nil || errors.As(err, &overBudget) {
		return nil, err
	}
	status := resp.StatusCode()
	if !isSuccess(status) {
		return nil, newError(cl, status, resp.Header(), resp.Body())
	}
	if err != nil {
		return nil, &DecodeError{Service: cl.svc, Path: cl.path, Err: err}
	}
	return resp.Body(), nil
}

// isSuccess reports whether status is 2xx.
func isSuccess(status int) bool { return status >= 200 && status <= 299 }

// isTimeout reports whether err is a deadline or a network timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
