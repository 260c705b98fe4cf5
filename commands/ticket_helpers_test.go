package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// plantedToken is a Slack bot token planted in Caracal data (a policy set's
// name): it shows in the diagnosis's steps and in the bundle's evidence, and
// must never reach a ticket system.
const plantedToken = "xoxb-2222222222-3333333333-PlantedTokenValue0123"

// denyNoGrant is the scenario the ticket tests diagnose.
func denyNoGrant(t *testing.T) caracaltest.Scenario {
	t.Helper()
	sc, ok := caracaltest.ScenarioByName("deny-no-grant")
	require.True(t, ok)
	return sc
}

// plantingSource wraps the Caracal client: it renames the policy sets
// (planting a token), and Suffix changes the name again so the diagnosis
// changes between two clicks.
type plantingSource struct {
	collect.Source
	mu     sync.Mutex
	suffix string
}

func (p *plantingSource) setSuffix(s string) { p.mu.Lock(); p.suffix = s; p.mu.Unlock() }

func (p *plantingSource) PolicySets(ctx context.Context, zoneID string) ([]caracal.PolicySet, error) {
	sets, err := p.Source.PolicySets(ctx, zoneID)
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range sets {
		sets[i].Name = sets[i].Name + " " + plantedToken + p.suffix
	}
	return sets, err
}

// ticketEnv starts the simulator on the scenario and returns a registry
// whose tickets go to svc, and the planting source.
func ticketEnv(t *testing.T, sc caracaltest.Scenario, svc *tickets.Service) (*commands.Registry, *plantingSource) {
	t.Helper()
	var src *plantingSource
	reg := ticketEnvReading(t, sc, svc, func(c collect.Source) collect.Source {
		src = &plantingSource{Source: c}
		return src
	})
	return reg, src
}

// ticketEnvReading is ticketEnv with Caracal read through wrap.
func ticketEnvReading(t *testing.T, sc caracaltest.Scenario, svc *tickets.Service, wrap func(collect.Source) collect.Source) *commands.Registry {
	t.Helper()
	srv := newSim(t, caracaltest.WithScenario(sc.ID))
	client := caracal.New(caracal.Config{
		APIURL: srv.APIURL, STSURL: srv.STSURL, GatewayURL: srv.GatewayURL, AuditURL: srv.AuditURL, CoordinatorURL: srv.CoordinatorURL,
		AdminToken: caracaltest.DefaultAdminToken, CoordinatorToken: caracaltest.DefaultCoordinatorToken,
		CallTimeout: 2 * time.Second, MaxRetryWait: 50 * time.Millisecond,
	})
	return commands.New(commands.Env{
		Caracal: wrap(client), DefaultZone: caracaltest.ZoneResearch, DocsBase: "https://docs.caracal.run",
		Timeout: 5 * time.Second, CallTimeout: 2 * time.Second, Now: fixedNow, Tickets: svc,
	})
}

// newTicketService serves one Ticketer with a spool in a temporary directory.
func newTicketService(t *testing.T, tk tickets.Ticketer) *tickets.Service {
	t.Helper()
	svc, err := tickets.NewService([]tickets.Ticketer{tk}, tk.Name(), t.TempDir(), tickets.Options{LockWait: 5 * time.Second, PollEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	return svc
}

// noWait makes ticket-system retries instant.
func noWait() tickets.ClientOptions {
	return tickets.ClientOptions{Retry: tickets.RetryPolicy{BaseWait: time.Millisecond,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}}
}

// click runs `ticket` as the Slack button would.
func click(t *testing.T, reg *commands.Registry, text string) (commands.Result, error) {
	t.Helper()
	return clickWithin(t, reg, text, 20*time.Second)
}

// clickWithin is click with its own time: scrubbing very large tickets
// under the race detector on a busy machine takes a while.
func clickWithin(t *testing.T, reg *commands.Registry, text string, d time.Duration) (commands.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return reg.Run(ctx, chat.Invocation{Platform: "slack", Command: "ticket", Text: text, UserID: "U0LEAD", UserName: "lead", ChannelID: "C1"})
}

// ticketData returns a result's TicketData.
func ticketData(t *testing.T, res commands.Result) commands.TicketData {
	t.Helper()
	d, ok := res.Data.(commands.TicketData)
	require.True(t, ok, "Data is %T", res.Data)
	return d
}

// itemURLs lists the URLs of a reply's items.
func itemURLs(r chat.Reply) []string {
	var out []string
	for _, s := range r.Sections {
		for _, it := range s.Items {
			if it.URL != "" {
				out = append(out, it.URL)
			}
		}
	}
	return out
}

func buttonText(sc caracaltest.Scenario) string {
	return strings.Join([]string{sc.ID, "--zone", sc.Zone}, " ")
}
