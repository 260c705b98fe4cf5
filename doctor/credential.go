package doctor

import (
	"context"
	"fmt"

	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// CredentialSource is what CheckCredential reads: two GETs.
type CredentialSource interface {
	Zones(ctx context.Context) ([]caracal.Zone, error)
	Zone(ctx context.Context, zoneID string) (*caracal.Zone, error)
}

// Names of the credential checks.
const (
	CredentialScopeCheck      = "admin token scope"
	CredentialCapabilityCheck = "admin token capability"
)

// CheckCredential inspects the bot's own admin token, read-only. Its scope
// shows in whether Caracal lets it list zones (zone tokens get 403
// admin_token_zone_mismatch), and a zone token must reach zone. Its
// capability cannot be read: Caracal's contract has no read-only way to
// learn it (only a mutation answered 403 admin_token_read_only tells, and
// the bot never sends one), so that check always warns, naming the
// recommended credential: a zone-scoped read token.
func CheckCredential(ctx context.Context, src CredentialSource, zone string) []health.Check {
	scope := health.Check{Section: "credential", Name: CredentialScopeCheck, Source: "GET /v1/zones"}
	_, err := src.Zones(ctx)
	switch {
	case err == nil:
		scope.Status, scope.Detail = health.CheckWarn, "global: the token reaches every zone (the bot searches them all for a request ID); "+
			"the recommended credential is a zone-scoped read token"
	case caracal.HasCode(err, 403, "admin_token_zone_mismatch"):
		scope = zoneScope(ctx, src, zone, scope)
	case caracal.HasCode(err, 401, "invalid_admin_token"):
		scope.Status, scope.Detail = health.CheckFail, "Caracal refused the admin token (HTTP 401 invalid_admin_token: missing, unknown or revoked)"
	case caracal.HasCode(err, 401, "invalid_account_assertion"):
		scope.Status, scope.Detail = health.CheckFail, "a Console-derived token needs an account assertion the bot cannot send; mint a read token for the bot"
	default:
		scope.Status, scope.Detail = health.CheckWarn, "not checked: "+collect.Describe(err)
	}
	capability := health.Check{Section: "credential", Name: CredentialCapabilityCheck, Status: health.CheckWarn,
		Detail: "not verifiable without a write attempt, which the bot never makes; make sure the token was minted with capability read"}
	return []health.Check{scope, capability}
}

// zoneScope checks that a zone-scoped token reaches the configured zone.
func zoneScope(ctx context.Context, src CredentialSource, zone string, c health.Check) health.Check {
	if zone == "" {
		c.Status, c.Detail = health.CheckFail, "zone-scoped, but no zone is configured (caracal.zone_id): the token cannot list zones, so the bot has none to look in"
		return c
	}
	c.Source = "GET /v1/zones/" + zone
	_, err := src.Zone(ctx, zone)
	switch {
	case err == nil:
		c.Status, c.Detail = health.CheckOK, fmt.Sprintf("zone-scoped to %s (the recommended scope; the bot searches this zone only)", zone)
	case caracal.HasCode(err, 403, "admin_token_zone_mismatch"):
		c.Status, c.Detail = health.CheckFail, fmt.Sprintf("zone-scoped to another zone than the configured %s (HTTP 403 admin_token_zone_mismatch)", zone)
	default:
		c.Status, c.Detail = health.CheckWarn, fmt.Sprintf("zone-scoped; zone %s not checked: %s", zone, collect.Describe(err))
	}
	return c
}
