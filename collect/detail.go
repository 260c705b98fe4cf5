package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/caracal-bot/caracal-bot/diagnose"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/internal/auditrow"
)

// policyDetail reads the active policy-set version, its propagation to STS
// and the policy data documents behind it.
func (c *Collector) policyDetail(g *gatherer) {
	if c.Details == nil {
		return
	}
	var zone string
	var set *caracal.PolicySet
	var policies []caracal.Policy
	g.with(func(ev *diagnose.Evidence) {
		zone, set, policies = ev.DiagnosisZone(), ev.ActivePolicySet(), g.policies
	})
	if set == nil {
		return
	}
	setID, version := set.ID, auditrow.Str(set.ActiveVersionID)
	prefix := fmt.Sprintf("GET /v1/zones/%s/policy-sets/%s", zone, setID)
	g.Go("policy-set activation status", prefix+"/activation-status", func(ctx context.Context) error {
		a, err := c.Details.ActivationStatus(ctx, zone, setID, version)
		g.with(func(ev *diagnose.Evidence) { ev.Activation = a })
		return err
	})
	g.Go("active policy-set version", prefix+"/versions/"+version, func(ctx context.Context) error {
		v, err := c.Details.PolicySetVersion(ctx, zone, setID, version)
		g.with(func(ev *diagnose.Evidence) { ev.ActiveVersion = v })
		return err
	})
	limit := c.MaxPolicies
	if limit <= 0 {
		limit = 20
	}
	for i, p := range policies {
		if i == limit {
			g.with(func(ev *diagnose.Evidence) {
				ev.AddMissing("policy documents", fmt.Sprintf("GET /v1/zones/%s/policies/{id}", zone),
					fmt.Sprintf("only the first %d of %d policies were read", limit, len(policies)))
			})
			break
		}
		id := p.ID
		g.Go("policy document "+p.Name, fmt.Sprintf("GET /v1/zones/%s/policies/%s", zone, id), func(ctx context.Context) error {
			full, err := c.Details.Policy(ctx, zone, id)
			if full != nil {
				g.with(func(ev *diagnose.Evidence) {
					for _, v := range full.Versions {
						if v != nil {
							ev.PolicyDocuments = append(ev.PolicyDocuments, *v)
						}
					}
				})
			}
			return err
		})
	}
}

// keepManifestDocuments keeps only the policy versions named in the active
// policy-set version's manifest, once both are known.
func (c *Collector) keepManifestDocuments(ev *diagnose.Evidence) {
	if ev.ActiveVersion == nil {
		ev.PolicyDocuments = nil
		return
	}
	inManifest := map[string]bool{}
	for _, m := range ev.ActiveVersion.ManifestJSON {
		inManifest[m.PolicyVersionID] = true
	}
	for _, id := range ev.ActiveVersion.Policies {
		inManifest[id] = true
	}
	kept := ev.PolicyDocuments[:0]
	for _, d := range ev.PolicyDocuments {
		if inManifest[d.ID] {
			kept = append(kept, d)
		}
	}
	ev.PolicyDocuments = kept
}

// traceDetail reads what the trace points at: the Session, the approval
// (the trace's, else the one the caller pasted), and after a revocation
// the authority records and the audit rows since.
func (c *Collector) traceDetail(g *gatherer, now time.Time) {
	if c.Details == nil {
		return
	}
	var zone, appID, sessionID, challenge string
	var rev *caracal.AdminAuditRow
	var revocation bool
	g.with(func(ev *diagnose.Evidence) {
		zone = ev.DiagnosisZone()
		if row, ok := auditrow.ApplicationRow(ev.Trace); ok {
			appID = auditrow.Meta(row.MetadataJSON, "application_id")
			sessionID = auditrow.Meta(row.MetadataJSON, "agent_session_id")
		}
		challenge = ev.Query.ApprovalID
		if row, ok := auditrow.First(ev.Trace, auditrow.OfType("step_up_issued")); ok {
			challenge = auditrow.Meta(row.MetadataJSON, "challenge_id")
		}
		rev = ev.LastRevocation()
		revocation = ev.Query.Hints.Symptom == "revoked" || rev != nil
	})
	prefix := "GET /v1/zones/" + zone
	if appID != "" && sessionID != "" {
		g.Go("session", prefix+"/sessions?application_id="+appID, func(ctx context.Context) error {
			l, err := c.Details.Sessions(ctx, zone, caracal.SessionQuery{ApplicationID: appID, Limit: 100})
			if l != nil {
				g.with(func(ev *diagnose.Evidence) { ev.Sessions = sessionsNamed(l.Items, sessionID) })
			}
			return err
		})
	}
	if challenge != "" {
		g.Go("approval state", "sts GET /approvals/"+challenge, func(ctx context.Context) error {
			a, err := c.Details.ApprovalStatus(ctx, challenge)
			g.with(func(ev *diagnose.Evidence) { ev.Approval = a })
			return err
		})
	}
	if !revocation || appID == "" {
		return
	}
	g.Go("authority records", prefix+"/authority-records?subject_id="+appID, func(ctx context.Context) error {
		l, err := c.Details.AuthorityRecords(ctx, zone, caracal.AuthorityRecordQuery{SubjectID: appID, Limit: 50})
		if l != nil {
			g.with(func(ev *diagnose.Evidence) { ev.AuthorityRecords = l.Items })
		}
		return err
	})
	since := now.Add(-24 * time.Hour)
	if rev != nil {
		if t, err := time.Parse(time.RFC3339Nano, rev.OccurredAt); err == nil {
			since = t
		}
	}
	g.Go("audit after revocation", prefix+"/audit?decision=allow&application_id="+appID, func(ctx context.Context) error {
		l, err := c.Details.Audit(ctx, zone, caracal.AuditQuery{Since: since, Decision: "allow", ApplicationID: appID, Limit: 100})
		if l != nil {
			g.with(func(ev *diagnose.Evidence) { ev.AfterRevocation = l.Items })
		}
		return err
	})
}

// sessionsNamed returns the Session with the given id and its parent chain
// as far as the page holds them.
func sessionsNamed(all []caracal.Session, id string) []caracal.Session {
	byID := make(map[string]caracal.Session, len(all))
	for _, s := range all {
		byID[s.SessionID] = s
	}
	var out []caracal.Session
	for id != "" && len(out) < 8 {
		s, ok := byID[id]
		if !ok {
			break
		}
		out = append(out, s)
		id = auditrow.Str(s.ParentSessionID)
	}
	return out
}
