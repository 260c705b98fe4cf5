package caracaltest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// exportFieldNames lists the audit export fields (API.md §7.1): row fields,
// then metadata fields lifted to the top level.
func exportFieldNames() []string {
	return []string{
		"id", "occurred_at", "event_type", "decision", "evaluation_status", "request_id", "ingested_at",
		"policy_set_id", "policy_set_version_id", "manifest_sha", "determining_policies",
		"application_id", "application_name", "resource", "requested_scopes", "agent_session_id",
		"agent_lifecycle", "agent_labels", "delegation_edge_id", "delegation_hop_count", "method", "latency_ms",
		"upstream_status", "result_class", "reason", "trace_id", "provider_id", "connection_id", "upstream_host",
		"gateway_status", "error_kind", "response_bytes", "auth_mode", "subject_fingerprint", "subject",
		"authorized_by", "command", "subcommand", "challenge_id", "tier", "approver_class", "privacy_mode",
		"approver_subject_id", "subject_anchor", "subject_kind", "federated_user_issuer",
	}
}

// exportFields reads ?fields=; it answers 400 invalid_fields itself and
// returns false when a name is unknown. nil means no projection.
func (c *call) exportFields(q *query) ([]string, bool) {
	s, ok := q.get("fields")
	if !ok {
		return nil, true
	}
	if len(s) > 1000 {
		q.bad = true
		return nil, true
	}
	fields := strings.Split(s, ",")
	known := exportFieldNames()
	for _, f := range fields {
		if !contains(known, f) {
			c.json(http.StatusBadRequest, errBody("invalid_fields"))
			return nil, false
		}
	}
	return fields, true
}

// exportValue is one field of a (redacted) row, and whether it has a value.
func exportValue(r *caracal.AuditRow, field string) (any, bool) {
	str := func(p *string) (any, bool) {
		if p == nil {
			return nil, false
		}
		return *p, true
	}
	switch field {
	case "id":
		return r.ID, true
	case "occurred_at":
		return r.OccurredAt, true
	case "ingested_at":
		return r.IngestedAt, true
	case "event_type":
		return r.EventType, true
	case "decision":
		return str(r.Decision)
	case "evaluation_status":
		return str(r.EvaluationStatus)
	case "request_id":
		return str(r.RequestID)
	case "policy_set_id":
		return str(r.PolicySetID)
	case "policy_set_version_id":
		return str(r.PolicySetVersionID)
	case "manifest_sha":
		return str(r.ManifestSHA)
	case "determining_policies":
		if r.DeterminingPoliciesJSON == nil {
			return nil, false
		}
		names := []string{}
		for _, d := range r.DeterminingPoliciesJSON {
			if n, ok := d["policy"].(string); ok {
				names = append(names, n)
			}
		}
		return names, true
	}
	v, ok := r.MetadataJSON[field]
	return v, ok && v != nil
}

// orderedObject marshals its members in order.
type orderedObject struct {
	keys []string
	vals []any
}

// MarshalJSON writes the members in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// auditProjected writes flat items holding only the requested fields that
// have a value, in the order asked.
func (c *call) auditProjected(rows []caracal.AuditRow, fields []string, next *string) {
	items := make([]orderedObject, 0, len(rows))
	for i := range rows {
		var o orderedObject
		for _, f := range fields {
			if v, ok := exportValue(&rows[i], f); ok {
				o.keys, o.vals = append(o.keys, f), append(o.vals, v)
			}
		}
		items = append(items, o)
	}
	c.json(http.StatusOK, caracal.List[orderedObject]{Items: items, NextCursor: next})
}

// auditCSV writes the rows as an attachment: a header row, then CRLF rows.
func (c *call) auditCSV(rows []caracal.AuditRow, fields []string) {
	if fields == nil {
		fields = exportFieldNames()
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	_ = cw.Write(fields)
	for i := range rows {
		rec := make([]string, len(fields))
		for j, f := range fields {
			v, ok := exportValue(&rows[i], f)
			switch x := v.(type) {
			case nil:
			case string:
				rec[j] = x
			default:
				if ok {
					b, _ := json.Marshal(x)
					rec[j] = string(b)
				}
			}
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	c.w.Header().Set("Content-Disposition", `attachment; filename="audit-`+c.params["zone"]+`.csv"`)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(buf.Bytes())
}
