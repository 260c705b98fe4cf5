package state_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/integrations/tickets/ticketstest"
	"github.com/caracal-bot/caracal-bot/internal/syncbuf"
	"github.com/caracal-bot/caracal-bot/state"
)

func TestFileTicketStoreOutlivesTheProcessAndIsShared(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, b := state.NewFileTicketStore(dir, state.FileOptions{}), state.NewFileTicketStore(dir, state.FileOptions{})

	unlock, ok, err := a.Lock(ctx, "k", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.Lock(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "another process sees the lock")
	rec := tickets.Record{Ref: tickets.Ref{System: "jira", ID: "OPS-1"}, DiagnosisHash: "h", UpdatedAt: time.Unix(1, 0).UTC()}
	require.NoError(t, a.Put(ctx, "k", rec))
	unlock()
	unlock()

	got, found, err := b.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, found, "another process, or this one restarted, reads it")
	assert.Equal(t, rec, got)
	unlock, ok, _ = b.Lock(ctx, "k", time.Minute)
	require.True(t, ok, "released")
	unlock()

	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	require.Len(t, names, 1, "one record, no lock left")
	assert.NotContains(t, names[0], "k.json", "files are named by the key's digest")
	info, err := os.Stat(names[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestFileTicketStoreLockExpires(t *testing.T) {
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dir := t.TempDir()
	a, b := state.NewFileTicketStore(dir, state.FileOptions{Now: clock}), state.NewFileTicketStore(dir, state.FileOptions{Now: clock})
	ctx := context.Background()

	unlockA, ok, _ := a.Lock(ctx, "k", time.Minute)
	require.True(t, ok)
	now = now.Add(2 * time.Minute) // a died holding it
	unlockB, ok, err := b.Lock(ctx, "k", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "an expired lock is taken over")
	unlockA() // a late unlock must not free b's lock
	_, ok, _ = a.Lock(ctx, "k", time.Minute)
	assert.False(t, ok)
	unlockB()
	_, ok, _ = a.Lock(ctx, "k", time.Minute)
	assert.True(t, ok)
}

func TestFileTicketStoreIsBoundedAndForgetsAfter30Days(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	s := state.NewFileTicketStore(dir, state.FileOptions{MaxKeys: 3, Now: func() time.Time { return now }})
	ctx := context.Background()
	for i, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
		require.NoError(t, s.Put(ctx, k, tickets.Record{Ref: tickets.Ref{ID: k}}))
		// Distinct modification times, oldest first.
		p := filepath.Join(dir, newestFile(t, dir))
		require.NoError(t, os.Chtimes(p, now.Add(time.Duration(i-10)*time.Minute), now.Add(time.Duration(i-10)*time.Minute)))
	}
	for k, want := range map[string]bool{"k1": false, "k2": false, "k3": true, "k4": true, "k5": true} {
		_, found, err := s.Get(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, want, found, k)
	}
	now = now.Add(31 * 24 * time.Hour)
	_, found, _ := s.Get(ctx, "k5")
	assert.False(t, found, "kept 30 days")
}

// newestFile is the name of the file of dir modified last.
func newestFile(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var newest os.DirEntry
	var newestMod time.Time
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		if newest == nil || info.ModTime().After(newestMod) {
			newest, newestMod = e, info.ModTime()
		}
	}
	return newest.Name()
}

func TestFileTicketStoreNeverStopsTheBot(t *testing.T) {
	dir := t.TempDir()
	logs := &syncbuf.Buffer{}
	s := state.NewFileTicketStore(dir, state.FileOptions{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "k", tickets.Record{Ref: tickets.Ref{ID: "OPS-1"}}))
	names, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	require.Len(t, names, 1)
	require.NoError(t, os.WriteFile(names[0], []byte("{not json"), 0o600))

	_, found, err := s.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, found, "a bad record is no record: the ticket system is asked")
	assert.Contains(t, logs.String(), "ticket record unreadable")
	require.NoError(t, s.Put(ctx, "k", tickets.Record{Ref: tickets.Ref{ID: "OPS-1"}}))
	_, found, _ = s.Get(ctx, "k")
	assert.True(t, found, "rewritten")

	// A directory that cannot be made: locks fall back to the process.
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	broken := state.NewFileTicketStore(filepath.Join(file, "tickets"), state.FileOptions{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	unlock, ok, err := broken.Lock(ctx, "k", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, _ = broken.Lock(ctx, "k", time.Minute)
	assert.False(t, ok, "still one click at a time within the process")
	unlock()
	assert.Contains(t, logs.String(), "locking within this process only")
	assert.Error(t, broken.Put(ctx, "k", tickets.Record{}), "a record that cannot be written is an error")
}

// TestRestartWithAFileStoreFilesOneTicket: a bot without Redis restarts
// (a new Service over the same state_dir) between clicks. The webhook
// cannot be asked whether it has the ticket: the file store alone prevents
// a second one. Jira is asked too, and a restart with an empty directory
// relies on that lookup alone.
func TestRestartWithAFileStoreFilesOneTicket(t *testing.T) {
	hook := ticketstest.StartWebhookAnswering(t, "", func(string) (int, string) { return 200, "" })
	jira := ticketstest.StartJira(t, "oncall@example.com", "jira-token")
	systems := []tickets.Ticketer{
		tickets.NewWebhook(tickets.WebhookConfig{URL: hook.URL}, tickets.ClientOptions{}),
		tickets.NewJira(tickets.JiraConfig{BaseURL: jira.URL, Email: "oncall@example.com", APIToken: "jira-token", Project: "OPS"}, tickets.ClientOptions{}),
	}
	process := func(dir string, system string) *tickets.Service {
		svc, err := tickets.NewService(systems, system, t.TempDir(), tickets.Options{Store: state.NewFileTicketStore(dir, state.FileOptions{})})
		require.NoError(t, err)
		return svc
	}
	click := func(svc *tickets.Service, h string) tickets.Outcome {
		var body tickets.Doc
		body.Paragraph(tickets.Text("denied"))
		o, err := svc.Submit(context.Background(), tickets.Request{Zone: "zone-a", RequestID: "req-1",
			Ticket: tickets.Ticket{Title: "denied", Body: body}, DiagnosisHash: strings.Repeat(h, 32), Comment: body})
		require.NoError(t, err)
		return o
	}

	for _, system := range []string{"webhook", "jira"} {
		stateDir := t.TempDir()
		first := click(process(stateDir, system), "1")
		require.True(t, first.Created, "%s: %+v", system, first)
		same := click(process(stateDir, system), "1")
		assert.True(t, same.Existing && !same.Commented, "%s: %+v", system, same)
		changed := click(process(stateDir, system), "2")
		assert.True(t, changed.Commented, "%s: %+v", system, changed)
		again := click(process(stateDir, system), "2")
		assert.True(t, again.Existing && !again.Commented, "%s: %+v", system, again)
	}
	emptyDir := click(process(t.TempDir(), "jira"), "2")
	assert.True(t, emptyDir.Existing && !emptyDir.Commented, "an empty state_dir: Jira's lookup finds it and its last diagnosis: %+v", emptyDir)

	require.Len(t, hook.Issues(), 1)
	assert.Len(t, hook.Issues()[0].Comments, 1)
	assert.Equal(t, 1, countEvents(hook, tickets.EventCreate), "the webhook got one ticket.create")
	require.Len(t, jira.Issues(), 1)
	assert.Len(t, jira.Issues()[0].Comments, 1)
}

// countEvents counts the calls of an event a webhook fake received.
func countEvents(srv *ticketstest.Server, event string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Header.Get(tickets.HeaderEvent) == event {
			n++
		}
	}
	return n
}
