package caracal

import "time"

// AuditQuery holds the filters of GET /v1/zones/{z}/audit (API.md §7.1). Zero
// values are left out of the query string. Since and Until are sent as UTC ISO
// timestamps with a Z suffix, as the API requires.
type AuditQuery struct {
	Since             time.Time
	Until             time.Time
	RequestID         string
	Decision          string
	EventTypes        []string
	ApplicationID     string
	SessionID         string
	AuthorityRecordID string
	Label             string
	Cursor            string
	Limit             int
}

// AdminAuditQuery holds the filters of GET /v1/zones/{z}/admin-audit (API.md §6.9).
type AdminAuditQuery struct {
	Since      time.Time
	Until      time.Time
	ActorID    string
	EntityType string
	EntityID   string
	Method     string
	Cursor     string
	Limit      int
}

// SessionQuery holds the filters of GET /v1/zones/{z}/sessions (API.md §6.10).
type SessionQuery struct {
	Status          string
	Lifecycle       string
	ApplicationID   string
	ParentSessionID string
	SubjectID       string
	Label           string
	Cursor          string
	Limit           int
}

// AuthorityRecordQuery holds the filters of GET /v1/zones/{z}/authority-records.
type AuthorityRecordQuery struct {
	AuthorityRecordID string
	Status            string
	SubjectID         string
	Kind              string
	Cursor            string
	Limit             int
}

// GrantQuery holds the filters of GET /v1/zones/{z}/grants (API.md §6.7).
type GrantQuery struct {
	ApplicationID string
	SubjectID     string
	ResourceID    string
	ProviderID    string
	Status        string
	Scopes        []string
	Cursor        string
	Limit         int
}
