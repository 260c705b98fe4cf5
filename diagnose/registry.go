package diagnose

// Causes returns the registry: every cause, in ROUTER.md order. The rules
// run by row, and in this order within a row; the first that matches
// decides.
func Causes() []Entry {
	return []Entry{
		apiUnreachable(),   // 1
		policyEvalFailed(), // 2
		serviceNotReady(),  // 3
		noActivePolicySet(), resourceNotGranted(), roleScopeMismatch(), noRuleMatched(), delegationScopeExceeded(),
		confinementViolation(), restrictionActive(), malformedRiskData(), malformedApprovalData(),
		mandateTargetMismatch(), otherPolicyReason(), // 4 (delegation_scope_exceeded also 18)
		scopeNotDeclared(),      // 5
		operationNotPermitted(), // 6
		resourceNotFound(),      // 7
		rateLimited(),           // 8
		tokenReplayed(),         // 9
		resourceOutsideDelegation(), credentialNotProvisioned(), credentialRefreshFailed(), providerUnavailable(),
		providerCredentialUnavailable(), approvalInvalid(), approvalAlreadyConsumed(), otherGate(), // 10
		approvalPending(), approvalRejected(), approvalExpired(), // 11
		auditEvidenceLost(), auditDLQ(), auditLag(), auditNotReady(), notAuditedPath(), // 12
		policyNotPropagated(), revocationSnapshotStale(), grantRevokeNotEffective(), verifierWithoutRevocation(), // 13
		upstreamInsufficientScope(), // 14
		upstreamFailed(),            // 15
		insufficientScope(), sessionRequired(), delegationRequired(), chainMismatch(), hopCountExceeded(),
		invalidZone(), missingToken(), delegationStale(), // 16
		invalidClientCredentials(), invalidSubjectToken(), sessionRevoked(), mandateExpiring(), invalidAdminToken(),
		credentialsRejected(),                                    // 17
		zoneInvalid(), authorityInactive(), deniedBeforePolicy(), // 18
		malformedRequest(), // 19
		configMissing(),    // 20
		allowed(),          // 21
		unknown(),          // 22
	}
}
