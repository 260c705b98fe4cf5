package caracal_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/egress"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// TestCredentialsNeverFollowARedirect: a Caracal service answering 302 or
// 307 to another port gets an error naming the target; the target never
// sees the admin token, the metrics bearer or the Coordinator token.
func TestCredentialsNeverFollowARedirect(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			target := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.WriteHeader(http.StatusOK) })
			caracalSrv := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Location", target.URL+r.URL.Path+"?stolen=1")
				w.WriteHeader(status)
			})
			c := caracal.New(caracal.Config{
				APIURL: caracalSrv.URL, STSURL: caracalSrv.URL, CoordinatorURL: caracalSrv.URL,
				AdminToken: adminTok, MetricsBearer: metricsTok, CoordinatorToken: coordTok, MaxRetries: 2,
				HTTPClient: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }},
			})
			ctx := context.Background()
			_, zonesErr := c.Zones(ctx)
			_, metricsErr := c.STSMetrics(ctx)
			_, statsErr := c.CoordinatorStats(ctx)
			for _, err := range []error{zonesErr, metricsErr, statsErr} {
				require.Error(t, err)
				r, ok := egress.AsRedirect(err)
				require.True(t, ok, "%v", err)
				assert.Contains(t, err.Error(), target.URL, "the error names the target")
				assert.NotContains(t, err.Error(), "stolen=1")
				assert.Contains(t, r.To, target.URL)
				for _, secret := range []string{adminTok, metricsTok, coordTok} {
					assert.NotContains(t, err.Error(), secret)
				}
			}
			assert.Empty(t, target.Hits(), "the target never sees a request, let alone a credential")
			assert.Len(t, caracalSrv.Hits(), 3, "a refused redirect is not retried")
		})
	}
}
