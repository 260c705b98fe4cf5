package caracal

import "encoding/json"

// The types in this file mirror Caracal's wire format (API.md in the shared
// reference) field for field. Nullable columns are pointers; JSONB columns whose
// shape varies by producer are json.RawMessage or map[string]any.

// List is the Admin API list envelope: {"items": [...], "next_cursor": string|null}.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// Zone is a Caracal zone (API.md §6.1).
type Zone struct {
	ID                    string  `json:"id"`
	Name                  string  `json:"name"`
	Slug                  string  `json:"slug"`
	DCREnabled            bool    `json:"dcr_enabled"`
	OperatorCoauthorBadge bool    `json:"operator_coauthor_badge"`
	OperatorGoverned      bool    `json:"operator_governed"`
	CreatedBy             *string `json:"created_by"`
	CreatedViaOperator    bool    `json:"created_via_operator"`
	UpdatedBy             *string `json:"updated_by"`
	UpdatedViaOperator    bool    `json:"updated_via_operator"`
	CreatedAt             string  `json:"created_at"`
	UpdatedAt             string  `json:"updated_at"`
}

// ZoneOverview is the aggregated dashboard read of a zone (API.md §6.2).
type ZoneOverview struct {
	ZoneID       string `json:"zone_id"`
	GeneratedAt  string `json:"generated_at"`
	Applications struct {
		Total        int `json:"total"`
		Expired      int `json:"expired"`
		ExpiringSoon int `json:"expiring_soon"`
	} `json:"applications"`
	Resources struct {
		Total      int `json:"total"`
		Unenforced int `json:"unenforced"`
	} `json:"resources"`
	Providers struct {
		Total int `json:"total"`
	} `json:"providers"`
	PolicySets struct {
		Total      int     `json:"total"`
		Enforcing  int     `json:"enforcing"`
		ActiveName *string `json:"active_name"`
	} `json:"policy_sets"`
	Sessions struct {
		Active int `json:"active"`
	} `json:"sessions"`
	Decisions24h struct {
		Allowed int `json:"allowed"`
		Denied  int `json:"denied"`
	} `json:"decisions_24h"`
	RecentEvents []RecentEvent `json:"recent_events"`
}

// RecentEvent is one of the ten newest audit rows in a ZoneOverview.
type RecentEvent struct {
	ID           string         `json:"id"`
	EventType    string         `json:"event_type"`
	RequestID    *string        `json:"request_id"`
	Decision     *string        `json:"decision"`
	MetadataJSON map[string]any `json:"metadata_json"`
	OccurredAt   string         `json:"occurred_at"`
}

// Application is a registered application (API.md §6.3). Traits are returned
// only to global-scope tokens.
type Application struct {
	ID                 string   `json:"id"`
	ZoneID             string   `json:"zone_id"`
	Name               string   `json:"name"`
	RegistrationMethod string   `json:"registration_method"`
	Traits             []string `json:"traits,omitzero"`
	ExpiresAt          *string  `json:"expires_at"`
	ArchivedAt         *string  `json:"archived_at"`
	CreatedBy          *string  `json:"created_by"`
	CreatedViaOperator bool     `json:"created_via_operator"`
	UpdatedBy          *string  `json:"updated_by"`
	UpdatedViaOperator bool     `json:"updated_via_operator"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          *string  `json:"updated_at"`
}

// Operation is one declared upstream operation of a resource.
type Operation struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Scope  string `json:"scope"`
}

// Resource is a protected resource with its declared scopes (API.md §6.4).
type Resource struct {
	ID                   string      `json:"id"`
	ZoneID               string      `json:"zone_id"`
	Name                 string      `json:"name"`
	Identifier           string      `json:"identifier"`
	UpstreamURL          *string     `json:"upstream_url"`
	Scopes               []string    `json:"scopes"`
	CredentialProviderID string      `json:"credential_provider_id"`
	Operations           []Operation `json:"operations"`
	OperationEnforcement string      `json:"operation_enforcement"`
	CreatedBy            *string     `json:"created_by"`
	CreatedViaOperator   bool        `json:"created_via_operator"`
	UpdatedBy            *string     `json:"updated_by"`
	UpdatedViaOperator   bool        `json:"updated_via_operator"`
	CreatedAt            string      `json:"created_at"`
	UpdatedAt            *string     `json:"updated_at"`
	ArchivedAt           *string     `json:"archived_at"`
}

// Policy is a policy with its versions, newest first (API.md §6.5). The list
// route omits Versions.
type Policy struct {
	ID                 string           `json:"id"`
	ZoneID             string           `json:"zone_id"`
	Name               string           `json:"name"`
	Description        *string          `json:"description"`
	CreatedBy          *string          `json:"created_by"`
	CreatedViaOperator bool             `json:"created_via_operator"`
	UpdatedBy          *string          `json:"updated_by"`
	UpdatedViaOperator bool             `json:"updated_via_operator"`
	CreatedAt          string           `json:"created_at"`
	UpdatedAt          *string          `json:"updated_at"`
	Versions           []*PolicyVersion `json:"versions,omitzero"`
}

// PolicyVersion is one version of a policy; Content is the Rego data document.
type PolicyVersion struct {
	ID                 string  `json:"id"`
	PolicyID           string  `json:"policy_id"`
	Version            int     `json:"version"`
	Content            string  `json:"content"`
	ContentSHA256      string  `json:"content_sha256"`
	SchemaVersion      string  `json:"schema_version"`
	CreatedBy          *string `json:"created_by"`
	CreatedAt          string  `json:"created_at"`
	ArchivedAt         *string `json:"archived_at"`
	CreatedViaOperator bool    `json:"created_via_operator"`
}

// PolicySet groups policies; at most one set per zone has an active version (API.md §6.6).
type PolicySet struct {
	ID                 string  `json:"id"`
	ZoneID             string  `json:"zone_id"`
	Name               string  `json:"name"`
	Description        *string `json:"description"`
	CreatedBy          *string `json:"created_by"`
	CreatedViaOperator bool    `json:"created_via_operator"`
	UpdatedBy          *string `json:"updated_by"`
	UpdatedViaOperator bool    `json:"updated_via_operator"`
	CreatedAt          string  `json:"created_at"`
	UpdatedAt          *string `json:"updated_at"`
	ActiveVersionID    *string `json:"active_version_id"`
}

// PolicySetVersion is a version of a policy set. ManifestJSON and Policies are
// present only on the item route.
type PolicySetVersion struct {
	ID                 string          `json:"id"`
	PolicySetID        string          `json:"policy_set_id"`
	Version            int             `json:"version"`
	ManifestJSON       []ManifestEntry `json:"manifest_json,omitzero"`
	ManifestSHA256     string          `json:"manifest_sha256"`
	SchemaVersion      string          `json:"schema_version"`
	CreatedBy          *string         `json:"created_by"`
	CreatedViaOperator bool            `json:"created_via_operator"`
	CreatedAt          string          `json:"created_at"`
	Policies           []string        `json:"policies,omitzero"`
}

// ManifestEntry names one policy version in a policy-set version manifest.
type ManifestEntry struct {
	PolicyVersionID string `json:"policy_version_id"`
}

// Propagation states of ActivationStatus.PropagationStatus.
const (
	PropagationLoaded               = "loaded"
	PropagationWaitingForActivation = "waiting_for_activation"
	PropagationWaitingForOutbox     = "waiting_for_outbox"
	PropagationWaitingForSTS        = "waiting_for_sts"
	PropagationFailed               = "failed"
)

// ActivationStatus tells whether a policy-set version reached STS (API.md §6.6).
type ActivationStatus struct {
	ZoneID            string        `json:"zone_id"`
	PolicySetID       string        `json:"policy_set_id"`
	VersionID         string        `json:"version_id"`
	Active            bool          `json:"active"`
	ActiveVersionID   *string       `json:"active_version_id"`
	ManifestSHA256    *string       `json:"manifest_sha256"`
	PropagationStatus string        `json:"propagation_status"`
	Outbox            OutboxStatus  `json:"outbox"`
	STS               STSPolicyInfo `json:"sts"`
}

// OutboxStatus is the API outbox row carrying a policy invalidation.
type OutboxStatus struct {
	ID           *string `json:"id"`
	State        string  `json:"state"`
	Attempts     int     `json:"attempts"`
	LastError    *string `json:"last_error"`
	DispatchedAt *string `json:"dispatched_at"`
}

// STSPolicyInfo is what one STS replica reports as loaded for the zone.
type STSPolicyInfo struct {
	State              string   `json:"state"`
	Loaded             *bool    `json:"loaded,omitempty"`
	ZoneID             string   `json:"zone_id,omitempty"`
	PolicySetVersionID string   `json:"policy_set_version_id,omitempty"`
	ManifestSHA256     string   `json:"manifest_sha256,omitempty"`
	LoadedAt           string   `json:"loaded_at,omitempty"`
	AgeSeconds         *float64 `json:"age_seconds,omitempty"`
	Detail             string   `json:"detail,omitempty"`
}

// Grant is a delegated (consent) grant (API.md §6.7). STS never reads these.
type Grant struct {
	ID                 string   `json:"id"`
	ZoneID             string   `json:"zone_id"`
	ApplicationID      string   `json:"application_id"`
	UserID             string   `json:"user_id"`
	ResourceID         string   `json:"resource_id"`
	ProviderID         string   `json:"provider_id"`
	ApplicationName    string   `json:"application_name,omitempty"`
	ResourceName       string   `json:"resource_name,omitempty"`
	ProviderName       string   `json:"provider_name,omitempty"`
	ProviderKind       string   `json:"provider_kind,omitempty"`
	Scopes             []string `json:"scopes"`
	Status             string   `json:"status"`
	CreatedBy          *string  `json:"created_by"`
	CreatedViaOperator bool     `json:"created_via_operator"`
	UpdatedBy          *string  `json:"updated_by"`
	UpdatedViaOperator bool     `json:"updated_via_operator"`
	CreatedAt          string   `json:"created_at"`
}

// AuditRow is one audit event (API.md §7.2), shared by list, by-request and explain.
type AuditRow struct {
	ID                      string           `json:"id"`
	ZoneID                  string           `json:"zone_id"`
	EventType               string           `json:"event_type"`
	RequestID               *string          `json:"request_id"`
	Decision                *string          `json:"decision"`
	PolicySetID             *string          `json:"policy_set_id"`
	PolicySetVersionID      *string          `json:"policy_set_version_id"`
	ManifestSHA             *string          `json:"manifest_sha"`
	EvaluationStatus        *string          `json:"evaluation_status"`
	DeterminingPoliciesJSON []map[string]any `json:"determining_policies_json"`
	DiagnosticsJSON         []map[string]any `json:"diagnostics_json"`
	MetadataJSON            map[string]any   `json:"metadata_json"`
	OccurredAt              string           `json:"occurred_at"`
	IngestedAt              string           `json:"ingested_at"`
}

// Explain is the request trace (API.md §7.4).
type Explain struct {
	RequestID     string        `json:"request_id"`
	ZoneID        string        `json:"zone_id"`
	FinalDecision string        `json:"final_decision"`
	Denied        []DeniedEntry `json:"denied"`
	Events        []AuditRow    `json:"events"`
}

// DeniedEntry is one denied row of a request trace with its reconstructed policy input.
type DeniedEntry struct {
	EventID             string           `json:"event_id"`
	EventType           string           `json:"event_type"`
	EvaluationStatus    *string          `json:"evaluation_status"`
	DeterminingPolicies []map[string]any `json:"determining_policies"`
	Diagnostics         []map[string]any `json:"diagnostics"`
	Metadata            map[string]any   `json:"metadata"`
	PolicyInput         json.RawMessage  `json:"policy_input"`
}

// AdminAuditRow is one management call recorded in admin-audit (API.md §6.9).
type AdminAuditRow struct {
	ID          string         `json:"id"`
	RequestID   string         `json:"request_id"`
	ActorID     *string        `json:"actor_id"`
	ActorName   *string        `json:"actor_name"`
	ActorScope  *string        `json:"actor_scope"`
	Action      string         `json:"action"`
	Method      string         `json:"method"`
	Path        string         `json:"path"`
	EntityType  *string        `json:"entity_type"`
	EntityID    *string        `json:"entity_id"`
	StatusCode  int            `json:"status_code"`
	PayloadJSON map[string]any `json:"payload_json"`
	OccurredAt  string         `json:"occurred_at"`
	ChainSeq    *string        `json:"chain_seq"`
	Signed      bool           `json:"signed"`
}

// Session is a governed execution ("agent") (API.md §6.10).
type Session struct {
	SessionID                string   `json:"session_id"`
	ApplicationID            string   `json:"application_id"`
	ParentSessionID          *string  `json:"parent_session_id"`
	Status                   string   `json:"status"`
	Lifecycle                string   `json:"lifecycle"`
	Labels                   []string `json:"labels"`
	Depth                    int      `json:"depth"`
	ChildCount               int      `json:"child_count"`
	SubjectAuthorityRecordID *string  `json:"subject_authority_record_id"`
	SubjectID                *string  `json:"subject_id"`
	FederatedUserID          *string  `json:"federated_user_id"`
	FederatedUserIssuer      *string  `json:"federated_user_issuer"`
	StartedAt                string   `json:"started_at"`
	LastActiveAt             *string  `json:"last_active_at"`
	TerminatedAt             *string  `json:"terminated_at"`
	TerminationReason        *string  `json:"termination_reason"`
	TTLSeconds               *int     `json:"ttl_seconds"`
}

// AuthorityRecord is the revocation anchor carried in mandates as sid (API.md §6.10).
type AuthorityRecord struct {
	AuthorityRecordID       string  `json:"authority_record_id"`
	ZoneID                  string  `json:"zone_id"`
	AuthorityRecordType     string  `json:"authority_record_type"`
	SubjectID               string  `json:"subject_id"`
	FederatedUserIssuer     *string `json:"federated_user_issuer"`
	ParentAuthorityRecordID *string `json:"parent_authority_record_id"`
	Status                  string  `json:"status"`
	ExpiresAt               *string `json:"expires_at"`
	AuthenticatedAt         *string `json:"authenticated_at"`
	CreatedAt               string  `json:"created_at"`
	RevokedAt               *string `json:"revoked_at"`
	RevokedReason           *string `json:"revoked_reason"`
}

// ApprovalStatus is STS's public view of an approval hold (API.md §3.8).
type ApprovalStatus struct {
	ExpiresAt string `json:"expires_at"`
	ID        string `json:"id"`
	State     string `json:"state"`
}
