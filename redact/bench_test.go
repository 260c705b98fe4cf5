package redact_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/redact"
)

// diagnosisReply is a reply of the size and texture of a real diagnosis:
// a verdict, fields, eight steps, a dozen evidence lines, next actions with
// links, and one planted secret.
func diagnosisReply() chat.Reply {
	r := chat.Reply{Summary: "policy set research-access (version 3) grants resource resource://pipernet to an application key that is not bound to application billing-bot in app_ids.",
		Fields: []chat.Field{{Label: "Request ID", Value: requestID}, {Label: "Zone", Value: zoneID}, {Label: "Surface", Value: "sts_policy"}, {Label: "Cause", Value: "resource_not_granted"}}}
	var ev, steps, next []chat.Item
	for i := range 12 {
		ev = append(ev, chat.Item{Text: fmt.Sprintf("evidence %d: application billing-bot (%s) requested pipernet:read in zone %s (audit trace)", i, agentSession, zoneID)})
	}
	ev = append(ev, chat.Item{Text: "caller saw: Authorization: Bearer " + bearerCred})
	for i := range 8 {
		steps = append(steps, chat.Item{Mark: chat.MarkPass, Text: fmt.Sprintf("%d. step: all 5 probed services ready, policy set loaded on STS", i+1)})
	}
	for range 4 {
		next = append(next, chat.Item{Text: "Add a grants entry for the resource in the zone's data document.", URL: "https://docs.caracal.run/guides/author-policy/"})
	}
	r.Sections = []chat.Section{{Title: "Evidence", Items: ev}, {Title: "Steps", Items: steps}, {Title: "Next actions", Items: chat.Numbered(next...)}}
	return r
}

// BenchmarkReply scrubs a diagnosis reply; BenchmarkReplyRenderMarkdown
// renders the same reply, the baseline the scrubber's cost is read against.
func BenchmarkReply(b *testing.B) {
	s := redact.New(adminToken, metrics, jiraToken)
	r := diagnosisReply()
	for b.Loop() {
		s.Reply(r)
	}
}

func BenchmarkReplyRenderMarkdown(b *testing.B) {
	r := diagnosisReply()
	for b.Loop() {
		_ = chat.Markdown(r)
	}
}

// policyDocument is about 1 MiB of policy data (grants and app_ids), the
// largest kind of text a bundle holds.
func policyDocument() []byte {
	grants := make([]map[string]any, 0, 5000)
	for i := range 5000 {
		grants = append(grants, map[string]any{"resource": fmt.Sprintf("resource://svc-%d", i), "scopes": []string{"read", "write"},
			"app_ids": []string{agentSession, sessionID}, "note": strings.Repeat("x", 60)})
	}
	b, _ := json.Marshal(map[string]any{"grants": grants})
	return b
}

// BenchmarkEncodeDocument scrubs and encodes a 1 MiB policy document, as a
// bundle does; BenchmarkEncodeDocumentJSON only encodes it (its baseline).
func BenchmarkEncodeDocument(b *testing.B) {
	s := redact.New(adminToken, metrics, jiraToken)
	var doc any
	_ = json.Unmarshal(policyDocument(), &doc)
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := s.Encode(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeDocumentJSON(b *testing.B) {
	var doc any
	_ = json.Unmarshal(policyDocument(), &doc)
	b.ResetTimer()
	for b.Loop() {
		if _, err := json.MarshalIndent(doc, "", "  "); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommandText scrubs what a user pastes, on the acknowledgement
// path; BenchmarkCommandTextCopy copies it (the least work on that text).
func BenchmarkCommandText(b *testing.B) {
	s := redact.New(adminToken, metrics, jiraToken)
	paste := `why {"error":"access_denied","error_description":"policy denied (resource_not_granted)","requestId":"` + requestID + `"} --status 403`
	for b.Loop() {
		s.String(paste)
	}
}

func BenchmarkCommandTextCopy(b *testing.B) {
	paste := `why {"error":"access_denied","error_description":"policy denied (resource_not_granted)","requestId":"` + requestID + `"} --status 403`
	for b.Loop() {
		_ = strings.Clone(paste)
	}
}

// BenchmarkHostileText scrubs text built to make a scrubber rescan: runs
// of keys, headers and schemes with no end, at 100 KiB and 1 MiB. Its
// cost must grow with the size (no rescans), against BenchmarkPlainText.
func BenchmarkHostileText(b *testing.B) {
	for _, size := range []int{100 << 10, 1 << 20} {
		for _, unit := range []string{"x_bearer=", "password:\"", "Authorization: ", "Bearer ", "https://a@"} {
			text := strings.Repeat(unit, size/len(unit))
			b.Run(fmt.Sprintf("%s/%dKiB", strings.TrimSpace(strings.Trim(unit, `:="`)), size>>10), func(b *testing.B) {
				s := redact.New(adminToken)
				for b.Loop() {
					s.String(text)
				}
			})
		}
	}
}

// BenchmarkPlainText scrubs prose of the same sizes with nothing to find.
func BenchmarkPlainText(b *testing.B) {
	for _, size := range []int{100 << 10, 1 << 20} {
		text := strings.Repeat("policy set research-access grants pipernet:read to billing-bot. ", size/64)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			s := redact.New(adminToken)
			for b.Loop() {
				s.String(text)
			}
		})
	}
}
