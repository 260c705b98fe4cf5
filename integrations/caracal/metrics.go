package caracal

import "time"

// STSMetrics is STS GET /metrics.json (API.md §3.4).
type STSMetrics struct {
	STS struct {
		GraphTraversals             uint64 `json:"graph_traversals"`
		GraphTraversalErrors        uint64 `json:"graph_traversal_errors"`
		AuditDropped                uint64 `json:"audit_dropped"`
		AuditReplayPending          uint64 `json:"audit_replay_pending"`
		AuditReplayFiles            uint64 `json:"audit_replay_files"`
		AuditReplayBytes            uint64 `json:"audit_replay_bytes"`
		AuditReplayOldestAgeSeconds uint64 `json:"audit_replay_oldest_age_seconds"`
		AuditReplayReplayed         uint64 `json:"audit_replay_replayed"`
		AuditSinkErrors             uint64 `json:"audit_sink_errors"`
		JWKSInvalidKeys             uint64 `json:"jwks_invalid_keys"`
		ProviderRefreshShared       uint64 `json:"provider_refresh_shared"`
		ProviderRefreshLeased       uint64 `json:"provider_refresh_leased"`
		ProviderRefreshWaited       uint64 `json:"provider_refresh_waited"`
		ProviderRefreshErrors       uint64 `json:"provider_refresh_errors"`
		ProviderCircuitOpen         uint64 `json:"provider_circuit_open"`
		SecretBackendReads          uint64 `json:"secret_backend_reads"`
		SecretBackendErrors         uint64 `json:"secret_backend_errors"`
	} `json:"sts"`
	OPA struct {
		EvalTotal               uint64  `json:"eval_total"`
		EvalErrors              uint64  `json:"eval_errors"`
		EvalDurationNS          uint64  `json:"eval_duration_ns"`
		CompileTotal            uint64  `json:"compile_total"`
		CompileErrors           uint64  `json:"compile_errors"`
		CompileDurationNS       uint64  `json:"compile_duration_ns"`
		MaxPolicyAgeSeconds     float64 `json:"max_policy_age_seconds"`
		PollIntervalSeconds     float64 `json:"poll_interval_seconds"`
		DecisionContractVersion string  `json:"decision_contract_version"`
		DecisionContractSHA256  string  `json:"decision_contract_sha256"`
	} `json:"opa"`
	AuditDropped uint64 `json:"audit_dropped"`
}

// GatewayMetrics is Gateway /metrics.json (API.md §3.5).
type GatewayMetrics struct {
	RequestsTotal                uint64 `json:"requests_total"`
	RequestsAllowed              uint64 `json:"requests_allowed"`
	RequestsDenied               uint64 `json:"requests_denied"`
	DenialsMissingAuth           uint64 `json:"denials_missing_auth"`
	DenialsBadBearer             uint64 `json:"denials_bad_bearer"`
	DenialsExpiring              uint64 `json:"denials_expiring"`
	DenialsBadRouting            uint64 `json:"denials_bad_routing"`
	DenialsPathTraversal         uint64 `json:"denials_path_traversal"`
	DenialsSignature             uint64 `json:"denials_signature"`
	DenialsJTIReplay             uint64 `json:"denials_jti_replay"`
	DenialsRevoked               uint64 `json:"denials_revoked"`
	DenialsRevocationStale       uint64 `json:"denials_revocation_stale"`
	STSExchangeErrors            uint64 `json:"sts_exchange_errors"`
	STSExchangeLatencyMS         uint64 `json:"sts_exchange_latency_ms"`
	STSCircuitOpen               uint64 `json:"sts_circuit_open"`
	STSCircuitOpened             uint64 `json:"sts_circuit_opened"`
	STSCircuitFastFail           uint64 `json:"sts_circuit_fast_fail"`
	UpstreamErrors               uint64 `json:"upstream_errors"`
	AuditReplayFiles             uint64 `json:"audit_replay_files"`
	AuditReplayBytes             uint64 `json:"audit_replay_bytes"`
	AuditReplayOldestAgeSeconds  uint64 `json:"audit_replay_oldest_age_seconds"`
	AuditDropped                 uint64 `json:"audit_dropped"`
	AuditSinkErrors              uint64 `json:"audit_sink_errors"`
	AuditQueueDepth              uint64 `json:"audit_queue_depth"`
	AuditQueueCap                uint64 `json:"audit_queue_cap"`
	AuditPersisted               uint64 `json:"audit_persisted"`
	AuditDrained                 uint64 `json:"audit_drained"`
	RevocationsActive            uint64 `json:"revocations_active"`
	RevocationSnapshotAgeSeconds uint64 `json:"revocation_snapshot_age_seconds"`
	RevocationSnapshotFresh      uint64 `json:"revocation_snapshot_fresh"`
	RevocationMessages           uint64 `json:"revocation_messages"`
	RevocationPendingReplayed    uint64 `json:"revocation_pending_replayed"`
	RevocationDeadLetters        uint64 `json:"revocation_dead_letters"`
	RevocationInvalidSignatures  uint64 `json:"revocation_invalid_signatures"`
	RevocationReloads            uint64 `json:"revocation_reloads"`
	RevocationReloadErrors       uint64 `json:"revocation_reload_errors"`
	RevocationPropagationSeconds uint64 `json:"revocation_propagation_seconds"`
}

// AuditMetrics is Audit GET /metrics.json (API.md §3.6).
type AuditMetrics struct {
	InsertsTotal               int64 `json:"inserts_total"`
	ExportEventsTotal          int64 `json:"export_events_total"`
	ExportErrorsTotal          int64 `json:"export_errors_total"`
	ExportDurationMS           int64 `json:"export_duration_ms"`
	ExportBacklogHours         int64 `json:"export_backlog_hours"`
	ConsumerLag                int64 `json:"consumer_lag"`
	ConsumerPELOldestSecs      int64 `json:"consumer_pel_oldest_secs"`
	DLQSize                    int64 `json:"dlq_size"`
	DLQOldestAgeSecs           int64 `json:"dlq_oldest_age_secs"`
	ParseErrorsTotal           int64 `json:"parse_errors_total"`
	DLQTotal                   int64 `json:"dlq_total"`
	RetriesTotal               int64 `json:"retries_total"`
	HMACFailuresTotal          int64 `json:"hmac_failures_total"`
	TamperReplayTotal          int64 `json:"tamper_replay_total"`
	TamperCheckedTotal         int64 `json:"tamper_checked_total"`
	TamperMismatchTotal        int64 `json:"tamper_mismatch_total"`
	TamperChainBreaks          int64 `json:"tamper_chain_breaks"`
	TamperHMACFailures         int64 `json:"tamper_hmac_failures"`
	TamperLastSweepUnix        int64 `json:"tamper_last_sweep_unix"`
	TamperLastFullUnix         int64 `json:"tamper_last_full_unix"`
	RetentionCreatedTotal      int64 `json:"retention_created_total"`
	RetentionDroppedTotal      int64 `json:"retention_dropped_total"`
	IsExportLeader             bool  `json:"is_export_leader"`
	IsRetentionLeader          bool  `json:"is_retention_leader"`
	ExportLeaseChangesTotal    int64 `json:"export_lease_changes_total"`
	RetentionLeaseChangesTotal int64 `json:"retention_lease_changes_total"`
}

// CoordinatorStats is Coordinator GET /stats (API.md §3.7). Invocation and
// outbox maps hold only the statuses that have rows.
type CoordinatorStats struct {
	Invocations map[string]float64 `json:"invocations"`
	Outbox      map[string]float64 `json:"outbox"`
	Idempotency struct {
		Rows          float64 `json:"rows"`
		OldestSeconds float64 `json:"oldestSeconds"`
		Outcomes      struct {
			Created   float64 `json:"created"`
			Replayed  float64 `json:"replayed"`
			Conflicts float64 `json:"conflicts"`
			Invalid   float64 `json:"invalid"`
			Expired   float64 `json:"expired"`
		} `json:"outcomes"`
	} `json:"idempotency"`
	TTLSweeper struct {
		Runs       float64 `json:"runs"`
		Failures   float64 `json:"failures"`
		Terminated float64 `json:"terminated"`
	} `json:"ttl_sweeper"`
	ServiceLeaseSweeper struct {
		Runs      float64 `json:"runs"`
		Failures  float64 `json:"failures"`
		Suspended float64 `json:"suspended"`
	} `json:"service_lease_sweeper"`
	RetentionCleaner struct {
		Runs                       float64 `json:"runs"`
		Failures                   float64 `json:"failures"`
		ExpiredEdges               float64 `json:"expired_edges"`
		DeletedEdges               float64 `json:"deleted_edges"`
		DeletedSessions            float64 `json:"deleted_sessions"`
		DeletedOutbox              float64 `json:"deleted_outbox"`
		DeletedIdempotencyReceipts float64 `json:"deleted_idempotency_receipts"`
	} `json:"retention_cleaner"`
	Log struct {
		Emitted float64 `json:"emitted"`
		Dropped float64 `json:"dropped"`
		Sampled float64 `json:"sampled"`
	} `json:"log"`
}

// Service names one of Caracal's five services, in `caracal status` order.
type Service string

// The five Caracal services.
const (
	ServiceAPI         Service = "api"
	ServiceSTS         Service = "sts"
	ServiceGateway     Service = "gateway"
	ServiceAudit       Service = "audit"
	ServiceCoordinator Service = "coordinator"
)

// AllServices lists the five services in the order `caracal status` prints them.
func AllServices() []Service {
	return []Service{ServiceAPI, ServiceSTS, ServiceGateway, ServiceAudit, ServiceCoordinator}
}

// Probe is the outcome of one /health or /ready call (API.md §3.1–3.2).
// Reachable is false on transport errors (refused, DNS, timeout); Reason is
// the first of the body's reason, error, detail, error_description keys, or
// the body's first line when it is not JSON.
type Probe struct {
	Service   Service `json:"service"`
	URL       string  `json:"url"`
	Reachable bool    `json:"reachable"`
	Status    int     `json:"status,omitempty"`
	OK        bool    `json:"ok"`
	Reason    string  `json:"reason,omitempty"`
	Error     string  `json:"error,omitempty"`
	Timeout   bool    `json:"timeout,omitempty"`
	// Body is the decoded JSON body when it was an object (e.g. deadCount).
	Body map[string]any `json:"body,omitempty"`
	// Date is the response's Date header, for the Doctor's clock-skew check.
	Date string `json:"date,omitempty"`
	// Received is when the answer (or the failure) came back, by the clock
	// of whoever probed (collect stamps it): the moment Date is compared with.
	Received time.Time `json:"received_at,omitzero"`
}
