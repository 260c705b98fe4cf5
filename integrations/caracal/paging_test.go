package caracal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// pagedAudit serves audit pages keyed by cursor: each entry is the ids of the
// page and its next cursor ("" = null).
func pagedAudit(t *testing.T, pages map[string][2]string) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		pg, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			reply{status: 400, body: []byte(`{"error":"invalid_cursor"}`)}.write(w)
			return
		}
		var items []string
		for _, id := range strings.Fields(pg[0]) {
			items = append(items, fmt.Sprintf(`{"id":%q,"zone_id":"z","event_type":"token_exchange","decision":"deny"}`, id))
		}
		next := "null"
		if pg[1] != "" {
			next = fmt.Sprintf("%q", pg[1])
		}
		body := fmt.Sprintf(`{"items":[%s],"next_cursor":%s}`, strings.Join(items, ","), next)
		reply{body: []byte(body)}.write(w)
	})
}

func TestCollectPagesThreePagesAndTrailingEmptyPage(t *testing.T) {
	f := pagedAudit(t, map[string][2]string{
		"":   {"a b", "c1"},
		"c1": {"c d", "c2"},
		"c2": {"e f", "c3"},
		"c3": {"", "c4"}, // the last full page is followed by one empty page
	})
	c := newClient(f)
	ctx := t.Context()
	rows, err := caracal.CollectPages(ctx, func(cursor string) (*caracal.List[caracal.AuditRow], error) {
		return c.Audit(ctx, zoneID, caracal.AuditQuery{Decision: "deny", Cursor: cursor, Limit: 2})
	}, 10)
	require.NoError(t, err)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f"}, ids)

	hits := f.Hits()
	require.Len(t, hits, 4, "stops at the empty page even though it has a cursor")
	for i, want := range []string{"", "c1", "c2", "c3"} {
		assert.Equal(t, want, hits[i].Query.Get("cursor"))
		assert.Equal(t, "deny", hits[i].Query.Get("decision"), "filters ride along on every page")
		assert.Equal(t, "2", hits[i].Query.Get("limit"))
	}
	_, hasCursor := hits[0].Query["cursor"]
	assert.False(t, hasCursor, "the first page sends no cursor")
}

func TestAllPagesMethodStopsOnNullCursor(t *testing.T) {
	zone := func(id string) string {
		return fmt.Sprintf(`{"id":%q,"name":"n","slug":"s","dcr_enabled":false,"operator_coauthor_badge":false,
			"operator_governed":false,"created_by":null,"created_via_operator":false,"updated_by":null,
			"updated_via_operator":false,"created_at":"t","updated_at":"t"}`, id)
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		var body string
		switch r.URL.Query().Get("cursor") {
		case "":
			body = `{"items":[` + zone("z1") + `],"next_cursor":"p2"}`
		case "p2":
			body = `{"items":[` + zone("z2") + `],"next_cursor":"p3"}`
		case "p3":
			body = `{"items":[` + zone("z3") + `],"next_cursor":null}`
		}
		reply{body: []byte(body)}.write(w)
	})
	zs, err := newClient(f).Zones(t.Context())
	require.NoError(t, err)
	require.Len(t, zs, 3)
	assert.Equal(t, "z3", zs[2].ID)
	assert.Len(t, f.Hits(), 3)
	for _, h := range f.Hits() {
		assert.Equal(t, "500", h.Query.Get("limit"))
	}
}

func TestCollectPagesCap(t *testing.T) {
	calls := 0
	items, err := caracal.CollectPages(t.Context(), func(cursor string) (*caracal.List[int], error) {
		calls++
		next := fmt.Sprintf("c%d", calls)
		return &caracal.List[int]{Items: []int{calls}, NextCursor: &next}, nil
	}, 3)
	require.ErrorIs(t, err, caracal.ErrPageLimit)
	assert.Equal(t, []int{1, 2, 3}, items, "items so far come back with the error")
	assert.Equal(t, 3, calls)
}

func TestCollectPagesRepeatedCursor(t *testing.T) {
	calls := 0
	same := "same"
	_, err := caracal.CollectPages(t.Context(), func(string) (*caracal.List[int], error) {
		calls++
		return &caracal.List[int]{Items: []int{1}, NextCursor: &same}, nil
	}, 50)
	require.Error(t, err)
	assert.Equal(t, 2, calls)
}

func TestCollectPagesErrorsAndEmptyCursor(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	items, err := caracal.CollectPages(t.Context(), func(cursor string) (*caracal.List[int], error) {
		calls++
		if calls == 2 {
			return nil, boom
		}
		next := "n"
		return &caracal.List[int]{Items: []int{7}, NextCursor: &next}, nil
	}, 0)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []int{7}, items)

	empty := ""
	calls = 0
	items, err = caracal.CollectPages(t.Context(), func(string) (*caracal.List[int], error) {
		calls++
		return &caracal.List[int]{Items: []int{1}, NextCursor: &empty}, nil
	}, 0)
	require.NoError(t, err)
	assert.Equal(t, []int{1}, items)
	assert.Equal(t, 1, calls, `next_cursor "" ends the walk`)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = caracal.CollectPages(ctx, func(string) (*caracal.List[int], error) {
		t.Fatal("fetch must not run on a done context")
		return nil, nil
	}, 0)
	require.ErrorIs(t, err, context.Canceled)
}

func TestAllPagesMethodErrorMidway(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			reply{body: []byte(`{"items":[{"id":"r1"}],"next_cursor":"x"}`)}.write(w)
			return
		}
		reply{status: 400, body: []byte(`{"error":"invalid_cursor"}`)}.write(w)
	})
	rs, err := newClient(f).Resources(t.Context(), zoneID)
	assert.Nil(t, rs)
	assert.True(t, caracal.HasCode(err, 400, "invalid_cursor"))
}
