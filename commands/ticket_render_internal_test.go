package commands

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
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
	for _, s := range []string{txt.Title, txt.Markdown, txt.Comment} {
		assert.NotContains(t, s, renderGitHubToken)
		assert.NotContains(t, s, "c2lnbmF0dXJlLXRoYXQtbXVzdC1nbw")
	}
	md := txt.Markdown
	assert.NotContains(t, md, "<script>", "HTML is escaped")
	assert.NotContains(t, md, "[click](https://evil.example)", "links in data are not links")
	assert.NotContains(t, md, "@acme", "no @mention pings anyone")
	assert.NotContains(t, md, "javascript:", "only http(s) docs become links")
	assert.Contains(t, md, "([docs](https://docs.caracal.run/x))")
	assert.Contains(t, md, "4. ❌ **grant and policy**")
	assert.Contains(t, md, "### Missing evidence")
	assert.Contains(t, md, "_Filed by caracal-bot from slack by lead. Ruleset `r1`")
	assert.Contains(t, txt.Title, "[caracal] sts_policy/resource_not_granted: denied for @acme/oncall")
	assert.Contains(t, txt.Comment, "changed")
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
