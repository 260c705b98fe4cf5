package tickets_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

const (
	jiraEmail   = "oncall@example.com"
	jiraToken   = "jira-token-Zq8v3NfKp1"
	githubToken = "ghp_fakeTokenForTests0123456789"
	githubRepo  = "acme/incidents"
	hookSecret  = "whsec-planted-9f8e7d"
)

// sleeps records the waits of a RetryPolicy without waiting.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fastClient returns client options whose retries do not wait.
func fastClient(s *sleeps) tickets.ClientOptions {
	if s == nil {
		s = &sleeps{}
	}
	return tickets.ClientOptions{Retry: tickets.RetryPolicy{BaseWait: time.Millisecond, Sleep: s.sleep}}
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sampleBody is a small summary: a heading, a paragraph, two bullets (a
// bold label, a link) and a numbered item with a code span.
func sampleBody() tickets.Doc {
	var d tickets.Doc
	d.Heading(2, tickets.Text("Verdict"))
	d.Paragraph(tickets.Text("The policy denied the mint."))
	d.Bullet(tickets.Strong("Surface:"), tickets.Text(" sts_policy"))
	d.Bullet(tickets.Text("see "), tickets.Link("docs", "https://docs.caracal.run/x"))
	d.Numbered(1, tickets.Code("runtime healthy"), tickets.Text(" pass"))
	return d
}

// note is a one-paragraph Doc.
func note(text string) tickets.Doc {
	var d tickets.Doc
	d.Paragraph(tickets.Text(text))
	return d
}

func sampleTicket() tickets.Ticket {
	return tickets.Ticket{
		Key:    tickets.Key("zone-a", "req-1", tickets.RulesetVersion),
		Title:  "sts_policy/no_matching_grant: the policy denied the mint (request req-1)",
		Body:   sampleBody(),
		Labels: []string{"caracal-bot", "sts policy"},
		Attachment: &tickets.Attachment{Name: "caracal-bundle-req-1.zip", ContentType: "application/zip",
			Data: []byte("PK\x03\x04 fake zip")},
	}
}
