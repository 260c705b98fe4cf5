package tickets_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

func TestKeyAndDiagnosisHash(t *testing.T) {
	assert.Equal(t, "caracal-bot:ticket:v1:zone-a:req-1:router-2026-11", tickets.Key("zone-a", "req-1", tickets.RulesetVersion))
	assert.Equal(t, "caracal-bot:ticket:v1:-:req-1:r", tickets.Key("", "req-1", "r"))
	assert.NotEqual(t, tickets.Key("zone-a", "req-1", "router-2026-11"), tickets.Key("zone-a", "req-1", "router-2027-01"))

	steps := []string{"1 runtime healthy pass", "2 configuration fail"}
	h := tickets.DiagnosisHash("sts_policy", "no_grant", "denied", steps)
	assert.Len(t, h, 32)
	assert.Equal(t, h, tickets.DiagnosisHash("sts_policy", "no_grant", "denied", steps))
	assert.NotEqual(t, h, tickets.DiagnosisHash("sts_policy", "no_grant", "denied", steps[:1]))
	assert.NotEqual(t, h, tickets.DiagnosisHash("sts_polic", "yno_grant", "denied", steps), "fields are delimited")
}

// TestMarkerIsStableAndSafe pins the marker of a real key (its ruleset
// version is the bundle manifest's, with spaces and parentheses):
// printf %s KEY | sha256sum | cut -c1-20.
func TestMarkerIsStableAndSafe(t *testing.T) {
	key := tickets.Key("019f1ce8-1680-793b-b480-86d4734b60a7", "01a028ea-d354-7443-96e4-46e5643d943c", "router-rules/1 (ROUTER.md rows 1-22)")
	assert.Equal(t, "caracal-bot:ticket:v1:019f1ce8-1680-793b-b480-86d4734b60a7:01a028ea-d354-7443-96e4-46e5643d943c:router-rules/1 (ROUTER.md rows 1-22)", key)
	assert.Equal(t, "caracal-bot-4bad0232ba330d69897f", tickets.Marker(key))
	assert.Regexp(t, `^caracal-bot-[0-9a-f]{20}$`, tickets.Marker(""))
	assert.NotEqual(t, tickets.Marker(key), tickets.Marker(key+" "))
}

func TestMemoryStoreLock(t *testing.T) {
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	m := tickets.NewMemoryStore(func() time.Time { return now })
	ctx := context.Background()

	unlock, ok, err := m.Lock(ctx, "k", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, _ = m.Lock(ctx, "k", time.Minute)
	assert.False(t, ok, "held")
	_, ok, _ = m.Lock(ctx, "other", time.Minute)
	assert.True(t, ok, "keys are independent")

	now = now.Add(2 * time.Minute) // the first holder's lock expired
	unlock2, ok, _ := m.Lock(ctx, "k", time.Minute)
	require.True(t, ok)
	unlock() // late unlock of the expired holder must not free the new one
	_, ok, _ = m.Lock(ctx, "k", time.Minute)
	assert.False(t, ok)
	unlock2()
	unlock2()
	_, ok, _ = m.Lock(ctx, "k", time.Minute)
	assert.True(t, ok)

	_, found, _ := m.Get(ctx, "k")
	assert.False(t, found)
	rec := tickets.Record{Ref: tickets.Ref{System: "jira", ID: "OPS-1"}, DiagnosisHash: "h"}
	require.NoError(t, m.Put(ctx, "k", rec))
	got, found, err := m.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, rec, got)
}
