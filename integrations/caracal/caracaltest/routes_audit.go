package caracaltest

import (
	"net/http"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

func auditKey(r *caracal.AuditRow) (string, string) { return r.OccurredAt, r.ID }

// auditFilter holds the audit list's validated filters (API.md §7.1).
type auditFilter struct {
	since, until                   time.Time
	hasSince, hasUntil             bool
	requestID, decision            string
	hasRequestID                   bool
	eventTypes                     []string
	app, session, authority, label string
}

func readAuditFilter(q *query) auditFilter {
	var f auditFilter
	f.since, f.hasSince = q.stamp("since")
	f.until, f.hasUntil = q.stamp("until")
	f.requestID, f.hasRequestID = q.get("request_id")
	if f.hasRequestID && f.requestID == "" {
		q.bad = true
	}
	f.decision = q.enum("decision", "allow", "deny", "partial")
	if s, ok := q.get("event_type"); ok {
		f.eventTypes = strings.Split(s, ",")
		if len(s) > 512 || len(f.eventTypes) > 16 || contains(f.eventTypes, "") {
			q.bad = true
		}
	}
	f.app, f.session, f.authority = q.str("application_id", 0, 128), q.str("session_id", 0, 128), q.str("authority_record_id", 0, 128)
	f.label = q.str("label", 0, 64)
	return f
}

func (f auditFilter) keep(r *caracal.AuditRow) bool {
	t := parseStamp(r.OccurredAt)
	md := r.MetadataJSON
	mdStr := func(k string) string { s, _ := md[k].(string); return s }
	switch {
	case f.hasSince && t.Before(f.since), f.hasUntil && !t.Before(f.until):
		return false
	case f.hasRequestID && (r.RequestID == nil || *r.RequestID != f.requestID):
		return false
	case f.decision != "" && (r.Decision == nil || *r.Decision != f.decision):
		return false
	case f.eventTypes != nil && !contains(f.eventTypes, r.EventType):
		return false
	case f.app != "" && mdStr("application_id") != f.app,
		f.session != "" && mdStr("agent_session_id") != f.session,
		f.authority != "" && mdStr("session_id") != f.authority:
		return false
	case f.label != "":
		labels, _ := md["agent_labels"].([]any)
		for _, l := range labels {
			if l == f.label {
				return true
			}
		}
		return false
	}
	return true
}

// auditList answers GET .../audit: filters, keyset paging, newest first;
// fields= projects rows and format=csv exports them.
func (c *call) auditList() {
	q := c.query()
	f := readAuditFilter(q)
	format := q.enum("format", "json", "csv")
	fields, fieldsOK := c.exportFields(q)
	if !fieldsOK {
		return
	}
	var rows []caracal.AuditRow
	z := c.zoneData()
	if z != nil {
		rows = z.Audit
	}
	limit := q.limit(100, 1000)
	cursor, _ := q.get("cursor")
	if q.bad {
		c.json(http.StatusBadRequest, errBody("invalid_query"))
		return
	}
	kept := make([]caracal.AuditRow, 0, len(rows))
	for i := range rows {
		if f.keep(&rows[i]) {
			kept = append(kept, rows[i])
		}
	}
	if z != nil && z.Synthetic != nil {
		// The next page holds at most limit synthetic rows after the cursor.
		ct, cid, hasCursor := decodeCursor(cursor)
		kept = append(kept, z.Synthetic.page(f, limit, ct, cid, hasCursor)...)
	}
	page, next, ok := paginate(kept, auditKey, limit, cursor)
	if !ok {
		c.json(http.StatusBadRequest, errBody("invalid_cursor"))
		return
	}
	for i := range page {
		page[i] = redactRow(page[i])
	}
	switch {
	case format == "csv":
		c.auditCSV(page, fields)
	case fields != nil:
		c.auditProjected(page, fields, next)
	default:
		c.json(http.StatusOK, caracal.List[caracal.AuditRow]{Items: page, NextCursor: next})
	}
}

func (c *call) byRequest() {
	rows := traceRows(c.zoneData(), c.params["id"])
	if len(rows) == 0 {
		c.json(http.StatusNotFound, errBody("request_not_found"))
		return
	}
	out := make([]caracal.AuditRow, len(rows))
	for i := range rows {
		out[i] = redactRow(rows[i])
	}
	c.json(http.StatusOK, out)
}

func (c *call) explain() {
	rows := traceRows(c.zoneData(), c.params["id"])
	if len(rows) == 0 {
		c.json(http.StatusNotFound, errBody("request_not_found"))
		return
	}
	c.json(http.StatusOK, buildExplain(c.params["zone"], c.params["id"], rows))
}

// adminAudit answers GET .../admin-audit (API.md §6.9). GET rows exist but
// cannot be selected by ?method=.
func (c *call) adminAudit() {
	q := c.query()
	since, hasSince := q.stamp("since")
	until, hasUntil := q.stamp("until")
	actor, entityType, entityID := q.str("actor_id", 0, 128), q.str("entity_type", 0, 64), q.str("entity_id", 0, 128)
	method := q.enum("method", "POST", "PUT", "PATCH", "DELETE")
	q.enum("format", "json", "csv")
	var rows []caracal.AdminAuditRow
	if z := c.zoneData(); z != nil {
		rows = z.AdminAudit
	}
	writeList(c, q, rows, func(r *caracal.AdminAuditRow) bool {
		t := parseStamp(r.OccurredAt)
		return !(hasSince && t.Before(since)) && !(hasUntil && !t.Before(until)) &&
			eqp(actor, r.ActorID) && eqp(entityType, r.EntityType) && eqp(entityID, r.EntityID) && eq(method, r.Method)
	}, func(r *caracal.AdminAuditRow) (string, string) { return r.OccurredAt, r.ID }, 100, 1000)
}
