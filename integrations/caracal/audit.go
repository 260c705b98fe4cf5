package caracal

import "context"

// Audit reads one page of the zone's audit rows, newest first (API.md §7.1).
// Walk further pages with CollectPages and q.Cursor. Rows of approval holds
// (decision "pending") never match a Decision "deny" filter.
func (c *Client) Audit(ctx context.Context, zoneID string, q AuditQuery) (*List[AuditRow], error) {
	return adminPage[AuditRow](ctx, c, auditValues(q), "/v1/zones/%s/audit", param("zone id", zoneID))
}

// AuditByRequest reads every audit row of one request id in the zone, oldest
// first (API.md §7.3; a bare JSON array). No rows is a 404 request_not_found
// (IsNotFound); ids outside ^[A-Za-z0-9_.\-:]{1,128}$ get 400 invalid_params,
// for those use Audit with RequestID.
func (c *Client) AuditByRequest(ctx context.Context, zoneID, requestID string) ([]AuditRow, error) {
	path, err := buildPath("/v1/zones/%s/audit/by-request/%s",
		param("zone id", zoneID), param("request id", requestID))
	if err != nil {
		return nil, err
	}
	cl, err := c.adminCall(path, nil)
	if err != nil {
		return nil, err
	}
	body, err := c.fetch(ctx, cl)
	if err != nil {
		return nil, err
	}
	rows := []AuditRow{}
	if err := decodeArray(cl, body, &rows); err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []AuditRow{}
	}
	return rows, nil
}

// Explain reads the request trace of one request id (API.md §7.4). A 404
// request_not_found means no audit row exists in this zone for the id, which
// many failure paths produce (§7.9); it is not proof that nothing happened.
func (c *Client) Explain(ctx context.Context, zoneID, requestID string) (*Explain, error) {
	return adminObject[Explain](ctx, c, nil, "/v1/zones/%s/audit/by-request/%s/explain",
		param("zone id", zoneID), param("request id", requestID))
}

// AdminAudit reads one page of the zone's management-call log (API.md §6.9).
// The bot's own reads are recorded there too.
func (c *Client) AdminAudit(ctx context.Context, zoneID string, q AdminAuditQuery) (*List[AdminAuditRow], error) {
	return adminPage[AdminAuditRow](ctx, c, adminAuditValues(q), "/v1/zones/%s/admin-audit", param("zone id", zoneID))
}

// Sessions reads one page of governed Sessions (API.md §6.10).
func (c *Client) Sessions(ctx context.Context, zoneID string, q SessionQuery) (*List[Session], error) {
	return adminPage[Session](ctx, c, sessionValues(q), "/v1/zones/%s/sessions", param("zone id", zoneID))
}

// AuthorityRecords reads one page of authority records, the revocation
// anchors carried in mandates as sid (API.md §6.10).
func (c *Client) AuthorityRecords(ctx context.Context, zoneID string, q AuthorityRecordQuery) (*List[AuthorityRecord], error) {
	return adminPage[AuthorityRecord](ctx, c, authorityRecordValues(q), "/v1/zones/%s/authority-records", param("zone id", zoneID))
}
