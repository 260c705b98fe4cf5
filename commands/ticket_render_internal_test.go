package commands

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/internal/golden"
	"github.com/caracal-bot/caracal-bot/redact"
)

const (
	renderGitHubToken = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	renderBearer      = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtbXVzdC1nbw"
)

func hostileDiagnosis() diagnose.Diagnosis {
	return diagnose.Diagnosis{
		RequestID: "req-1", ZoneID: "zone-a", Surface: "sts_policy", Cause: "resource_not_granted", Decision: "deny",
		Verdict: "denied for @acme/oncall with token " + renderGitHubToken + " see [click](https://evil.example)",
		Steps: []diagnose.Step{{N: 1, Name: "runtime healthy", Status: diagnose.StepPass, Detail: "ok <script>alert(1)</script>"},
			{N: 4, Name: "grant and policy", Status: diagnose.StepFail, Detail: "Authorization: " + renderBearer}},
		NextActions:     []diagnose.Action{{Text: "Rotate " + renderGitHubToken, Doc: "https://docs.caracal.run/x"}, {Text: "bad doc", Doc: "javascript:alert(1)"}},
		MissingEvidence: []diagnose.Missing{{What: "metrics", Source: "GET sts /metrics.json", Reason: "HTTP 401 with " + renderBearer}},
	}
}

func TestRenderTicketRedactsAndEscapes(t *testing.T) {
	b := &bundle.Bundle{Name: "caracal-bundle-zone-a-req-1.zip", Manifest: bundle.Manifest{RulesetVersion: "r1", Format: bundle.Format}}
	txt := renderTicket(hostileDiagnosis(), b, chat.Invocation{Platform: "slack", UserName: "lead"}, redact.New())
	md, wiki := tickets.Markdown(txt.Body), tickets.JiraWiki(txt.Body)
	for _, s := range []string{txt.Title, md, wiki, tickets.Markdown(txt.Comment), tickets.JiraWiki(txt.Comment)} {
		assert.NotContains(t, s, renderGitHubToken)
		assert.NotContains(t, s, "c2lnbmF0dXJlLXRoYXQtbXVzdC1nbw")
		assert.NotContains(t, s, "javascript:", "only http(s) docs become links")
	}
	// The whole summary, pinned per target: the bot's headings, lists,
	// labels and docs link are markup; every echoed value is escaped.
	golden.Check(t, "ticket/hostile.md.golden", []byte(md))
	golden.Check(t, "ticket/hostile.jira.golden", []byte(wiki))
	assert.NotContains(t, md, "<script>", "HTML is escaped")
	assert.NotContains(t, md, "[click](https://evil.example)", "links in data are not links")
	assert.NotContains(t, md, "@acme", "no @mention pings anyone")
	assert.NotContains(t, wiki, "[click](", "no link in Jira either")
	assert.Contains(t, md, "([docs](https://docs.caracal.run/x))")
	assert.Contains(t, wiki, "([docs|https://docs.caracal.run/x])")
	assert.Contains(t, txt.Title, "[caracal] sts_policy/resource_not_granted: denied for @acme/oncall")
	assert.True(t, strings.HasPrefix(tickets.Markdown(txt.Comment), "### The diagnosis of request `req-1` changed\n\nRe-run by caracal-bot"))
	assert.True(t, strings.HasSuffix(tickets.Markdown(txt.Comment), md), "the comment carries the whole new summary")
}

func TestDiagnosisHashFollowsTheReportedFields(t *testing.T) {
	d := hostileDiagnosis()
	h := diagnosisHash(d)
	same := hostileDiagnosis()
	same.Evidence = append(same.Evidence, diagnose.Fact{Name: "x", Value: "y"})
	assert.Equal(t, h, diagnosisHash(same), "evidence is in the bundle, not in the hash")
	changed := hostileDiagnosis()
	changed.Steps[1].Detail = "policy denied: role_scope_mismatch"
	assert.NotEqual(t, h, diagnosisHash(changed))
	assert.Equal(t, []string{"caracal-bot", "caracal-sts_policy"}, ticketLabels(d))
}
