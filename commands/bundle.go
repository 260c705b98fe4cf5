package commands

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caracal-bot/caracal-bot/bundle"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/redact"
)

// rulesetVersion names the rule table of ROUTER.md ("Surfaces and causes",
// rows 1–22) that diagnose.Diagnose implements; bump it when a rule changes.
const rulesetVersion = "router-rules/1 (ROUTER.md rows 1-22)"

// The denials around a request: an hour either side of its first audit
// event, at most 100 rows.
const (
	denialsSpan  = time.Hour
	denialsLimit = 100
)

func bundleCommand() *Command {
	return &Command{
		Name:    "bundle",
		Summary: "Build a request's diagnostic bundle: a redacted zip of the evidence, the diagnosis, the Doctor report and the denials around it.",
		Usage:   "bundle <request-id> [--zone Z] [--out FILE]",
		flags: withHelp(zoneFlag(),
			flagSpec{name: "out", takes: true, usage: "command line only: write the zip to FILE (in chat it is attached to the thread)", example: "bundle.zip"}),
		run: runBundle,
	}
}

func runBundle(ctx context.Context, env *Env, inv chat.Invocation, a args) (Result, error) {
	if len(a.rest) != 1 {
		return Result{}, usageErrorf("bundle needs exactly one request ID (usage: bundle <request-id> [--zone Z] [--out FILE])")
	}
	out, err := bundleOut(inv, a)
	if err != nil {
		return Result{}, err
	}
	zone, err := env.zoneFor(a)
	if err != nil {
		return Result{}, err
	}
	b, d, err := env.buildBundle(ctx, a.rest[0], zone)
	if err != nil {
		return Result{}, err
	}
	return Result{Reply: bundleReply(b, d, env.Scrubber), Data: b.Manifest, OK: true, SaveAs: out}, nil
}

// BuildBundle collects the evidence of a request the way why does, runs the
// Doctor for its zone, reads the denials around it, diagnoses it and builds
// its bundle, for a caller outside any chat channel (every zone the token
// sees; the bundle and ticket commands keep to a bound channel's zones).
// zone "" means the default zone. A bad request ID or zone is a
// *UsageError; a bot that cannot read Caracal an *UnavailableError. Caracal
// being down is not an error: the bundle says what is missing.
func (r *Registry) BuildBundle(ctx context.Context, requestID, zone string) (*bundle.Bundle, diagnose.Diagnosis, error) {
	if zone != "" && !validZoneID(zone) {
		return nil, diagnose.Diagnosis{}, usageErrorf("zone must be a Caracal zone id (letters, digits, _ . - :, at most 128), got %q", clip(zone, 40))
	}
	if zone == "" {
		zone = r.env.DefaultZone
	}
	return r.env.buildBundle(ctx, requestID, zone)
}

func (env *Env) buildBundle(ctx context.Context, requestID, zone string) (*bundle.Bundle, diagnose.Diagnosis, error) {
	if err := diagnose.ValidateRequestID(requestID); err != nil {
		return nil, diagnose.Diagnosis{}, &UsageError{Msg: err.Error()}
	}
	ev, err := collectEvidence(ctx, env, diagnose.Query{RequestID: requestID, ZoneID: zone}, "bundle")
	if err != nil {
		return nil, diagnose.Diagnosis{}, err
	}
	d := diagnose.Diagnose(ev, env.DocsBase)
	var report doctor.Report
	var denials *bundle.AuditWindow
	var wg sync.WaitGroup
	wg.Go(func() { report = env.doctor().Run(ctx, doctor.Options{Zone: ev.DiagnosisZone()}) })
	wg.Go(func() { denials = env.denialsAround(ctx, ev) })
	wg.Wait()
	b, err := bundle.Build(ev, d, &report, bundle.Meta{
		BotVersion: env.Version, RulesetVersion: rulesetVersion, Endpoints: probedEndpoints(ev),
		GeneratedAt: env.Now().UTC(), Denials: denials, Scrubber: env.Scrubber,
	})
	if err != nil {
		return nil, d, fmt.Errorf("could not build the bundle: %w", err)
	}
	return b, d, nil
}

// denialsAround reads the zone's denials from an hour before to an hour
// after the trace's first event (the collection time without a trace). A
// failure is recorded in the window, never returned.
func (env *Env) denialsAround(ctx context.Context, ev *diagnose.Evidence) *bundle.AuditWindow {
	anchor := ev.CollectedAt
	if first, ok := firstEvent(ev.Trace); ok {
		anchor = first
	}
	zone := ev.DiagnosisZone()
	w := &bundle.AuditWindow{ZoneID: zone, Since: anchor.Add(-denialsSpan).UTC(), Until: anchor.Add(denialsSpan).UTC(), Decision: "deny", Limit: denialsLimit}
	w.Source = fmt.Sprintf("GET /v1/zones/%s/audit?decision=deny&since=%s&until=%s&limit=%d",
		zone, w.Since.Format(time.RFC3339), w.Until.Format(time.RFC3339), w.Limit)
	if zone == "" {
		w.Error = "no zone: pass --zone or set CARACAL_ZONE_ID"
		return w
	}
	ctx, cancel := context.WithTimeout(ctx, env.timeout())
	defer cancel()
	page, err := env.Caracal.Audit(ctx, zone, caracal.AuditQuery{Decision: w.Decision, Since: w.Since, Until: w.Until, Limit: w.Limit})
	switch {
	case err != nil:
		w.Error = fetchFailure(err)
	case page != nil:
		w.Events, w.More = page.Items, page.NextCursor != nil
	}
	return w
}

// firstEvent is the time of the trace's earliest audit event.
func firstEvent(t *caracal.Explain) (time.Time, bool) {
	var first time.Time
	if t == nil {
		return first, false
	}
	for _, e := range t.Events {
		at, err := time.Parse(time.RFC3339Nano, e.OccurredAt)
		if err == nil && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	return first, !first.IsZero()
}

// fetchFailure says in a few words why a read failed.
func fetchFailure(err error) string {
	var te *caracal.TransportError
	if e, ok := caracal.AsError(err); ok {
		return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", e.Status, e.Code))
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &te) && te.Timeout:
		return "timeout"
	case errors.As(err, &te):
		return "unreachable"
	}
	return err.Error()
}

// probedEndpoints lists the base URL of each service as its probes saw it
// (the bundle strips any credentials).
func probedEndpoints(ev *diagnose.Evidence) map[string]string {
	out := map[string]string{}
	for _, svc := range caracal.AllServices() {
		if u := strings.TrimSuffix(ev.Ready[svc].URL, "/ready"); u != "" {
			out[string(svc)] = u
		} else if u := strings.TrimSuffix(ev.Health[svc].URL, "/health"); u != "" {
			out[string(svc)] = u
		}
	}
	return out
}

// bundleReply summarises the bundle and attaches the zip.
func bundleReply(b *bundle.Bundle, d diagnose.Diagnosis, s *redact.Scrubber) chat.Reply {
	m := b.Manifest
	verdict := s.String(d.Verdict) // the reply says what the bundle says
	return chat.Reply{
		Summary:  fmt.Sprintf("Diagnostic bundle for %s (%s, %d redaction(s)): %s", orNone(m.RequestID), chat.FileSize(len(b.Zip)), len(m.Redactions), verdict),
		Severity: chat.Severity(d.Severity()),
		Fields: []chat.Field{
			{Label: "Request ID", Value: orNone(m.RequestID)},
			{Label: "Zone", Value: orNone(m.ZoneID)},
			{Label: "Surface", Value: string(d.Surface)},
			{Label: "Cause", Value: string(d.Cause)},
			{Label: "File", Value: b.Name},
			{Label: "Size", Value: chat.FileSize(len(b.Zip))},
			{Label: "Redactions", Value: redactionSummary(m.Redactions)},
			{Label: "Missing evidence", Value: fmt.Sprint(len(d.MissingEvidence))},
		},
		Sections: []chat.Section{{Title: "Bundle files", Items: bundleItems(m)}},
		Buttons:  diagnosisButtons(d),
		Files:    []chat.File{{Name: b.Name, ContentType: bundle.ContentTypeZip, Data: b.Zip}},
	}
}

// redactionSummary is "4 (1 bearer, 1 jwt_signature, 2 secret_key)".
func redactionSummary(reds []redact.Redaction) string {
	if len(reds) == 0 {
		return "0"
	}
	byKind := map[string]int{}
	for _, r := range reds {
		byKind[r.Kind]++
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		parts = append(parts, fmt.Sprintf("%d %s", byKind[k], k))
	}
	return fmt.Sprintf("%d (%s)", len(reds), strings.Join(parts, ", "))
}

func bundleItems(m bundle.Manifest) []chat.Item {
	items := []chat.Item{{Text: bundle.FileManifest + ": versions, endpoints, checksums, redactions"}}
	for _, f := range m.Files {
		items = append(items, chat.Item{Text: fmt.Sprintf("%s (%s, sha256 %.12s…)", f.Name, chat.FileSize(f.Size), f.SHA256)})
	}
	return items
}

// bundleOut returns the --out path. It exists on the command line only:
// in chat the bot cannot write files, and the zip goes to the thread.
func bundleOut(inv chat.Invocation, a args) (string, error) {
	out, ok := a.flags["out"]
	switch {
	case !ok:
		return "", nil
	case inv.Platform != PlatformCLI:
		return "", usageErrorf("--out works only on the command line; in chat the bundle is attached to the reply")
	case strings.TrimSpace(out) == "":
		return "", usageErrorf("--out needs a file name, e.g. --out bundle.zip")
	}
	return out, nil
}
