package caracal

import (
	"context"
	"net/url"
	"strconv"
)

// adminPageLimit is the page size requested by the "all pages" methods: the
// maximum of the zones/applications/resources/policies/policy-sets family
// (API.md §2.4), to keep the number of calls (each one admin-audited) low.
const adminPageLimit = 500

// adminCall builds a GET on the Admin API with the admin bearer.
func (c *Client) adminCall(path string, q url.Values) (call, error) {
	tok, err := c.adminBearer()
	if err != nil {
		return call{}, err
	}
	return call{svc: ServiceAPI, path: path, query: q, token: tok}, nil
}

// adminObject fetches one Admin API object. format and params are as for buildPath.
func adminObject[T any](ctx context.Context, c *Client, q url.Values, format string, params ...pathParam) (*T, error) {
	path, err := buildPath(format, params...)
	if err != nil {
		return nil, err
	}
	cl, err := c.adminCall(path, q)
	if err != nil {
		return nil, err
	}
	return getObject[T](ctx, c, cl)
}

// adminPage fetches one page of an Admin API list.
func adminPage[T any](ctx context.Context, c *Client, q url.Values, format string, params ...pathParam) (*List[T], error) {
	path, err := buildPath(format, params...)
	if err != nil {
		return nil, err
	}
	cl, err := c.adminCall(path, q)
	if err != nil {
		return nil, err
	}
	return getList[T](ctx, c, cl)
}

// adminAll walks every page of an Admin API list with the largest page size.
func adminAll[T any](ctx context.Context, c *Client, q url.Values, format string, params ...pathParam) ([]T, error) {
	path, err := buildPath(format, params...)
	if err != nil {
		return nil, err
	}
	items, err := CollectPages(ctx, func(cursor string) (*List[T], error) {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("limit", strconv.Itoa(adminPageLimit))
		if cursor != "" {
			pq.Set("cursor", cursor)
		}
		cl, err := c.adminCall(path, pq)
		if err != nil {
			return nil, err
		}
		return getList[T](ctx, c, cl)
	}, DefaultMaxPages)
	if err != nil {
		return nil, err
	}
	return items, nil
}

// Zones lists every zone visible to the admin token, all pages (API.md §6.1).
// Soft-deleted zones and the system zone are never listed; a zone-scoped
// token gets 403 admin_token_zone_mismatch.
func (c *Client) Zones(ctx context.Context) ([]Zone, error) {
	return adminAll[Zone](ctx, c, nil, "/v1/zones")
}

// Zone reads one zone (404 zone_not_found also for archived zones).
func (c *Client) Zone(ctx context.Context, zoneID string) (*Zone, error) {
	return adminObject[Zone](ctx, c, nil, "/v1/zones/%s", param("zone id", zoneID))
}

// ZoneOverview reads the zone's dashboard aggregate (API.md §6.2). An unknown
// zone id yields zero counts, not a 404.
func (c *Client) ZoneOverview(ctx context.Context, zoneID string) (*ZoneOverview, error) {
	return adminObject[ZoneOverview](ctx, c, nil, "/v1/zones/%s/overview", param("zone id", zoneID))
}

// Applications lists the zone's applications, all pages (API.md §6.3).
// status is "active", "archived" or "" for the server default.
func (c *Client) Applications(ctx context.Context, zoneID, status string) ([]Application, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	return adminAll[Application](ctx, c, q, "/v1/zones/%s/applications", param("zone id", zoneID))
}

// Resources lists the zone's active resources with their scopes, all pages (API.md §6.4).
func (c *Client) Resources(ctx context.Context, zoneID string) ([]Resource, error) {
	q := url.Values{"status": {"active"}}
	return adminAll[Resource](ctx, c, q, "/v1/zones/%s/resources", param("zone id", zoneID))
}

// Resource reads one active resource by id.
func (c *Client) Resource(ctx context.Context, zoneID, id string) (*Resource, error) {
	return adminObject[Resource](ctx, c, nil, "/v1/zones/%s/resources/%s",
		param("zone id", zoneID), param("resource id", id))
}

// Policies lists the zone's policies without their versions, all pages (API.md §6.5).
func (c *Client) Policies(ctx context.Context, zoneID string) ([]Policy, error) {
	return adminAll[Policy](ctx, c, nil, "/v1/zones/%s/policies", param("zone id", zoneID))
}

// Policy reads one policy with its versions, newest first. The server's
// "versions": [null] for a policy without versions becomes an empty slice.
func (c *Client) Policy(ctx context.Context, zoneID, policyID string) (*Policy, error) {
	p, err := adminObject[Policy](ctx, c, nil, "/v1/zones/%s/policies/%s",
		param("zone id", zoneID), param("policy id", policyID))
	if err != nil {
		return nil, err
	}
	if p.Versions != nil {
		kept := make([]*PolicyVersion, 0, len(p.Versions))
		for _, v := range p.Versions {
			if v != nil {
				kept = append(kept, v)
			}
		}
		p.Versions = kept
	}
	return p, nil
}

// PolicySets lists the zone's policy sets, all pages (API.md §6.6). At most
// one has a non-null ActiveVersionID.
func (c *Client) PolicySets(ctx context.Context, zoneID string) ([]PolicySet, error) {
	return adminAll[PolicySet](ctx, c, nil, "/v1/zones/%s/policy-sets", param("zone id", zoneID))
}

// PolicySet reads one policy set.
func (c *Client) PolicySet(ctx context.Context, zoneID, id string) (*PolicySet, error) {
	return adminObject[PolicySet](ctx, c, nil, "/v1/zones/%s/policy-sets/%s",
		param("zone id", zoneID), param("policy set id", id))
}

// PolicySetVersions lists a policy set's versions, all pages.
func (c *Client) PolicySetVersions(ctx context.Context, zoneID, setID string) ([]PolicySetVersion, error) {
	return adminAll[PolicySetVersion](ctx, c, nil, "/v1/zones/%s/policy-sets/%s/versions",
		param("zone id", zoneID), param("policy set id", setID))
}

// PolicySetVersion reads one version with its manifest and policy version ids.
func (c *Client) PolicySetVersion(ctx context.Context, zoneID, policySetID, versionID string) (*PolicySetVersion, error) {
	return adminObject[PolicySetVersion](ctx, c, nil, "/v1/zones/%s/policy-sets/%s/versions/%s",
		param("zone id", zoneID), param("policy set id", policySetID), param("version id", versionID))
}

// ActivationStatus reports whether a policy-set version reached STS (API.md
// §6.6). versionID "" checks the set's active version (404
// active_policy_set_version_not_found when none is active).
func (c *Client) ActivationStatus(ctx context.Context, zoneID, policySetID, versionID string) (*ActivationStatus, error) {
	q := url.Values{}
	if versionID != "" {
		q.Set("version_id", versionID)
	}
	return adminObject[ActivationStatus](ctx, c, q, "/v1/zones/%s/policy-sets/%s/activation-status",
		param("zone id", zoneID), param("policy set id", policySetID))
}

// Grants reads one page of delegated (consent) grants (API.md §6.7). STS never
// reads these rows: they are not evidence for or against a token decision.
func (c *Client) Grants(ctx context.Context, zoneID string, q GrantQuery) (*List[Grant], error) {
	return adminPage[Grant](ctx, c, grantValues(q), "/v1/zones/%s/grants", param("zone id", zoneID))
}
