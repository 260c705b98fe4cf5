package diagnose

import (
	"fmt"
	"strings"
)

// Causes on the authentication surface: no trace, and the caller saw 401.
// The first that holds, in this order, is the cause.
const (
	CauseInvalidClientCredentials Cause = "invalid_client_credentials"
	CauseInvalidSubjectToken      Cause = "invalid_subject_token"
	CauseSessionRevoked           Cause = "session_revoked"
	CauseMandateExpiring          Cause = "mandate_expiring"
	CauseInvalidAdminToken        Cause = "invalid_admin_token"
	CauseCredentialsRejected      Cause = "credentials_rejected"
)

// unauthenticated is row 17's guard.
func unauthenticated() guard { return refused(17, 401, SurfaceAuthentication) }

func invalidClientCredentials() Entry {
	return unauthenticated().entry(CauseInvalidClientCredentials, "code access_denied",
		func(ev *Evidence) bool { return ev.Query.Hints.ErrorCode == "access_denied" },
		func(*Evidence) string {
			return "STS rejected the application's client credentials (401 access_denied \"invalid client credentials\"): the client secret is wrong or rotated, the application id is unknown or archived, or zone_id is missing. STS writes no audit row for this."
		}, credentialActions()...)
}

func invalidSubjectToken() Entry {
	return unauthenticated().entry(CauseInvalidSubjectToken, `description "invalid subject_token"`,
		func(ev *Evidence) bool { return describes(ev, "invalid subject_token") },
		func(*Evidence) string {
			return "STS rejected the presented subject token (401 invalid_token \"invalid subject_token\"): it was issued for another zone or issuer, has expired, or has the wrong use (a session mandate sent to the Gateway)."
		}, credentialActions()...)
}

func sessionRevoked() Entry {
	return unauthenticated().entry(CauseSessionRevoked, `code session_revoked or description "session revoked"`,
		func(ev *Evidence) bool {
			return ev.Query.Hints.ErrorCode == string(CauseSessionRevoked) || describes(ev, "session revoked")
		},
		func(*Evidence) string {
			return "The mandate's authority was revoked (401 session revoked): its authority record, Session or Delegation is in the revocation set. Mint under a live Session."
		}, credentialActions()...)
}

func mandateExpiring() Entry {
	return unauthenticated().entry(CauseMandateExpiring, "code credential_expired_not_renewable",
		func(ev *Evidence) bool { return ev.Query.Hints.ErrorCode == "credential_expired_not_renewable" },
		func(*Evidence) string {
			return "The Gateway refused a mandate within 35 s of expiry (401 credential_expired_not_renewable): mint a fresh mandate for every call."
		}, credentialActions()...)
}

func invalidAdminToken() Entry {
	return unauthenticated().entry(CauseInvalidAdminToken, "code invalid_admin_token",
		func(ev *Evidence) bool { return ev.Query.Hints.ErrorCode == string(CauseInvalidAdminToken) },
		func(*Evidence) string {
			return "The Admin API rejected the admin token (401 invalid_admin_token): it is missing, malformed, unknown or revoked."
		}, credentialActions()...)
}

func credentialsRejected() Entry {
	return unauthenticated().entry(CauseCredentialsRejected, "otherwise", always,
		func(ev *Evidence) string {
			return fmt.Sprintf("The caller's credentials were rejected (%s) before any audited step.", hintLabel(ev.Query.Hints))
		}, credentialActions()...)
}

func credentialActions() []NextAction {
	return []NextAction{
		{Text: "Check the application id, client secret and zone the caller uses; rotate the secret if it leaked.", Page: DocErrors},
		{Text: "Mint a fresh mandate per call and send it only to the Gateway.", Page: DocGateway},
	}
}

// describes reports whether the description the caller saw contains s, in any case.
func describes(ev *Evidence, s string) bool {
	return strings.Contains(strings.ToLower(ev.Query.Hints.Description), s)
}
