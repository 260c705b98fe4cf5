package doctor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/health"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

func TestCheckCredential(t *testing.T) {
	tests := []struct {
		name   string
		opts   []caracaltest.Option
		token  string
		zone   string
		fault  *caracaltest.Fault
		status string
		detail string
	}{
		{name: "global token", zone: caracaltest.ZoneResearch, status: health.CheckWarn,
			detail: "global: the token reaches every zone"},
		{name: "zone token in its zone", opts: []caracaltest.Option{caracaltest.WithZoneScopedToken(caracaltest.ZoneResearch)},
			zone: caracaltest.ZoneResearch, status: health.CheckOK, detail: "zone-scoped to " + caracaltest.ZoneResearch},
		{name: "zone token of another zone", opts: []caracaltest.Option{caracaltest.WithZoneScopedToken(caracaltest.ZoneStaging)},
			zone: caracaltest.ZoneResearch, status: health.CheckFail, detail: "another zone than the configured"},
		{name: "zone token without a zone", opts: []caracaltest.Option{caracaltest.WithZoneScopedToken(caracaltest.ZoneResearch)},
			status: health.CheckFail, detail: "no zone is configured"},
		{name: "refused token", token: "wrong-token", zone: caracaltest.ZoneResearch, status: health.CheckFail,
			detail: "invalid_admin_token"},
		{name: "Console-derived token", zone: caracaltest.ZoneResearch, status: health.CheckFail, detail: "Console-derived token",
			fault: &caracaltest.Fault{Status: 401, Body: `{"error":"invalid_account_assertion"}`}},
		{name: "API down", zone: caracaltest.ZoneResearch, status: health.CheckWarn, detail: "not checked: HTTP 503",
			fault: &caracaltest.Fault{Status: 503}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := sim(t, tc.opts...)
			if tc.fault != nil {
				srv.Inject("api GET /v1/zones", *tc.fault)
			}
			client := newClient(srv, func(c *caracal.Config) {
				if tc.token != "" {
					c.AdminToken = tc.token
				}
			})
			checks := doctor.CheckCredential(context.Background(), client, tc.zone)
			require.Len(t, checks, 2)
			assert.Equal(t, doctor.CredentialScopeCheck, checks[0].Name)
			assert.Equal(t, tc.status, checks[0].Status, checks[0].Detail)
			assert.Contains(t, checks[0].Detail, tc.detail)
			assert.Equal(t, doctor.CredentialCapabilityCheck, checks[1].Name)
			assert.Equal(t, health.CheckWarn, checks[1].Status, "a token's capability cannot be read without writing")
		})
	}
}
