package bundle

import (
	"fmt"
	"net/url"
	"sort"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/redact"
)

// document is one file of the bundle before redaction: a value encoded as
// JSON, or a string written as text.
type document struct {
	name  string
	value any
}

// markdownDiagnosis is a diagnosis to be written as diagnosis.md.
type markdownDiagnosis diagnose.Diagnosis

// readiness is one service's probes in readiness.json.
type readiness struct {
	Service caracal.Service `json:"service"`
	Ready   *caracal.Probe  `json:"ready"`
	Health  *caracal.Probe  `json:"health"`
}

// zoneDoc is zone.json: where the request was looked for and the zone's
// configuration and decision detail.
type zoneDoc struct {
	ZoneID           string                    `json:"zone_id"`
	AskedZone        string                    `json:"asked_zone"`
	TraceZone        string                    `json:"trace_zone"`
	SearchedZones    []string                  `json:"searched_zones"`
	CrossZoneSearch  bool                      `json:"cross_zone_search"`
	UnknownZone      bool                      `json:"unknown_zone"`
	AdminAPIError    *caracal.Error            `json:"admin_api_error"`
	Zone             *caracal.Zone             `json:"zone"`
	Resources        []caracal.Resource        `json:"resources"`
	PolicySets       []caracal.PolicySet       `json:"policy_sets"`
	Activation       *caracal.ActivationStatus `json:"activation_status"`
	ActiveVersion    *caracal.PolicySetVersion `json:"active_version"`
	PolicyDocuments  []caracal.PolicyVersion   `json:"policy_documents"`
	AdminAudit       []caracal.AdminAuditRow   `json:"admin_audit"`
	Sessions         []caracal.Session         `json:"sessions"`
	AuthorityRecords []caracal.AuthorityRecord `json:"authority_records"`
	Approval         *caracal.ApprovalStatus   `json:"approval"`
}

// metricsDoc is metrics.json.
type metricsDoc struct {
	STS         *caracal.STSMetrics       `json:"sts"`
	Gateway     *caracal.GatewayMetrics   `json:"gateway"`
	Audit       *caracal.AuditMetrics     `json:"audit"`
	Coordinator *caracal.CoordinatorStats `json:"coordinator"`
}

// auditDoc is audit-window.json.
type auditDoc struct {
	RequestEvents   []caracal.AuditRow `json:"request_events"`
	AfterRevocation []caracal.AuditRow `json:"after_revocation"`
	DenialsAround   *AuditWindow       `json:"denials_around"`
}

// documents lays the evidence out as the bundle's files, in zip order
// (manifest.json, built last, goes first).
func documents(ev *diagnose.Evidence, d diagnose.Diagnosis, doctor *doctor.Report, denials *AuditWindow) []document {
	var probes []readiness
	for _, svc := range caracal.AllServices() {
		row := readiness{Service: svc}
		if p, ok := ev.Ready[svc]; ok {
			row.Ready = &p
		}
		if p, ok := ev.Health[svc]; ok {
			row.Health = &p
		}
		probes = append(probes, row)
	}
	var events []caracal.AuditRow
	if ev.Trace != nil {
		events = ev.Trace.Events
	}
	return []document{
		{FileDiagnosis, d},
		{FileDiagnosisMD, markdownDiagnosis(d)},
		{FileTrace, ev.Trace},
		{FileReadiness, probes},
		{FileDoctor, doctor},
		{FileZone, zoneDoc{
			ZoneID: ev.DiagnosisZone(), AskedZone: ev.AskedZone, TraceZone: ev.TraceZone, SearchedZones: ev.SearchedZones,
			CrossZoneSearch: ev.CrossZoneSearch, UnknownZone: ev.UnknownZone, AdminAPIError: ev.AdminAPIError,
			Zone: ev.Zone, Resources: ev.Resources, PolicySets: ev.PolicySets, Activation: ev.Activation,
			ActiveVersion: ev.ActiveVersion, PolicyDocuments: ev.PolicyDocuments, AdminAudit: newestFirst(ev.AdminAudit),
			Sessions: ev.Sessions, AuthorityRecords: ev.AuthorityRecords, Approval: ev.Approval,
		}},
		{FileMetrics, metricsDoc{STS: ev.STSMetrics, Gateway: ev.GatewayMetrics, Audit: ev.AuditMetrics, Coordinator: ev.CoordinatorStats}},
		{FileAuditWindow, auditDoc{RequestEvents: events, AfterRevocation: ev.AfterRevocation, DenialsAround: denials}},
		{FileMissing, missing(ev, d, doctor, denials)},
	}
}

// newestFirst sorts a copy of admin-audit rows the way Caracal lists them
// (occurred_at, then id, descending): the collector reads DELETEs and
// POSTs concurrently, so the rows arrive in either order.
func newestFirst(rows []caracal.AdminAuditRow) []caracal.AdminAuditRow {
	out := append([]caracal.AdminAuditRow(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].OccurredAt != out[j].OccurredAt {
			return out[i].OccurredAt > out[j].OccurredAt
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// missing merges what the collection could not fetch with what the bundle
// itself lacks (the Doctor report, the denials around the request).
func missing(ev *diagnose.Evidence, d diagnose.Diagnosis, doctor *doctor.Report, denials *AuditWindow) []diagnose.Missing {
	out := []diagnose.Missing{}
	seen := map[diagnose.Missing]bool{}
	for _, list := range [][]diagnose.Missing{ev.Missing, d.MissingEvidence} {
		for _, m := range list {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	if doctor == nil {
		out = append(out, diagnose.Missing{What: "Doctor report", Source: "doctor", Reason: "not run"})
	}
	switch {
	case denials == nil:
		out = append(out, diagnose.Missing{What: "denials around the request", Source: "GET /v1/zones/{zone}/audit?decision=deny", Reason: "not read"})
	case denials.Error != "":
		out = append(out, diagnose.Missing{What: "denials around the request", Source: denials.Source, Reason: denials.Error})
	}
	return out
}

// sanitizeMeta removes credentials from the caller's metadata: endpoint
// URLs lose userinfo, query and fragment; every string is scrubbed.
func sanitizeMeta(r *redact.Scrubber, meta Meta) (Meta, []redact.Redaction) {
	var reds []redact.Redaction
	text := func(path, s string) string {
		out, hits := r.Text(s)
		for _, h := range hits {
			reds = append(reds, redact.Redaction{File: FileManifest, Path: path, Kind: h.Kind})
		}
		return out
	}
	out := Meta{
		BotVersion:     text("$.bot_version", meta.BotVersion),
		RulesetVersion: text("$.ruleset_version", meta.RulesetVersion),
		Endpoints:      map[string]string{},
	}
	services := make([]string, 0, len(meta.Endpoints))
	for svc := range meta.Endpoints {
		services = append(services, svc)
	}
	sort.Strings(services)
	for _, svc := range services {
		name := text("$.endpoints (key)", svc)
		path := redact.ChildPath("$.endpoints", name)
		base, kinds := stripURL(meta.Endpoints[svc])
		for _, k := range kinds {
			reds = append(reds, redact.Redaction{File: FileManifest, Path: path, Kind: k})
		}
		out.Endpoints[name] = text(path, base)
	}
	return out, reds
}

// stripURL drops a URL's credentials, query and fragment, and caps its length.
func stripURL(raw string) (string, []string) {
	var kinds []string
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		if u.User != nil {
			kinds = append(kinds, redact.KindURLCredentials)
			u.User = nil
		}
		if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			kinds = append(kinds, redact.KindURLQuerySecret)
			u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
		}
		raw = u.String()
	}
	if len(raw) > maxEndpointLength {
		raw = fmt.Sprintf("%s…", raw[:maxEndpointLength])
	}
	return raw, kinds
}
