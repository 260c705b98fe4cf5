package caracal

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// DefaultReadBudget is the read budget of a command that sets none: 32 MiB.
const DefaultReadBudget = 32 << 20

// ReadBudgetError means a call was not sent, or its response body not read
// to the end, because the read budget of its context (WithReadBudget) was
// used up by earlier or concurrent reads.
type ReadBudgetError struct {
	Service Service
	Path    string
	// Budget is the whole budget, in bytes.
	Budget int64
}

func (e *ReadBudgetError) Error() string {
	return fmt.Sprintf("%s GET %s: %s", e.Service, e.Path, e.Reason())
}

// Reason says in a few words, for missing evidence, why the call has no answer.
func (e *ReadBudgetError) Reason() string {
	size := fmt.Sprintf("%d bytes", e.Budget)
	if e.Budget%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", e.Budget>>20)
	}
	return "not read: this command's read budget of " + size + " was used up"
}

// budgetKey carries a *readBudget in a context.
type budgetKey struct{}

// WithReadBudget returns a context under which every call of a Client, all
// together, reads at most n bytes of response bodies, on top of each
// response's own size cap. The budget is debited while bodies are read (a
// body of declared length is paid for, or refused, whole when its headers
// arrive), so concurrent calls cannot overshoot it together. Past it, a
// typed call is not sent and a body being read stops; both fail with a
// *ReadBudgetError. A probe (Ready, Health) is still sent and reports its
// status, without its body. n <= 0 sets no budget.
func WithReadBudget(ctx context.Context, n int64) context.Context {
	if n <= 0 {
		return ctx
	}
	b := &readBudget{limit: n}
	b.left.Store(n)
	return context.WithValue(ctx, budgetKey{}, b)
}

// WithoutReadBudget returns a context under which a Client's calls are free
// of the read budget of ctx: for a reader that keeps nothing of what it
// reads (the digest's stream of audit pages, counted and dropped page by
// page), bounded instead by its pace and deadline. Each response's own
// size cap still applies.
func WithoutReadBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, (*readBudget)(nil))
}

// readBudget is what is left of one budget.
type readBudget struct {
	limit int64
	left  atomic.Int64
}

// budgetOf returns ctx's budget, or nil.
func budgetOf(ctx context.Context) *readBudget {
	b, _ := ctx.Value(budgetKey{}).(*readBudget)
	return b
}

// reserve takes up to n bytes from the budget and returns how many it took.
func (b *readBudget) reserve(n int64) int64 {
	for {
		left := b.left.Load()
		take := min(left, n)
		if take <= 0 {
			return 0
		}
		if b.left.CompareAndSwap(left, left-take) {
			return take
		}
	}
}

// reserveAll takes n bytes from the budget if that many are left, else none.
func (b *readBudget) reserveAll(n int64) bool {
	for {
		left := b.left.Load()
		if left < n {
			return false
		}
		if b.left.CompareAndSwap(left, left-n) {
			return true
		}
	}
}

// refund gives back reserved bytes that were not read.
func (b *readBudget) refund(n int64) { b.left.Add(n) }

// spent reports whether nothing is left.
func (b *readBudget) spent() bool { return b.left.Load() <= 0 }

// exceeded is the error of a read past the budget.
func (b *readBudget) exceeded() *ReadBudgetError { return &ReadBudgetError{Budget: b.limit} }

// budgetTransport hands out response bodies that debit the read budget of
// their request's context, if any, while they are read.
type budgetTransport struct{ next http.RoundTripper }

// withReadBudgets wraps next (http.DefaultTransport when nil) in a budgetTransport.
func withReadBudgets(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return budgetTransport{next: next}
}

// RoundTrip wraps the body of a request under a budget. A body of known
// length is paid for at once, or refused at once when the budget cannot
// hold it, so that it does not spend budget on a read that would fail.
func (t budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	b := budgetOf(req.Context())
	if b == nil || err != nil {
		return resp, err
	}
	body := &budgetedBody{ReadCloser: resp.Body, budget: b}
	if n := resp.ContentLength; n > 0 {
		body.prepaid, body.refused = n, !b.reserveAll(n)
		if body.refused {
			body.prepaid = 0
		}
	}
	resp.Body = body
	return resp, nil
}

// budgetedBody reserves the bytes of each read before making it, and gives
// back what the read did not use: the bytes read under one budget never
// exceed it, however many bodies are read at once. It is read by one
// goroutine at a time, as every response body is.
type budgetedBody struct {
	io.ReadCloser
	budget  *readBudget
	prepaid int64 // paid for at once (the declared length) and not read yet
	refused bool  // the declared length did not fit in the budget
}

func (r *budgetedBody) Read(p []byte) (int, error) {
	switch {
	case r.refused:
		return 0, r.budget.exceeded()
	case r.prepaid > 0:
		n, err := r.ReadCloser.Read(p[:min(int64(len(p)), r.prepaid)])
		r.prepaid -= int64(n)
		return n, err
	case len(p) == 0:
		return r.ReadCloser.Read(p)
	}
	take := r.budget.reserve(int64(len(p)))
	if take == 0 {
		return r.atBudgetEnd()
	}
	n, err := r.ReadCloser.Read(p[:take])
	r.budget.refund(take - int64(n))
	return n, err
}

// Close gives back what was paid for and not read.
func (r *budgetedBody) Close() error {
	r.budget.refund(r.prepaid)
	r.prepaid = 0
	return r.ReadCloser.Close()
}

// atBudgetEnd tells a body that ends exactly where the budget does (it
// reads as complete) from one that goes on past it (it fails). The one
// byte read to tell them apart is never handed out.
func (r *budgetedBody) atBudgetEnd() (int, error) {
	var one [1]byte
	n, err := r.ReadCloser.Read(one[:])
	switch {
	case n == 0 && err != nil:
		return 0, err // io.EOF: the body is complete
	case n == 0:
		return 0, nil
	}
	return 0, r.budget.exceeded()
}
