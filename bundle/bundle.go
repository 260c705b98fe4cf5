// Package bundle builds the diagnostic bundle of one request: a zip of the
// evidence collected, the diagnosis, the Doctor report and the
// audit around the request, every document redacted, with a manifest that
// lists each file's SHA-256 and every redaction (where and what kind, never
// the value). The same input always gives the same bytes.
package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Format names the bundle layout; it changes when files or keys change
// incompatibly.
const Format = "caracal-bundle/1"

// File names, in the order they are written to the zip.
const (
	FileManifest    = "manifest.json"
	FileDiagnosis   = "diagnosis.json"
	FileDiagnosisMD = "diagnosis.md"
	FileTrace       = "trace.json"
	FileReadiness   = "readiness.json"
	FileDoctor      = "doctor.json"
	FileZone        = "zone.json"
	FileMetrics     = "metrics.json"
	FileAuditWindow = "audit-window.json"
	FileMissing     = "missing.json"
)

// ContentTypeZip is the media type of Bundle.Zip, for chat and ticket uploads.
const ContentTypeZip = "application/zip"

// maxEndpointLength caps an endpoint URL in the manifest.
const maxEndpointLength = 512

// Meta is what the caller adds to the evidence.
type Meta struct {
	BotVersion     string
	RulesetVersion string
	// Endpoints maps a service (api, sts, ...) to the base URL probed.
	// Credentials, query and fragment are removed before it is written.
	Endpoints map[string]string
	// GeneratedAt is the bundle's time, also every zip entry's modification
	// time (the evidence's CollectedAt when zero).
	GeneratedAt time.Time
	// Denials is the audit list of denials around the request, read by the
	// caller; nil when it was not read (missing.json then says so).
	Denials *AuditWindow
	// Scrubber removes secrets from every file (nil: one that knows the
	// shapes of secrets but no configured value; the bot passes its own).
	Scrubber *redact.Scrubber
}

// AuditWindow is a window of the zone's audit list around the request:
// the denials from an hour before to an hour after the trace's first event.
type AuditWindow struct {
	ZoneID   string             `json:"zone_id"`
	Since    time.Time          `json:"since"`
	Until    time.Time          `json:"until"`
	Decision string             `json:"decision"`
	Limit    int                `json:"limit"`
	Source   string             `json:"source"`
	Events   []caracal.AuditRow `json:"events"`
	// More is set when Caracal had more rows than Limit (next_cursor).
	More bool `json:"more"`
	// Error says why the list could not be read ("" when it was).
	Error string `json:"error,omitempty"`
}

// FileEntry is one file of the zip as the manifest lists it.
type FileEntry struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest describes a bundle; it is manifest.json, decoded.
type Manifest struct {
	Format         string            `json:"format"`
	BotVersion     string            `json:"bot_version"`
	RulesetVersion string            `json:"ruleset_version"`
	RequestID      string            `json:"request_id"`
	ZoneID         string            `json:"zone_id"`
	AskedZone      string            `json:"asked_zone"`
	Surface        diagnose.Surface  `json:"surface"`
	Cause          diagnose.Cause    `json:"cause"`
	Query          diagnose.Query    `json:"query"`
	Endpoints      map[string]string `json:"endpoints"`
	GeneratedAt    time.Time         `json:"generated_at"`
	CollectedAt    time.Time         `json:"collected_at"`
	// AuditSince and AuditUntil bound the denials window (zero when not read).
	AuditSince time.Time `json:"audit_since,omitzero"`
	AuditUntil time.Time `json:"audit_until,omitzero"`
	// Files lists every other file of the zip with its SHA-256.
	Files []FileEntry `json:"files"`
	// Redactions lists every value removed, by file and path.
	Redactions []redact.Redaction `json:"redactions"`
}

// Bundle is a built bundle: its file name, the zip and its manifest.
type Bundle struct {
	// Name is caracal-bundle-<zone>-<request-id>.zip, reduced to
	// [A-Za-z0-9._-].
	Name     string
	Zip      []byte
	Manifest Manifest
}

// Build assembles, redacts and zips the bundle of one diagnosis. doctor may
// be nil (missing.json then says so). It fails only on evidence it cannot
// encode.
func Build(ev *diagnose.Evidence, d diagnose.Diagnosis, doctor *doctor.Report, meta Meta) (*Bundle, error) {
	if ev == nil {
		return nil, errors.New("bundle: no evidence")
	}
	r := meta.Scrubber
	if r == nil {
		r = redact.New()
	}
	if meta.GeneratedAt.IsZero() {
		meta.GeneratedAt = ev.CollectedAt
	}
	header, headerReds := sanitizeMeta(r, meta)
	var files []zipFile
	var reds []redact.Redaction
	for _, doc := range documents(ev, d, doctor, meta.Denials) {
		data, docReds, err := render(r, doc)
		if err != nil {
			return nil, fmt.Errorf("bundle: %s: %w", doc.name, err)
		}
		files = append(files, zipFile{name: doc.name, data: data})
		reds = append(reds, docReds...)
	}

	m := Manifest{
		Format: Format, BotVersion: header.BotVersion, RulesetVersion: header.RulesetVersion,
		RequestID: d.RequestID, ZoneID: d.ZoneID, AskedZone: ev.AskedZone, Surface: d.Surface, Cause: d.Cause,
		Query: ev.Query, Endpoints: header.Endpoints, GeneratedAt: meta.GeneratedAt.UTC(), CollectedAt: ev.CollectedAt.UTC(),
	}
	if w := meta.Denials; w != nil {
		m.AuditSince, m.AuditUntil = w.Since.UTC(), w.Until.UTC()
	}
	// The manifest's own values (IDs, the pasted hints) go through the
	// redactor like every document; the file list and redactions are ours.
	data, ownReds, err := render(r, document{name: FileManifest, value: m})
	if err != nil {
		return nil, fmt.Errorf("bundle: manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("bundle: manifest: %w", err)
	}
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		m.Files = append(m.Files, FileEntry{Name: f.name, Size: len(f.data), SHA256: hex.EncodeToString(sum[:])})
	}
	m.Redactions = append(append(append([]redact.Redaction{}, headerReds...), ownReds...), reds...)
	manifest, _, err := r.Encode(m) // finds nothing new: its values were scrubbed above
	if err != nil {
		return nil, fmt.Errorf("bundle: manifest: %w", err)
	}
	files = append([]zipFile{{name: FileManifest, data: manifest}}, files...)
	zipped, err := writeZip(files, meta.GeneratedAt)
	if err != nil {
		return nil, err
	}
	return &Bundle{Name: Name(m.ZoneID, m.RequestID), Zip: zipped, Manifest: m}, nil
}

// render encodes one document, scrubbed. JSON documents keep their key
// order; diagnosis.md is scrubbed value by value, then once more whole.
func render(r *redact.Scrubber, doc document) ([]byte, []redact.Redaction, error) {
	var reds []redact.Redaction
	var data []byte
	if md, ok := doc.value.(markdownDiagnosis); ok {
		text, valueReds := diagnosisMarkdown(r, diagnose.Diagnosis(md))
		out, textReds := r.TextRedactions(text)
		data, reds = []byte(out), append(valueReds, textReds...)
	} else {
		out, hits, err := r.Encode(doc.value)
		if err != nil {
			return nil, nil, err
		}
		data, reds = out, hits
	}
	for i := range reds {
		reds[i].File = doc.name
	}
	return data, reds, nil
}
