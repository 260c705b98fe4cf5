package router

import (
	"fmt"
	"strings"
)

// Docs pages of ROUTER.md "Docs pages for next actions".
const (
	docTroubleshooting = "/operations/troubleshooting/"
	docDebugging       = "/operations/debugging/"
	docObservability   = "/operations/observability/"
	docRedis           = "/operations/redis/"
	docErrors          = "/reference/errors/"
	docAuthorize       = "/guides/authorize-access/"
	docPolicy          = "/concepts/policy/"
	docAuthorPolicy    = "/guides/author-policy/"
	docResourceGrant   = "/concepts/resource-grant/"
	docActivate        = "/guides/activate-policy-set/"
	docGateway         = "/api/gateway/"
	docRevocation      = "/concepts/sessions-revocation/"
	docApproval        = "/guides/human-approval/"
	docAuditLedger     = "/concepts/audit-ledger/"
	docConsoleObs      = "/runtime-console/observability/"
	docFAQ             = "/reference/faq/"
)

// step is a next action before the docs base is applied.
type step struct{ text, doc string }

// nextActions returns the ordered fixes for a finding, with absolute docs links.
func nextActions(ev *Evidence, f finding, docsBase string) []Action {
	steps := actionsFor(ev, f)
	base := strings.TrimRight(docsBase, "/")
	out := make([]Action, 0, len(steps))
	for _, s := range steps {
		out = append(out, Action{Text: s.text, Doc: base + s.doc})
	}
	return out
}

func actionsFor(ev *Evidence, f finding) []step {
	zone := ev.DiagnosisZone()
	switch f.Cause {
	case "api_unreachable":
		return []step{
			{"Check that the Admin API container is running and that CARACAL_API_URL points at it.", docDebugging},
			{"Run `caracal status --ready` on the host to see which services answer.", docTroubleshooting},
		}
	case "service_not_ready":
		return []step{
			{"Fix the dependency named in the /ready reason (Postgres, Redis, STS reachability, revocation snapshot) and watch `caracal-bot status` turn green.", docDebugging},
			{"For Redis outages, check the Redis deployment; STS answers 429 provider_rate_limited while it is down.", docRedis},
			{"Re-run the diagnosis once every service is ready.", docTroubleshooting},
		}
	case "policy_eval_failed":
		return []step{
			{"Read the STS logs for the engine error and check opa.compile_errors / eval_errors on STS /metrics.json.", docObservability},
			{"Re-activate the last known-good policy-set version.", docActivate},
			{"Fix data documents that produce multiple outputs for one key, then activate a new version.", docAuthorPolicy},
		}
	case "resource_not_granted":
		return []step{
			{"Add a grants entry for the resource in the zone's data document and bind the application key to the application id in app_ids.", docAuthorPolicy},
			{fmt.Sprintf("Activate the new policy-set version in zone %s and wait for propagation_status loaded.", zone), docActivate},
			{"Note: rows under /grants are consent records; STS never reads them for this decision.", docResourceGrant},
		}
	case "role_scope_mismatch":
		return []step{
			{"Give the Session a label whose role grants the scope, or extend that role in the data document.", docAuthorize},
			{"Activate the new version and mint again.", docActivate},
		}
	case "no_active_policy_set":
		return []step{
			{fmt.Sprintf("Activate a policy-set version in zone %s (only one set can be active).", zone), docActivate},
			{"Check activation-status until propagation_status is loaded.", docActivate},
		}
	case "no_rule_matched":
		return []step{
			{"Mint through the SDK's Session and Delegation flow; plain client-secret exchanges only reach agent:lifecycle.", docAuthorize},
			{"Compare the request with the allow paths of the decision contract.", docPolicy},
		}
	case "delegation_scope_exceeded", "confinement_violation":
		return []step{
			{"Widen the Delegation or confinement, or request fewer scopes.", docAuthorize},
			{"Check the Session's labels and the confinement rules in the data document.", docAuthorPolicy},
		}
	case "restriction_active", "malformed_risk_data", "malformed_approval_data":
		return []step{
			{"Fix or remove the offending entry in the data document and activate a new version.", docAuthorPolicy},
			{"Confirm propagation with activation-status.", docActivate},
		}
	case "mandate_target_mismatch":
		return []step{
			{"Mint the mandate for the resource being called, and send that resource's identifier in X-Caracal-Resource.", docGateway},
		}
	case "scope_not_declared", "upstream_insufficient_scope", "insufficient_scope":
		return []step{
			{"Declare the scope on the resource (Admin API resources, `scopes`).", docResourceGrant},
			{"Grant it to the Session's role in the data document and activate a new version.", docAuthorPolicy},
			{"Mint again; a mandate only carries scopes the resource declared when it was minted.", docFAQ},
		}
	case "operation_not_permitted":
		return []step{
			{"Declare the operation (method and path with its scope) on the enforced resource, or switch it to transport_uniform.", docGateway},
			{"Mint with the operation's scope.", docResourceGrant},
		}
	case "resource_not_found":
		return []step{
			{"Use an identifier from the zone's resource list, or register the resource.", docResourceGrant},
		}
	case "rate_limited":
		return []step{
			{"Slow the caller down or raise STS_MINT_RATE_LIMIT_PER_MIN / the console mint limit.", docErrors},
			{"Check Redis: an unavailable counter store also denies with rate_limited.", docRedis},
		}
	case "token_replayed":
		return []step{
			{"Mint a fresh Gateway mandate for every call; they are one-shot.", docGateway},
			{"If nothing replays on purpose, look for client retries that resend the same bearer.", docFAQ},
		}
	case "approval_pending", "approval_rejected", "approval_expired":
		return []step{
			{"Decide the approval in the Console or via /v1/zones/{zone}/approvals/{id}/approve (needs an approve token).", docApproval},
			{"Retry the mint with approval_id once approved; a rejected or expired approval needs a new request.", docApproval},
		}
	case "audit_evidence_lost", "audit_dlq", "audit_lag", "audit_not_ready", "not_audited_path":
		return auditActions(f.Cause)
	case "policy_not_propagated", "revocation_snapshot_stale", "grant_revoke_not_effective", "verifier_without_revocation":
		return revocationActions(f.Cause)
	case "upstream_failed":
		return []step{
			{"Check the upstream's health and that the Gateway container can reach its upstream_url.", docGateway},
			{"Read the Gateway logs by request ID for the transport error.", docDebugging},
		}
	case "missing_token", "invalid_zone", "session_required", "delegation_required", "chain_mismatch", "hop_count_exceeded", "delegation_stale":
		return []step{
			{"Check the resource server's verifier configuration (zone, issuer, route requirements) against the mandate.", docGateway},
			{"Route the call through the Gateway to get an audit trace.", docAuditLedger},
		}
	case "invalid_client_credentials", "invalid_subject_token", "session_revoked", "mandate_expiring", "invalid_admin_token", "credentials_rejected":
		return []step{
			{"Check the application id, client secret and zone the caller uses; rotate the secret if it leaked.", docErrors},
			{"Mint a fresh mandate per call and send it only to the Gateway.", docGateway},
		}
	case "zone_invalid", "authority_inactive", "denied_before_policy":
		return []step{
			{"Check the authority records and Sessions of the subject (status, expiry, revocation).", docRevocation},
			{"Use credentials issued for the targeted zone.", docErrors},
			{"STS 403 vs Gateway 403: the FAQ explains how to tell them apart.", docFAQ},
		}
	case "credential_not_provisioned", "credential_refresh_failed":
		return []step{
			{"The end user must connect (or reconnect) the provider account for this resource; the trace row's reason says which (no_user_principal, no_provider_connection, or the refresh error).", docResourceGrant},
			{"Check the subject's provider connections in the Console (subjects overview).", docRevocation},
		}
	case "resource_outside_delegation":
		return []step{
			{"Bind the Delegation to this resource or widen its constraints, then mint again.", docAuthorize},
		}
	case "provider_unavailable", "provider_credential_unavailable":
		return []step{
			{"Restore the resource's credential provider and check its circuit and IdP reachability.", docGateway},
			{"Read the STS logs by request ID for the provider error.", docDebugging},
		}
	case "approval_invalid", "approval_already_consumed":
		return []step{
			{"Request a new approval; an approval_id is bound to one request and spent once.", docApproval},
		}
	case "malformed_request", "config_missing":
		return []step{
			{"Fix the client or runtime configuration named in the error (service URLs, zone, resource header).", docTroubleshooting},
			{"Look the error code up in the reference.", docErrors},
		}
	case "allowed":
		return []step{
			{"Caracal allowed the request; look at the upstream service or the caller for the failure.", docConsoleObs},
		}
	}
	if f.Surface == SurfaceSTSPolicy {
		return []step{
			{fmt.Sprintf("Look up the STS gate %s in the error reference; the trace row's metadata reason says why it refused.", f.Cause), docErrors},
			{"Compare the request with the policy data and the resource definition.", docAuthorize},
		}
	}
	return []step{
		{"Tell me what the caller saw: `why <id> --status <code> --error <code>`, or `--symptom no-audit|revoked`.", docTroubleshooting},
		{"Check that the request ID is the one Caracal echoed (X-Request-Id, or request_id= in the SDK message).", docAuditLedger},
	}
}

func auditActions(cause string) []step {
	switch cause {
	case "audit_evidence_lost":
		return []step{
			{"Restore Redis and the producers' replay directory, then restart the producer that reports audit_evidence_lost.", docObservability},
			{"Record the gap: the lost rows cannot be recovered.", docAuditLedger},
		}
	case "audit_dlq":
		return []step{
			{"List the DLQ entries (Audit /api/audit/dlq) and fix the producer's AUDIT_HMAC_KEY if they say hmac_verify_failed.", docObservability},
			{"Replay the replayable entries once fixed.", docAuditLedger},
		}
	case "audit_lag":
		return []step{
			{"Wait for the backlog to drain and re-run; check Audit consumer_lag and the producers' replay spools.", docObservability},
			{"Check Redis and Postgres health if the lag keeps growing.", docRedis},
		}
	case "audit_not_ready":
		return []step{{"Fix the Audit service's /ready reason; rows are stored once it recovers.", docDebugging}}
	}
	return []step{
		{"Check that the call went through the Gateway (it answers with X-Request-Id and X-Caracal-Token-Expires-In).", docGateway},
		{"Use the Gateway's X-Request-Id and the right zone.", docAuditLedger},
		{"In-process verifiers never write audit rows.", docConsoleObs},
	}
}

func revocationActions(cause string) []step {
	switch cause {
	case "policy_not_propagated":
		return []step{
			{"Requeue or fix the dead API outbox rows, then re-check activation-status until loaded.", docActivate},
			{"STS also re-reads active bindings every OPA_POLL_SECONDS (default 60).", docRevocation},
		}
	case "revocation_snapshot_stale":
		return []step{
			{"Check the Gateway's Postgres and Redis connectivity; force a reload with POST /internal/revocations/reload.", docRevocation},
			{"Watch revocation_snapshot_fresh on Gateway /metrics.json return to 1.", docObservability},
		}
	case "grant_revoke_not_effective":
		return []step{
			{"Cut the application's access by changing the policy data and activating a new version.", docAuthorPolicy},
			{"Or revoke the right subject with POST /v1/zones/{zone}/subjects/revoke, or terminate the Sessions and Delegations.", docRevocation},
		}
	}
	return []step{
		{"Feed the verifier's revocation store from caracal.sessions.revoke, or route calls through the Gateway.", docRevocation},
		{"Until then, revoked resource mandates keep working until they expire (15 min at most).", docFAQ},
	}
}
