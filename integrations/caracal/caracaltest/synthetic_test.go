package caracaltest

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Synthetic deny traffic pages like the audit table it stands for: every
// row once, newest first, merged with the zone's own rows, and counted by
// the overview.
func TestSyntheticDenials_PageLikeTheAuditList(t *testing.T) {
	srv := startRef(t, WithSyntheticDenials(1200, 6*time.Hour, 7, 5))
	since := ReferenceTime().Add(-6 * time.Hour)
	q := url.Values{"decision": {"deny"}, "since": {ts(since)}, "until": {ts(ReferenceTime())}, "limit": {"1000"}}

	seen := map[string]bool{}
	synthetic, real := 0, 0
	var last time.Time
	for cursor := ""; ; {
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		page := strict[caracal.List[caracal.AuditRow]](t, api(t, srv, zonePath(ZoneResearch, "/audit?"+q.Encode())).body)
		for _, r := range page.Items {
			require.False(t, seen[r.ID], "row %s read twice", r.ID)
			seen[r.ID] = true
			at := parseStamp(r.OccurredAt)
			if !last.IsZero() {
				require.False(t, at.After(last), "newest first")
			}
			last = at
			assert.Equal(t, "deny", *r.Decision)
			if name, _ := r.MetadataJSON["application_name"].(string); len(name) > 16 && name[:16] == "synthetic-agent-" {
				synthetic++
			} else {
				real++
			}
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	assert.Equal(t, 2400, synthetic, "two deny rows per synthetic request")
	assert.Positive(t, real, "the zone's own deny rows are merged in")

	ov := strict[caracal.ZoneOverview](t, api(t, srv, zonePath(ZoneResearch, "/overview")).body)
	assert.GreaterOrEqual(t, ov.Decisions24h.Denied, 2400)

	q = url.Values{"decision": {"allow"}}
	page := strict[caracal.List[caracal.AuditRow]](t, api(t, srv, zonePath(ZoneResearch, "/audit?"+q.Encode())).body)
	for _, r := range page.Items {
		assert.Equal(t, "allow", *r.Decision, "a filter the synthetic rows cannot match leaves them out")
	}
}
