package caracal

import (
	"context"
	"errors"
	"fmt"
)

// DefaultMaxPages is the page cap CollectPages applies when given maxPages <= 0,
// and the cap of the client's "all pages" methods.
const DefaultMaxPages = 100

// ErrPageLimit is returned, wrapped, when a listing still had a next cursor
// after the page cap; the items collected so far are returned with it.
var ErrPageLimit = errors.New("page limit reached")

// CollectPages walks a cursor-paginated listing (API.md §2.4). fetch is called
// with "" for the first page and then with each next_cursor. It stops when
// next_cursor is null or empty, or when a page comes back empty (the last full
// page may be followed by one empty page). It stops with an error when fetch
// fails, ctx is done, a cursor repeats, or maxPages pages were read and more
// remain; on error the items collected so far are returned as well.
func CollectPages[T any](ctx context.Context, fetch func(cursor string) (*List[T], error), maxPages int) ([]T, error) {
	ctx = ctxOrBackground(ctx)
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	all := []T{}
	seen := map[string]bool{}
	cursor := ""
	for range maxPages {
		if err := ctx.Err(); err != nil {
			return all, err
		}
		page, err := fetch(cursor)
		if err != nil {
			return all, err
		}
		if page == nil || len(page.Items) == 0 {
			return all, nil
		}
		all = append(all, page.Items...)
		if page.NextCursor == nil || *page.NextCursor == "" {
			return all, nil
		}
		cursor = *page.NextCursor
		if seen[cursor] {
			return all, errors.New("caracal: pagination cursor repeated")
		}
		seen[cursor] = true
	}
	return all, fmt.Errorf("caracal: listing has more than %d pages: %w", maxPages, ErrPageLimit)
}
