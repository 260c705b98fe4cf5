package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/paste"
)

func whyCommand() *Command {
	return &Command{
		Name:    "why",
		Summary: "Explain why a protected call failed: the surface, the cause, the evidence and what to do.",
		Usage:   "why <request-id | pasted error text> [--zone Z] [--status N] [--error CODE] [--symptom no-audit|revoked]",
		flags: withHelp(
			zoneFlag(),
			flagSpec{name: "status", takes: true, usage: "HTTP status the caller saw", example: "403"},
			flagSpec{name: "error", takes: true, usage: "error code the caller saw (access_denied, invalid_token, ...)", example: "access_denied"},
			flagSpec{name: "symptom", takes: true, usage: "no-audit (the call worked but left no audit event) or revoked (access continues after revocation)", example: "no-audit"},
		),
		pastes: true,
		run:    runWhy,
	}
}

func runWhy(ctx context.Context, env *Env, _ chat.Invocation, a args) (Result, error) {
	q, err := whyQuery(a)
	if err != nil {
		return Result{}, err
	}
	if q.ZoneID, err = env.zoneFor(a); err != nil {
		return Result{}, err
	}
	ev, err := collectEvidence(ctx, env, q, "why")
	if err != nil {
		return Result{}, err
	}
	d := diagnose.Diagnose(ev, env.DocsBase)
	return Result{Reply: DiagnosisReply(d), Data: d, OK: true}, nil
}

// collectEvidence gathers the evidence for q and turns what stops a
// diagnosis into errors: a rejected bot credential, or an unknown zone
// (naming the zone where the request was found, for command to re-run).
func collectEvidence(ctx context.Context, env *Env, q diagnose.Query, command string) (*diagnose.Evidence, error) {
	ev := env.collector().Collect(ctx, q)
	if err := botCannotRun(ev); err != nil {
		return nil, err
	}
	if ev.UnknownZone {
		if ev.TraceZone != "" {
			return nil, usageErrorf("unknown zone %q; the request was found in zone %s: run %s %s --zone %s", clip(q.ZoneID, 64), ev.TraceZone, command, clip(q.RequestID, 128), ev.TraceZone)
		}
		return nil, unknownZone(q.ZoneID)
	}
	return ev, nil
}

// whyQuery builds the router query from the pasted text and the hint flags;
// flags win over what the pasted text implied.
func whyQuery(a args) (diagnose.Query, error) {
	text := a.text
	if text == "" {
		return diagnose.Query{}, usageErrorf("why needs a request ID or pasted error text, e.g. why 01a028ea-d354-7443-96e4-46e5643d943c")
	}
	q, err := paste.Parse(text)
	if err != nil {
		return diagnose.Query{}, &UsageError{Msg: err.Error()}
	}
	if v := a.str("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return diagnose.Query{}, usageErrorf("--status must be an HTTP status from 100 to 599, got %q", clip(v, 16))
		}
		q.Hints.Status = n
	}
	if v := a.str("error"); v != "" {
		if !isCode(v) {
			return diagnose.Query{}, usageErrorf("--error must be an error code like access_denied, got %q", clip(v, 32))
		}
		q.Hints.ErrorCode = v
	}
	if v := a.str("symptom"); v != "" {
		if err := diagnose.ValidateSymptom(v); err != nil {
			return diagnose.Query{}, &UsageError{Msg: err.Error()}
		}
		q.Hints.Symptom = v
	}
	if q.RequestID == "" && q.Hints.ErrorCode == "" {
		return diagnose.Query{}, usageErrorf("no request ID found: paste the request ID, the JSON error body, or the SDK message ending (request_id=...)")
	}
	return q, nil
}

func isCode(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// botCannotRun turns a rejected bot credential into an error that says so plainly.
func botCannotRun(ev *diagnose.Evidence) error {
	if ev.AdminTokenMissing {
		return &UnavailableError{Msg: "the bot has no Caracal admin token (or no valid API URL): set CARACAL_ADMIN_TOKEN or CARACAL_ADMIN_TOKEN_FILE to a read-only admin token, and check CARACAL_API_URL"}
	}
	e := ev.AdminAPIError
	if e == nil {
		return nil
	}
	switch {
	case e.Status == 401:
		return &UnavailableError{Msg: fmt.Sprintf("Caracal rejected the bot's admin token (%s %d %s): set CARACAL_ADMIN_TOKEN (or CARACAL_ADMIN_TOKEN_FILE) to a valid read-only token", e.Service, e.Status, e.Code)}
	case e.Status == 403 && e.Code != "admin_token_zone_mismatch":
		return &UnavailableError{Msg: fmt.Sprintf("Caracal refused the bot's admin token for this zone (%d %s): give the bot a read token for the zone", e.Status, e.Code)}
	}
	return nil
}

// DiagnosisReply renders a diagnosis as the root message and its thread.
func DiagnosisReply(d diagnose.Diagnosis) chat.Reply {
	r := chat.Reply{
		Summary:  d.Verdict,
		Severity: chat.Severity(d.Severity()),
		Fields: []chat.Field{
			{Label: "Request ID", Value: orNone(d.RequestID)},
			{Label: "Zone", Value: orNone(d.ZoneID)},
			{Label: "Surface", Value: string(d.Surface)},
			{Label: "Cause", Value: string(d.Cause)},
			{Label: "Decision", Value: d.Decision},
		},
		Buttons: diagnosisButtons(d),
	}
	var evidence []chat.Item
	for _, f := range d.Evidence {
		evidence = append(evidence, chat.Item{Text: fmt.Sprintf("%s: %s (%s)", f.Name, f.Value, shortSource(f.Source))})
	}
	var steps []chat.Item
	for _, s := range d.Steps {
		steps = append(steps, chat.Item{Mark: string(s.Status), Text: fmt.Sprintf("%d. %s: %s", s.N, s.Name, s.Detail)})
	}
	var actions []chat.Item
	for _, a := range d.NextActions {
		actions = append(actions, chat.Item{Text: a.Text, URL: a.Doc})
	}
	actions = chat.Numbered(actions...)
	r.Sections = append(r.Sections,
		chat.Section{Title: "Evidence", Items: evidence},
		chat.Section{Title: "Steps", Items: steps},
		chat.Section{Title: "Next actions", Items: actions},
	)
	if len(d.MissingEvidence) > 0 {
		r.Sections = append(r.Sections, missingSection(d.MissingEvidence))
	}
	return r
}

// missingSection lists what could not be read, and why.
func missingSection(ms []diagnose.Missing) chat.Section {
	var items []chat.Item
	for _, m := range ms {
		items = append(items, chat.Item{Mark: string(diagnose.StepWarn), Text: fmt.Sprintf("%s: %s (%s)", m.What, m.Reason, m.Source)})
	}
	return chat.Section{Title: "Missing evidence", Items: items}
}

func diagnosisButtons(d diagnose.Diagnosis) []chat.Button {
	value := d.RequestID + " --zone " + d.ZoneID
	if d.ZoneID == "" {
		value = d.RequestID
	}
	return []chat.Button{
		{Action: chat.ActionTicket, Label: "Upload bundle to ticket", Value: value},
		{Action: chat.ActionTrace, Label: "Show trace", Value: value},
		{Action: chat.ActionRerun, Label: "Re-run", Value: value, Style: chat.StylePrimary},
	}
}

// shortSource names an evidence endpoint briefly for chat ("audit trace",
// "sts metrics.json", "policy-sets"); the JSON output keeps the full endpoint.
func shortSource(source string) string {
	rest, ok := strings.CutPrefix(source, "GET ")
	if !ok {
		return source
	}
	service, path, hasService := strings.Cut(rest, " ")
	if !hasService {
		service, path = "", rest
	}
	if _, afterScheme, found := strings.Cut(path, "://"); found {
		_, path, _ = strings.Cut(afterScheme, "/")
	}
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	last := segs[len(segs)-1]
	switch {
	case last == "explain":
		return "audit trace"
	case len(segs) >= 2 && looksLikeID(last):
		last = segs[len(segs)-2]
	}
	return strings.TrimSpace(service + " " + last)
}

// looksLikeID reports whether a path segment is an identifier rather than a route word.
func looksLikeID(seg string) bool {
	return strings.ContainsAny(seg, "0123456789") && len(seg) >= 8
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// compile-time check that the real client serves every read.
var _ collect.Source = (*caracal.Client)(nil)
