package tickets_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

func TestSpoolSaveLoadRetry(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	fail := true
	var delivered []string
	sp, err := tickets.NewSpool(dir, func(_ context.Context, it tickets.Item) (tickets.Ref, error) {
		if fail {
			return tickets.Ref{}, errors.New("still down")
		}
		delivered = append(delivered, it.Key)
		return tickets.Ref{System: it.System, ID: "OPS-9"}, nil
	}, nil, nil)
	require.NoError(t, err)

	tk := sampleTicket()
	p, err := sp.Save(tickets.Item{Key: tk.Key, System: "jira", Ticket: tk, DiagnosisHash: "h", Attempts: 1, LastError: "boom"})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, tickets.ItemID(tk.Key)+".json"), p)
	assert.Equal(t, []string{tickets.ItemID(tk.Key) + ".json", tickets.ItemID(tk.Key) + ".zip"}, names(t, dir))
	info, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.True(t, sp.Has(tk.Key))

	// A second save of the same key replaces the item and keeps counting.
	_, err = sp.Save(tickets.Item{Key: tk.Key, System: "jira", Ticket: tk, DiagnosisHash: "h", Attempts: 1})
	require.NoError(t, err)
	items, err := sp.Items()
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, 2, items[0].Attempts)
	assert.Equal(t, tk.Attachment.Data, items[0].Ticket.Attachment.Data)
	assert.Equal(t, tk.Body, items[0].Ticket.Body)

	rep, err := sp.RetrySpooled(context.Background())
	require.NoError(t, err)
	assert.Len(t, rep.Failed, 1)
	assert.Empty(t, rep.Delivered)
	items, _ = sp.Items()
	require.Len(t, items, 1, "kept on failure")
	assert.Equal(t, 3, items[0].Attempts)
	assert.Equal(t, "still down", items[0].LastError)

	fail = false
	rep, err = sp.RetrySpooled(context.Background())
	require.NoError(t, err)
	require.Len(t, rep.Delivered, 1)
	assert.Equal(t, "OPS-9", rep.Delivered[0].Ref.ID)
	assert.Equal(t, []string{tk.Key}, delivered)
	assert.Empty(t, names(t, dir), "deleted on success")
}

// TestSpoolLoadsItemsOfTheMarkdownVersion: an item spooled before the
// ticket text was a Doc (its "markdown" escaped for chat) is delivered
// with that text as literal lines, and its diagnosis hash.
func TestSpoolLoadsItemsOfTheMarkdownVersion(t *testing.T) {
	dir := t.TempDir()
	sp, err := tickets.NewSpool(dir, nil, nil, nil)
	require.NoError(t, err)
	key := tickets.Key("zone-a", "req-1", "r")
	legacy := `{"id":"x","key":"` + key + `","system":"jira","ticket":{"key":"` + key + `","title":"t",` +
		`"markdown":"## denied\n\n- **Zone:** ` + "`zone-a`" + `\n"},"diagnosis_hash":"h","attempts":1}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, tickets.ItemID(key)+".json"), []byte(legacy), 0o600))
	it, err := sp.Load(tickets.ItemID(key))
	require.NoError(t, err)
	assert.Equal(t, "h", it.Ticket.DiagnosisHash)
	assert.Equal(t, "\\#\\# denied\n\n\\- \\*\\*Zone:\\*\\* `zone-a`", tickets.JiraWiki(it.Ticket.Body), "the old text, literally")
}

func TestSpoolRunRetriesInTheBackground(t *testing.T) {
	delivered := make(chan string, 1)
	sp, err := tickets.NewSpool(t.TempDir(), func(_ context.Context, it tickets.Item) (tickets.Ref, error) {
		delivered <- it.Key
		return tickets.Ref{ID: "1"}, nil
	}, nil, nil)
	require.NoError(t, err)
	_, err = sp.Save(tickets.Item{Key: "k1", System: "github", Ticket: tickets.Ticket{Title: "t"}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sp.Run(ctx, 10*time.Millisecond); close(done) }()
	select {
	case k := <-delivered:
		assert.Equal(t, "k1", k)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not retry")
	}
	cancel()
	<-done
}

func TestSpoolKeepBoundsItsCopies(t *testing.T) {
	sp, err := tickets.NewSpool(t.TempDir(), nil, nil, nil)
	require.NoError(t, err)
	p, err := sp.Keep("../../etc/caracal-bundle.zip", []byte("zip"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(sp.Dir(), "kept", "caracal-bundle.zip"), p, "names cannot escape the spool")
	for i := range 105 {
		_, err := sp.Keep("b"+time.Duration(i).String()+".zip", []byte("z"))
		require.NoError(t, err)
	}
	assert.Len(t, names(t, filepath.Join(sp.Dir(), "kept")), 100)
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}
