// Package auditrow reads the loosely typed parts of Caracal audit rows:
// metadata and diagnostics are producer-defined JSON objects (API.md §7.8),
// and a request trace is a list of rows to search.
package auditrow

import (
	"fmt"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Str returns the value of an optional field, "" when absent.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Time parses an audit timestamp (occurred_at, ingested_at); the zero time
// when it cannot.
func Time(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Meta returns a metadata value as a string ("" when absent or not a scalar).
func Meta(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%g", v)
	case bool:
		return fmt.Sprintf("%t", v)
	}
	return ""
}

// MetaInt returns a numeric metadata value.
func MetaInt(m map[string]any, key string) (int, bool) {
	if v, ok := m[key].(float64); ok {
		return int(v), true
	}
	return 0, false
}

// MetaStrings returns the strings of a metadata list.
func MetaStrings(m map[string]any, key string) []string {
	raw, ok := m[key].([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Reason returns diagnostics[0].reason of a policy deny row.
func Reason(diags []map[string]any) string {
	if len(diags) == 0 {
		return ""
	}
	return Meta(diags[0], "reason")
}

// IsDeny reports whether the row denies.
func IsDeny(r caracal.AuditRow) bool { return Str(r.Decision) == "deny" }

// Where returns the trace rows for which keep is true, oldest first.
func Where(t *caracal.Explain, keep func(caracal.AuditRow) bool) []caracal.AuditRow {
	if t == nil {
		return nil
	}
	var out []caracal.AuditRow
	for _, r := range t.Events {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// First returns the first trace row for which keep is true.
func First(t *caracal.Explain, keep func(caracal.AuditRow) bool) (caracal.AuditRow, bool) {
	rows := Where(t, keep)
	if len(rows) == 0 {
		return caracal.AuditRow{}, false
	}
	return rows[0], true
}

// ExchangeDeny matches token_exchange deny rows with the given evaluation
// status ("" matches any status except the closing exchange_denied row).
func ExchangeDeny(status string) func(caracal.AuditRow) bool {
	return func(r caracal.AuditRow) bool {
		if r.EventType != "token_exchange" || !IsDeny(r) {
			return false
		}
		es := Str(r.EvaluationStatus)
		if status == "" {
			return es != "exchange_denied"
		}
		return es == status
	}
}

// OfType matches rows of one event type.
func OfType(eventType string) func(caracal.AuditRow) bool {
	return func(r caracal.AuditRow) bool { return r.EventType == eventType }
}

// ApplicationRow returns the row that best names the trace's application
// and resource: the first row that carries a resource, else the first row.
func ApplicationRow(t *caracal.Explain) (caracal.AuditRow, bool) {
	if r, ok := First(t, func(r caracal.AuditRow) bool { return Meta(r.MetadataJSON, "resource") != "" }); ok {
		return r, true
	}
	if t != nil && len(t.Events) > 0 {
		return t.Events[0], true
	}
	return caracal.AuditRow{}, false
}
