package caracal

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// timeLayout is the only timestamp form the Admin API accepts in since/until:
// UTC with milliseconds and a Z suffix (API.md §2.5).
const timeLayout = "2006-01-02T15:04:05.000Z"

// queryBuilder collects query parameters, skipping zero values.
type queryBuilder struct{ v url.Values }

func newQuery() queryBuilder { return queryBuilder{v: url.Values{}} }

func (b queryBuilder) str(key, val string) queryBuilder {
	if val != "" {
		b.v.Set(key, val)
	}
	return b
}

func (b queryBuilder) list(key string, vals []string) queryBuilder {
	kept := make([]string, 0, len(vals))
	for _, s := range vals {
		if s = strings.TrimSpace(s); s != "" {
			kept = append(kept, s)
		}
	}
	return b.str(key, strings.Join(kept, ","))
}

func (b queryBuilder) time(key string, t time.Time) queryBuilder {
	if !t.IsZero() {
		b.v.Set(key, t.UTC().Format(timeLayout))
	}
	return b
}

func (b queryBuilder) page(cursor string, limit int) queryBuilder {
	if limit > 0 {
		b.v.Set("limit", strconv.Itoa(limit))
	}
	return b.str("cursor", cursor)
}

// auditValues encodes the filters of GET .../audit (API.md §7.1); event types
// are sent comma-joined. fields and format are never sent: the client always
// wants full JSON rows.
func auditValues(q AuditQuery) url.Values {
	return newQuery().
		time("since", q.Since).time("until", q.Until).
		str("request_id", q.RequestID).str("decision", q.Decision).
		list("event_type", q.EventTypes).
		str("application_id", q.ApplicationID).str("session_id", q.SessionID).
		str("authority_record_id", q.AuthorityRecordID).str("label", q.Label).
		page(q.Cursor, q.Limit).v
}

// adminAuditValues encodes the filters of GET .../admin-audit (API.md §6.9).
func adminAuditValues(q AdminAuditQuery) url.Values {
	return newQuery().
		time("since", q.Since).time("until", q.Until).
		str("actor_id", q.ActorID).str("entity_type", q.EntityType).
		str("entity_id", q.EntityID).str("method", q.Method).
		page(q.Cursor, q.Limit).v
}

// sessionValues encodes the filters of GET .../sessions (API.md §6.10).
func sessionValues(q SessionQuery) url.Values {
	return newQuery().
		str("status", q.Status).str("lifecycle", q.Lifecycle).
		str("application_id", q.ApplicationID).str("parent_session_id", q.ParentSessionID).
		str("subject_id", q.SubjectID).str("label", q.Label).
		page(q.Cursor, q.Limit).v
}

// authorityRecordValues encodes the filters of GET .../authority-records.
func authorityRecordValues(q AuthorityRecordQuery) url.Values {
	return newQuery().
		str("authority_record_id", q.AuthorityRecordID).str("status", q.Status).
		str("subject_id", q.SubjectID).str("kind", q.Kind).
		page(q.Cursor, q.Limit).v
}

// grantValues encodes the filters of GET .../grants (API.md §6.7). The
// subject goes out as user_id, the grant's own column name (the route also
// accepts subject_id); scopes are comma-joined.
func grantValues(q GrantQuery) url.Values {
	return newQuery().
		str("application_id", q.ApplicationID).str("user_id", q.SubjectID).
		str("resource_id", q.ResourceID).str("provider_id", q.ProviderID).
		str("status", q.Status).list("scopes", q.Scopes).
		page(q.Cursor, q.Limit).v
}
