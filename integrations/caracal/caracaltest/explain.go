package caracaltest

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

const redacted = "[redacted]"

// isRedactedKey reports whether the Admin API's read routes redact a key's
// value (case-insensitive, at any depth; API.md §2.5).
func isRedactedKey(k string) bool {
	switch strings.ToLower(k) {
	case "password", "passwd", "secret", "token", "access_token", "refresh_token", "id_token",
		"api_key", "apikey", "authorization", "cookie", "set_cookie", "client_secret",
		"private_key", "session", "session_id", "assertion":
		return true
	}
	return false
}

// redact returns a copy of v with the values of sensitive keys replaced by
// "[redacted]", at any depth.
func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if isRedactedKey(k) {
				out[k] = redacted
				continue
			}
			out[k] = redact(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = redact(x[i])
		}
		return out
	}
	return v
}

func redactMetadata(md map[string]any) map[string]any {
	if md == nil {
		return nil
	}
	return redact(md).(map[string]any)
}

// redactRow returns the row as the read routes show it.
func redactRow(r caracal.AuditRow) caracal.AuditRow {
	r.MetadataJSON = redactMetadata(r.MetadataJSON)
	return r
}

// traceRows selects a request's rows in a zone, oldest first. Rows with the
// same occurred_at keep their insertion order.
func traceRows(z *ZoneData, requestID string) []caracal.AuditRow {
	if z == nil {
		return nil
	}
	var rows []caracal.AuditRow
	for _, r := range z.Audit {
		if r.RequestID != nil && *r.RequestID == requestID {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		return parseStamp(rows[i].OccurredAt).Before(parseStamp(rows[j].OccurredAt))
	})
	return rows
}

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// buildExplain builds the request trace the way the Admin API does
// (API.md §7.4) from the request's rows, oldest first, with unredacted metadata.
func buildExplain(zoneID, requestID string, rows []caracal.AuditRow) caracal.Explain {
	ex := caracal.Explain{
		RequestID: requestID,
		ZoneID:    zoneID,
		Denied:    []caracal.DeniedEntry{},
		Events:    make([]caracal.AuditRow, 0, len(rows)),
	}
	anyDeny := false
	for _, r := range rows {
		ex.Events = append(ex.Events, redactRow(r))
		if r.Decision == nil || *r.Decision != "deny" {
			continue
		}
		anyDeny = true
		ex.Denied = append(ex.Denied, deniedEntry(zoneID, r))
	}
	switch {
	case anyDeny:
		ex.FinalDecision = "deny"
	case len(rows) > 0 && rows[len(rows)-1].Decision != nil:
		ex.FinalDecision = *rows[len(rows)-1].Decision
	default:
		ex.FinalDecision = "unknown"
	}
	return ex
}

func deniedEntry(zoneID string, r caracal.AuditRow) caracal.DeniedEntry {
	d := caracal.DeniedEntry{
		EventID:             r.ID,
		EventType:           r.EventType,
		EvaluationStatus:    r.EvaluationStatus,
		DeterminingPolicies: r.DeterminingPoliciesJSON,
		Diagnostics:         r.DiagnosticsJSON,
		Metadata:            redactMetadata(r.MetadataJSON),
	}
	if d.DeterminingPolicies == nil {
		d.DeterminingPolicies = []map[string]any{}
	}
	if d.Diagnostics == nil {
		d.Diagnostics = []map[string]any{}
	}
	if d.Metadata == nil {
		d.Metadata = map[string]any{}
	}
	in, _ := json.Marshal(policyInputFor(zoneID, r.MetadataJSON))
	d.PolicyInput = in
	return d
}

// policyInput is the OPA input the Admin API reconstructs for a denied row.
// Optional members are present exactly when the metadata has the key.
type policyInput struct {
	SchemaVersion  string         `json:"schema_version"`
	Principal      inputPrincipal `json:"principal"`
	Resource       inputResource  `json:"resource"`
	Action         inputAction    `json:"action"`
	Context        inputContext   `json:"context"`
	Session        *inputID       `json:"session,omitempty"`
	DelegationEdge *inputID       `json:"delegation_edge,omitempty"`
}

type inputPrincipal struct {
	Type               string `json:"type"`
	ID                 string `json:"id"`
	ZoneID             string `json:"zone_id"`
	RegistrationMethod any    `json:"registration_method,omitempty"`
	AgentSessionID     any    `json:"agent_session_id,omitempty"`
	Lifecycle          any    `json:"lifecycle,omitempty"`
	Labels             any    `json:"labels,omitempty"`
}

type inputResource struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
	Scopes     any    `json:"scopes"`
}

type inputAction struct {
	ID string `json:"id"`
}

type inputContext struct {
	ActorClaims       map[string]any `json:"actor_claims"`
	RequestedScopes   any            `json:"requested_scopes"`
	ChallengeResolved bool           `json:"challenge_resolved"`
	SessionID         any            `json:"session_id,omitempty"`
	AgentSessionID    any            `json:"agent_session_id,omitempty"`
	DelegationEdgeID  any            `json:"delegation_edge_id,omitempty"`
}

type inputID struct {
	ID any `json:"id"`
}

func policyInputFor(zoneID string, md map[string]any) policyInput {
	get := func(k string) any {
		if md == nil {
			return nil
		}
		return md[k]
	}
	orEmpty := func(k string) string { // JavaScript `value || ""`
		v, _ := get(k).(string)
		return v
	}
	scopes := get("requested_scopes")
	if scopes == nil {
		scopes = []any{}
	}
	in := policyInput{
		SchemaVersion: "2026-05-20",
		Principal: inputPrincipal{
			Type:               "Application",
			ID:                 orEmpty("application_id"),
			ZoneID:             zoneID,
			RegistrationMethod: get("application_registration_method"),
			AgentSessionID:     get("agent_session_id"),
			Lifecycle:          get("agent_lifecycle"),
			Labels:             get("agent_labels"),
		},
		Resource: inputResource{Type: "Resource", Identifier: orEmpty("resource"), Scopes: scopes},
		Action:   inputAction{ID: "TokenExchange"},
		Context: inputContext{
			ActorClaims:      map[string]any{},
			RequestedScopes:  scopes,
			SessionID:        get("session_id"),
			AgentSessionID:   get("agent_session_id"),
			DelegationEdgeID: get("delegation_edge_id"),
		},
	}
	if v, ok := md["session_id"]; ok {
		in.Session = &inputID{ID: v}
	}
	if v, ok := md["delegation_edge_id"]; ok {
		in.DelegationEdge = &inputID{ID: v}
	}
	return in
}
