package router

import (
	"fmt"
	"strings"
)

// Rows 17–20 decide from what the caller saw when Caracal kept no trace.

// Row 17: no trace, the caller saw 401.
func ruleAuthentication(ev *Evidence) (finding, bool) {
	h := ev.Query.Hints
	if ev.HasTrace() || h.Status != 401 {
		return finding{}, false
	}
	desc := strings.ToLower(h.Description)
	var cause, v string
	switch {
	case h.ErrorCode == "access_denied":
		cause, v = "invalid_client_credentials", "STS rejected the application's client credentials (401 access_denied \"invalid client credentials\"): the client secret is wrong or rotated, the application id is unknown or archived, or zone_id is missing. STS writes no audit row for this."
	case strings.Contains(desc, "invalid subject_token"):
		cause, v = "invalid_subject_token", "STS rejected the presented subject token (401 invalid_token \"invalid subject_token\"): it was issued for another zone or issuer, has expired, or has the wrong use (a session mandate sent to the Gateway)."
	case h.ErrorCode == "session_revoked" || strings.Contains(desc, "session revoked"):
		cause, v = "session_revoked", "The mandate's authority was revoked (401 session revoked): its authority record, Session or Delegation is in the revocation set. Mint under a live Session."
	case h.ErrorCode == "credential_expired_not_renewable":
		cause, v = "mandate_expiring", "The Gateway refused a mandate within 35 s of expiry (401 credential_expired_not_renewable): mint a fresh mandate for every call."
	case h.ErrorCode == "invalid_admin_token":
		cause, v = "invalid_admin_token", "The Admin API rejected the admin token (401 invalid_admin_token): it is missing, malformed, unknown or revoked."
	default:
		cause, v = "credentials_rejected", fmt.Sprintf("The caller's credentials were rejected (%s) before any audited step.", hintLabel(h))
	}
	return finding{SurfaceAuthentication, cause, v}, true
}

// Row 18: no trace, the caller saw 403.
func ruleForbiddenBeforePolicy(ev *Evidence) (finding, bool) {
	h := ev.Query.Hints
	if ev.HasTrace() || h.Status != 403 {
		return finding{}, false
	}
	desc := strings.ToLower(h.Description)
	switch {
	case h.ErrorCode == "zone_invalid":
		return finding{SurfaceSTSPolicy, "zone_invalid",
			"The application's credentials belong to another zone (403 zone_invalid): use the zone where the application is registered."}, true
	case strings.Contains(desc, "requested scopes exceed delegation scopes"):
		return finding{SurfaceSTSPolicy, "delegation_scope_exceeded",
			"STS refused the mint before policy: the requested scopes exceed the Delegation's scopes (403, no audit row). Widen the Delegation or request less."}, true
	case strings.Contains(desc, "inactive or expired"):
		return finding{SurfaceSTSPolicy, "authority_inactive", fmt.Sprintf(
			"STS refused the mint before policy because an authority anchor is no longer live (%q): the authority record, Session or Delegation was revoked, terminated or expired. STS writes no audit row for this.", h.Description)}, true
	}
	return finding{SurfaceSTSPolicy, "denied_before_policy", fmt.Sprintf(
		"STS refused the call before policy evaluation and wrote no audit row (%s). Candidates: an inactive authority record, Session or Delegation (\"... inactive or expired\"), a Session not owned by the caller, a Delegation path problem, or cross-zone credentials (zone_invalid); the exact error_description tells them apart.", hintLabel(h))}, true
}

// Row 19: no trace, the caller saw 400.
func ruleMalformedRequest(ev *Evidence) (finding, bool) {
	h := ev.Query.Hints
	if ev.HasTrace() || h.Status != 400 {
		return finding{}, false
	}
	return finding{SurfaceConfig, "malformed_request", fmt.Sprintf(
		"Caracal could not parse the request (%s): the client sends something Caracal refuses before any audited step (missing resource, unsupported grant type, actor_token, or a missing X-Caracal-Resource header at the Gateway).", hintLabel(h))}, true
}

// Row 20: the runtime or SDK is missing configuration.
func ruleConfigMissing(ev *Evidence) (finding, bool) {
	h := ev.Query.Hints
	if h.ErrorCode != "config_missing" {
		return finding{}, false
	}
	v := "The Caracal runtime or SDK is missing required configuration (config_missing), so the call never reached Caracal."
	if h.Description != "" {
		v += " It said: " + h.Description
	}
	return finding{SurfaceConfig, "config_missing", v}, true
}

// hintLabel renders what the caller saw, e.g. `403 access_denied "policy denied"`.
func hintLabel(h Hints) string {
	var parts []string
	if h.Status != 0 {
		parts = append(parts, fmt.Sprintf("%d", h.Status))
	}
	if h.ErrorCode != "" {
		parts = append(parts, h.ErrorCode)
	}
	if h.Description != "" {
		parts = append(parts, fmt.Sprintf("%q", h.Description))
	}
	if len(parts) == 0 {
		return "an error"
	}
	return strings.Join(parts, " ")
}
