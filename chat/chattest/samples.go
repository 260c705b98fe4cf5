// Package chattest holds sample replies, one per reply kind, for the golden
// tests of every renderer (markdown, plain text, console, Slack, Discord).
package chattest

import "github.com/caracal-bot/caracal-bot/chat"

// Sample is a named reply; the name is the golden file's base name.
type Sample struct {
	Name  string
	Reply chat.Reply
}

const (
	requestID = "01a028ea-d354-7443-96e4-46e5643d943c"
	zoneID    = "019f1ce8-1680-793b-b480-86d4734b60a7"
	docs      = "https://docs.caracal.run"
)

// Samples returns fresh copies of the sample replies: a denial diagnosis,
// an allowed request, an outage, a request trace table, an ephemeral error,
// and a reply full of hostile user text.
func Samples() []Sample {
	return []Sample{
		{"deny", Deny()},
		{"allow", Allow()},
		{"outage", Outage()},
		{"table", Trace()},
		{"ephemeral-error", EphemeralError()},
		{"hostile", Hostile()},
	}
}

// Buttons are the three actions under every diagnosis.
func Buttons(id string) []chat.Button {
	return []chat.Button{
		{Action: "bundle.upload", Label: "Upload bundle to ticket", Value: id, Style: chat.StylePrimary},
		{Action: "trace.show", Label: "Show trace", Value: id},
		{Action: "why.rerun", Label: "Re-run", Value: id},
	}
}

// Deny is a policy denial: fields, four thread sections with step marks,
// numbered next actions with docs links, and buttons.
func Deny() chat.Reply {
	return chat.Reply{
		Summary:  "application billing-bot is not granted resource://pipernet: no policy in the active set prod-v3 grants it",
		Severity: chat.SeverityError,
		Fields: []chat.Field{
			{Label: "Request ID", Value: requestID},
			{Label: "Zone", Value: zoneID},
			{Label: "Surface", Value: "sts_policy"},
			{Label: "Cause", Value: "resource_not_granted"},
		},
		Sections: []chat.Section{
			{Title: "Evidence", Items: []chat.Item{
				{Text: "resource: resource://pipernet (explain)"},
				{Text: "application: billing-bot 019f230e-d6df-74ba-b084-de0d74d7d04b, subject kind application (explain)"},
				{Text: "requested scopes: pipernet:read (explain)"},
				{Text: "diagnostics[0].reason: resource_not_granted (explain)"},
			}},
			{Title: "Steps", Items: []chat.Item{
				{Mark: chat.MarkPass, Text: "1 runtime healthy: all five services ready"},
				{Mark: chat.MarkPass, Text: "2 configuration: zone found, token can read it"},
				{Mark: chat.MarkPass, Text: "3 request trace: 2 rows, final decision deny"},
				{Mark: chat.MarkFail, Text: "4 grant and policy: no policy grants resource://pipernet to labels [reader]"},
				{Mark: chat.MarkPass, Text: "5 policy-set activation: prod-v3 loaded"},
				{Mark: chat.MarkSkip, Text: "6 requested scopes: not reached"},
				{Mark: chat.MarkSkip, Text: "7 Gateway route or verifier: not reached"},
				{Mark: chat.MarkWarn, Text: "8 audit trace: consumer lag 1200 events, rows may arrive late"},
			}},
			{Title: "Next actions", Items: chat.Numbered(
				chat.Item{Text: "Add a grant for resource://pipernet to a policy that matches label reader, then activate a new version of prod-v3.", URL: docs + "/guides/authorize-access/"},
				chat.Item{Text: "Check which policies the active version contains.", URL: docs + "/guides/activate-policy-set/"},
			)},
			{Title: "Missing evidence", Items: []chat.Item{
				{Mark: chat.MarkWarn, Text: "Coordinator /stats: no operator token configured"},
			}},
		},
		Buttons: Buttons(requestID),
	}
}

// Allow is an allowed request: nothing to fix.
func Allow() chat.Reply {
	return chat.Reply{
		Summary:  "request was allowed: billing-bot got pipernet:read and the Gateway call returned 200",
		Severity: chat.SeverityOK,
		Fields: []chat.Field{
			{Label: "Request ID", Value: "0190f5c2-7b1e-7c3a-9d4e-2f6a8b1c3d5e"},
			{Label: "Zone", Value: "prod"},
		},
		Sections: []chat.Section{
			{Title: "Steps", Text: "Every check passed.", Items: []chat.Item{
				{Mark: chat.MarkPass, Text: "3 request trace: token_exchange allow, gateway_resource_request executed"},
				{Mark: chat.MarkPass, Text: "8 audit trace: 2 rows"},
			}},
		},
		Buttons: Buttons("0190f5c2-7b1e-7c3a-9d4e-2f6a8b1c3d5e"),
	}
}

// Outage is an infrastructure failure with a long paragraph and a bundle file.
func Outage() chat.Reply {
	return chat.Reply{
		Summary:  "STS is not ready (redis_unreachable): every token exchange fails until Redis is back",
		Severity: chat.SeverityOutage,
		Fields: []chat.Field{
			{Label: "Request ID", Value: "01a21f00-7c3d-7e55-9b10-4d2f6a8e3c11"},
			{Label: "Zone", Value: "prod"},
			{Label: "Surface", Value: "infrastructure"},
		},
		Sections: []chat.Section{
			{Title: "What is down", Text: "STS and Gateway answer /ready with 503 redis_unreachable; the Admin API and Coordinator answer 500. " +
				"A 429 provider_rate_limited from STS during this window means the throttle store is down, not that the application is over its budget.\n" +
				"Audit stays not ready (consumer_unhealthy) until the next event is consumed.",
				Items: []chat.Item{
					{Mark: chat.MarkFail, Text: "STS /ready 503 redis_unreachable"},
					{Mark: chat.MarkFail, Text: "Gateway /ready 503 redis_unreachable"},
					{Mark: chat.MarkPass, Text: "Audit /health 200"},
				}},
			{Title: "Next actions", Items: chat.Numbered(
				chat.Item{Text: "Restore Redis, then run one token exchange to clear Audit's consumer_unhealthy.", URL: docs + "/operations/redis/"},
			)},
		},
		Buttons: Buttons("01a21f00-7c3d-7e55-9b10-4d2f6a8e3c11"),
		Files:   []chat.File{{Name: "caracal-bundle-01a21f00.zip", ContentType: "application/zip", Data: make([]byte, 12_634)}},
	}
}

// Trace is a request trace shown as a table.
func Trace() chat.Reply {
	return chat.Reply{
		Summary:  "trace of 01a028c5-c1f4-71bb-89ca-bbb2459cf427: 3 rows, final decision deny",
		Severity: chat.SeverityInfo,
		Fields:   []chat.Field{{Label: "Zone", Value: "prod"}},
		Sections: []chat.Section{{
			Title: "Request trace",
			Table: &chat.Table{
				Header: []string{"Time", "Event", "Decision", "Status", "Resource"},
				Rows: [][]string{
					{"13:02:11.204", "token_exchange", "deny", "complete", "resource://pipernet"},
					{"13:02:11.205", "token_exchange", "allow", "complete", "resource://nucleus"},
					{"13:02:11.206", "exchange_denied", "deny", "", ""},
				},
			},
		}},
	}
}

// EphemeralError is what a user alone sees after a bad command.
func EphemeralError() chat.Reply {
	return chat.Reply{
		Summary:   `request ID "abc def" has a space at position 4: expected 1–128 printable ASCII characters without spaces`,
		Severity:  chat.SeverityError,
		Ephemeral: true,
		Sections: []chat.Section{{Title: "Usage", Items: []chat.Item{
			{Text: "/caracal why <request-id> [--zone <zone>]"},
			{Text: "or paste the JSON error body or the SDK message ending (request_id=...)"},
		}}},
	}
}

// Hostile echoes user text that tries to mention, link, inject markup and
// terminal escapes; every renderer must show it inert.
func Hostile() chat.Reply {
	return chat.Reply{
		Summary:  "no trace for <!channel> @everyone [click](https://evil.example/x) \x1b[31mred\x1b[0m",
		Severity: chat.SeverityWarning,
		Fields: []chat.Field{
			{Label: "Request ID", Value: "<@U024BE7LH>|**bold**"},
			{Label: "Zone", Value: "<script>alert(1)</script>"},
		},
		Sections: []chat.Section{{
			Title: "# pasted text\nsecond line",
			Text:  "> quoted\n- list\n1. numbered\n    indented code\nsee www.evil.example or mail bob@evil.example \u202eevil\u202c",
			Items: []chat.Item{
				{Text: "`code` _em_ ~strike~ <@&123> @here", URL: "javascript:alert(1)"},
				{Text: "![img](https://evil.example/i.png)", URL: "https://docs.caracal.run/reference/errors/?q=a)b"},
			},
			Table: &chat.Table{Header: []string{"a|b", "c"}, Rows: [][]string{{"x\ny", "<b>z</b>"}}},
		}},
	}
}
