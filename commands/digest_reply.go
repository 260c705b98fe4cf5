package commands

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/health"
)

// maxDigestRows caps each digest table; the rest is summed in one line.
const maxDigestRows = 10

// digestReply renders the digest: the headline as the root message and the
// detail in its thread, with a chart of denials per hour when there are any.
func digestReply(rep *DigestReport, now time.Time) chat.Reply {
	rep.Headline = digestHeadline(rep)
	r := chat.Reply{Summary: rep.Headline, Severity: digestSeverity(rep), Fields: []chat.Field{
		{Label: "Window", Value: fmt.Sprintf("%s (%s → %s UTC)", shortDuration(rep.Until.Sub(rep.Since)), rep.Since.Format("2006-01-02 15:04"), rep.Until.Format("2006-01-02 15:04"))},
		{Label: "Zones", Value: strings.Join(zoneIDs(rep), ", ")},
	}}
	if len(rep.Notes) > 0 {
		s := chat.Section{Title: "Missed runs"}
		for _, n := range rep.Notes {
			s.Items = append(s.Items, chat.Item{Mark: chat.MarkWarn, Text: n})
		}
		r.Sections = append(r.Sections, s)
	}
	r.Sections = append(r.Sections, readinessSection(rep.Readiness), doctorSection(rep.Findings))
	for _, z := range rep.Zones {
		r.Sections = append(r.Sections, zoneSections(z)...)
	}
	if h := rep.BotHealth; h != nil {
		r.Sections = append(r.Sections, botHealthSection(*h, now))
	}
	if len(rep.Missing) > 0 {
		s := chat.Section{Title: "Missing evidence"}
		for _, m := range rep.Missing {
			s.Items = append(s.Items, chat.Item{Mark: chat.MarkSkip, Text: fmt.Sprintf("%s: %s (%s)", m.What, m.Reason, m.Source)})
		}
		r.Sections = append(r.Sections, s)
	}
	cur, prev := hourlyTotals(rep)
	if png := denialChart(cur, prev); png != nil {
		r.Files = append(r.Files, chat.File{Name: "denials-per-hour.png", ContentType: "image/png", Data: png})
	}
	return r
}

// digestHeadline is the one-line summary, e.g.
// "All ready · 42 denials (+30%) · 1 warning".
func digestHeadline(rep *DigestReport) string {
	var parts []string
	var notReady []string
	reachable := false
	for _, s := range rep.Readiness.Services {
		if !s.OK {
			notReady = append(notReady, serviceName(s.Name))
		}
		if !strings.HasPrefix(s.Detail, "unreachable") && s.Detail != "timeout" {
			reachable = true
		}
	}
	switch {
	case !reachable:
		parts = append(parts, "Caracal unreachable")
	case len(notReady) == 0:
		parts = append(parts, "All ready")
	case len(notReady) <= 2:
		parts = append(parts, strings.Join(notReady, " and ")+" not ready")
	default:
		parts = append(parts, fmt.Sprintf("%d services not ready", len(notReady)))
	}
	cur, prev, curOK, prevOK, curPartial := denialTotals(rep)
	switch {
	case !curOK:
		parts = append(parts, "denials unknown")
	case curPartial:
		parts = append(parts, "at least "+plural(cur, "denial")+" (partly read)")
	case prevOK && cur == 0 && prev == 0:
		parts = append(parts, "no denials")
	case prevOK:
		parts = append(parts, fmt.Sprintf("%s (%s)", plural(cur, "denial"), change(cur, prev)))
	default:
		parts = append(parts, plural(cur, "denial"))
	}
	if n := countFindings(rep.Findings, health.CheckFail); n > 0 {
		parts = append(parts, plural(n, "failure"))
	}
	if n := countFindings(rep.Findings, health.CheckWarn); n > 0 {
		parts = append(parts, plural(n, "warning"))
	}
	pending, unloaded := 0, 0
	for _, z := range rep.Zones {
		if z.Approvals != nil {
			pending += z.Approvals.Pending
		}
		unloaded += len(z.Unpropagated)
	}
	if pending > 0 {
		parts = append(parts, plural(pending, "approval")+" pending")
	}
	if unloaded > 0 {
		parts = append(parts, plural(unloaded, "policy set")+" not loaded")
	}
	if len(rep.Notes) > 0 {
		parts = append(parts, "missed runs")
	}
	if len(rep.Missing) > 0 {
		parts = append(parts, "incomplete")
	}
	return strings.Join(parts, " · ")
}

// serviceName is a service's name as Caracal's docs write it.
func serviceName(svc string) string {
	switch svc {
	case "api":
		return "Admin API"
	case "sts":
		return "STS"
	}
	return strings.ToUpper(svc[:min(1, len(svc))]) + svc[min(1, len(svc)):]
}

func digestSeverity(rep *DigestReport) chat.Severity {
	switch {
	case !rep.Readiness.Ready():
		return chat.SeverityOutage
	case countFindings(rep.Findings, health.CheckFail) > 0:
		return chat.SeverityError
	case len(rep.Findings) > 0 || len(rep.Missing) > 0 || len(rep.Notes) > 0:
		return chat.SeverityWarning
	}
	for _, z := range rep.Zones {
		if len(z.Unpropagated) > 0 || (z.Approvals != nil && z.Approvals.Pending > 0) {
			return chat.SeverityWarning
		}
	}
	return chat.SeverityOK
}

func readinessSection(st doctor.StatusReport) chat.Section {
	t := &chat.Table{Header: []string{"service", "ready", "detail"}}
	for _, s := range st.Services {
		mark := "yes"
		if !s.OK {
			mark = "NO"
		}
		t.Rows = append(t.Rows, []string{s.Name, mark, s.Detail})
	}
	return chat.Section{Title: "Readiness", Table: t}
}

func doctorSection(findings []health.Check) chat.Section {
	s := chat.Section{Title: "Doctor"}
	if len(findings) == 0 {
		s.Text = "No warnings or failures."
	}
	for _, c := range findings {
		s.Items = append(s.Items, chat.Item{Mark: checkMark(c.Status), Text: c.Name + ": " + c.Detail})
	}
	return s
}

// zoneSections renders one zone: denials by cause and by application and
// resource against the previous window, then approvals and propagation.
func zoneSections(z digest.Zone) []chat.Section {
	byCause := chat.Section{Title: "Denials by cause · zone " + z.ZoneID}
	byTarget := chat.Section{Title: "Denials by application and resource · zone " + z.ZoneID}
	switch d := z.Denials; {
	case d == nil:
		byCause.Text = "The audit list could not be read (see missing evidence)."
		byTarget.Text = byCause.Text
	default:
		prev := z.Previous
		byCause.Text = plural(d.Requests, "denied request") + " in the window"
		comparable := prev != nil && !prev.Truncated && !d.Truncated
		switch {
		case comparable:
			byCause.Text += fmt.Sprintf("; %d in the previous window (%s)", prev.Requests, change(d.Requests, prev.Requests))
		case prev != nil:
			byCause.Text += fmt.Sprintf("; at least %d in the previous window (read in part: no change is computed)", prev.Requests)
		}
		byCause.Text += ". A request counts once; its cause is the policy reason, else the gate that refused it."
		byCause.Text += coverageText(d)
		before := map[string]int{}
		targetsBefore := map[string]int{}
		if prev != nil {
			for _, c := range prev.ByCause {
				before[c.Key] = c.Count
			}
			for _, c := range prev.ByTarget {
				targetsBefore[c.Application+"\x00"+c.Resource] = c.Count
			}
		}
		byCause.Table = &chat.Table{Header: []string{"cause", "now", "before", "change"}}
		for _, c := range topCauses(d.ByCause, prev) {
			delta := "?"
			if comparable {
				delta = change(c.Count, before[c.Key])
			}
			byCause.Table.Rows = append(byCause.Table.Rows, []string{c.Key, strconv.Itoa(c.Count), strconv.Itoa(before[c.Key]), delta})
		}
		byTarget.Table = &chat.Table{Header: []string{"application", "resource", "now", "before"}}
		for i, c := range d.ByTarget {
			if i == maxDigestRows {
				byTarget.Text = fmt.Sprintf("%d more application/resource pairs not shown.", len(d.ByTarget)-i)
				break
			}
			byTarget.Table.Rows = append(byTarget.Table.Rows, []string{c.Application, c.Resource, strconv.Itoa(c.Count), strconv.Itoa(targetsBefore[c.Application+"\x00"+c.Resource])})
		}
	}
	other := chat.Section{Title: "Approvals and policy propagation · zone " + z.ZoneID}
	if a := z.Approvals; a != nil {
		other.Items = append(other.Items, chat.Item{Mark: markIf(a.Pending > 0), Text: fmt.Sprintf(
			"Approval holds: %d pending, %d expired without a decision, %d decided, of %d issued in the window "+
				"(counted from step_up_* audit rows: the approvals list is not described in Caracal's API contract).",
			a.Pending, a.Expired, a.Decided, a.Issued)})
	} else {
		other.Items = append(other.Items, chat.Item{Mark: chat.MarkSkip, Text: "Approval holds: the audit list could not be read."})
	}
	switch {
	case z.Unpropagated == nil:
		other.Items = append(other.Items, chat.Item{Mark: chat.MarkSkip, Text: "Policy propagation: the policy sets could not be read."})
	case len(z.Unpropagated) == 0:
		other.Items = append(other.Items, chat.Item{Mark: chat.MarkPass, Text: "Policy propagation: every active policy set is loaded on STS."})
	}
	for _, p := range z.Unpropagated {
		other.Items = append(other.Items, chat.Item{Mark: chat.MarkWarn, Text: fmt.Sprintf("Policy set %s (version %s) is not fully propagated: %s", p.PolicySetName, p.VersionID, p.Detail)})
	}
	return []chat.Section{byCause, byTarget, other}
}

// coverageText says how much of the window the counts cover, the window's
// exact number of deny rows when the zone overview gave it, and how many
// hours were counted from the denial watch's running aggregates.
func coverageText(d *digest.DenialSummary) string {
	return readText(d) + aggregatedText(d)
}

// aggregatedText says which hours were counted as the denials happened.
func aggregatedText(d *digest.DenialSummary) string {
	if d.AggregatedHours == 0 {
		return ""
	}
	return fmt.Sprintf(" %s of the window were counted by the denial watch as the denials happened; the rest was read from the audit log.",
		plural(d.AggregatedHours, "whole hour"))
}

// readText says how much of the window the counts cover, and the window's
// exact number of deny rows when the zone overview gave it.
func readText(d *digest.DenialSummary) string {
	switch {
	case d.Truncated && d.TotalDenyRows > 0:
		return fmt.Sprintf(" The window holds %s (exact, from the zone overview); the breakdown covers %s of them (%s) before the digest had to answer: counts are a lower bound.",
			plural(d.TotalDenyRows, "deny row"), strconv.Itoa(d.DenyRows), percent(d.Coverage))
	case d.Truncated:
		return fmt.Sprintf(" The breakdown covers %s of the window before the digest had to answer: counts are a lower bound.", percent(d.Coverage))
	case d.TotalDenyRows > 0:
		return fmt.Sprintf(" Every one of the window's %s was read.", plural(d.DenyRows, "deny row"))
	}
	return ""
}

// percent renders a share from 0 to 1 as a whole percentage, never
// rounding a partial share up to 100%.
func percent(share float64) string {
	p := int(share * 100)
	if share > 0 && p == 0 {
		return "less than 1%"
	}
	return strconv.Itoa(p) + "%"
}

// topCauses lists the window's causes, then causes seen only in the
// previous window (now 0), at most maxDigestRows.
func topCauses(now []digest.Count, prev *digest.DenialSummary) []digest.Count {
	out := append([]digest.Count(nil), now...)
	seen := map[string]bool{}
	for _, c := range now {
		seen[c.Key] = true
	}
	if prev != nil {
		for _, c := range prev.ByCause {
			if !seen[c.Key] {
				out = append(out, digest.Count{Key: c.Key})
			}
		}
	}
	return out[:min(len(out), maxDigestRows)]
}

func botHealthSection(h BotHealthReport, now time.Time) chat.Section {
	s := chat.Section{Title: "caracal-bot"}
	if !h.Started.IsZero() {
		s.Items = append(s.Items, chat.Item{Text: "Uptime: " + shortDuration(now.Sub(h.Started))})
	}
	s.Items = append(s.Items,
		chat.Item{Mark: markIf(h.Reconnects > 0), Text: fmt.Sprintf("Chat reconnects: %d", h.Reconnects)},
		chat.Item{Mark: markIf(h.FailedDeliveries > 0), Text: fmt.Sprintf("Failed deliveries: %d", h.FailedDeliveries)})
	names := make([]string, 0, len(h.Commands))
	for n := range h.Commands {
		names = append(names, n)
	}
	sort.Strings(names)
	counts := make([]string, 0, len(names))
	for _, n := range names {
		counts = append(counts, fmt.Sprintf("%s %d", n, h.Commands[n]))
	}
	if len(counts) == 0 {
		counts = append(counts, "none")
	}
	s.Items = append(s.Items, chat.Item{Text: "Commands run: " + strings.Join(counts, ", ")})
	return s
}
