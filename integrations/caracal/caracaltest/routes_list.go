package caracaltest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// query validates query parameters the way the Admin API's Zod schemas do:
// any violation makes the whole request 400 invalid_query.
type query struct {
	v   url.Values
	bad bool
}

func (c *call) query() *query { return &query{v: c.r.URL.Query()} }

// get returns a parameter; a repeated parameter is invalid.
func (q *query) get(name string) (string, bool) {
	vals, ok := q.v[name]
	if !ok {
		return "", false
	}
	if len(vals) != 1 {
		q.bad = true
		return "", false
	}
	return vals[0], true
}

// str returns a string parameter of minLen..maxLen characters.
func (q *query) str(name string, minLen, maxLen int) string {
	s, ok := q.get(name)
	if ok && (len(s) < minLen || len(s) > maxLen) {
		q.bad = true
	}
	return s
}

// enum returns a parameter that must be one of allowed.
func (q *query) enum(name string, allowed ...string) string {
	s, ok := q.get(name)
	if !ok {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	q.bad = true
	return ""
}

var zodDatetimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)

// stamp returns a UTC ISO datetime parameter (Zod datetime(): Z only).
func (q *query) stamp(name string) (time.Time, bool) {
	s, ok := q.get(name)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if !zodDatetimeRE.MatchString(s) || err != nil {
		q.bad = true
		return time.Time{}, false
	}
	return t, true
}

// limit returns the page size: an integer in 1..max, def when absent.
func (q *query) limit(def, max int) int {
	s, ok := q.get("limit")
	if !ok {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		q.bad = true
		return def
	}
	return n
}

// pageCursor is the decoded keyset cursor: base64url of {"ts","id"}.
type pageCursor struct {
	TS string `json:"ts"`
	ID string `json:"id"`
}

func encodeCursor(tsValue, id string) string {
	b, _ := json.Marshal(pageCursor{tsValue, id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (time.Time, string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return time.Time{}, "", false
	}
	var pc pageCursor
	if err := json.Unmarshal(raw, &pc); err != nil || pc.ID == "" {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, pc.TS)
	if err != nil {
		return time.Time{}, "", false
	}
	return t, pc.ID, true
}

// paginate orders items by (timestamp DESC, id DESC), skips past the cursor
// and cuts a page. next_cursor is set exactly when the page is full.
func paginate[T any](items []T, key func(*T) (string, string), limit int, cursor string) ([]T, *string, bool) {
	type keyed struct {
		t    time.Time
		ts   string
		id   string
		item T
	}
	all := make([]keyed, 0, len(items))
	for i := range items {
		tsValue, id := key(&items[i])
		all = append(all, keyed{parseStamp(tsValue), tsValue, id, items[i]})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].t.Equal(all[j].t) {
			return all[i].t.After(all[j].t)
		}
		return all[i].id > all[j].id
	})
	if cursor != "" {
		ct, cid, ok := decodeCursor(cursor)
		if !ok {
			return nil, nil, false
		}
		n := sort.Search(len(all), func(i int) bool {
			return all[i].t.Before(ct) || (all[i].t.Equal(ct) && all[i].id < cid)
		})
		all = all[n:]
	}
	if len(all) > limit {
		all = all[:limit]
	}
	page := make([]T, len(all))
	for i := range all {
		page[i] = all[i].item
	}
	var next *string
	if len(all) == limit {
		last := all[len(all)-1]
		next = strp(encodeCursor(last.ts, last.id))
	}
	return page, next, true
}

// writeList validates the query, pages the filtered items and writes the
// list envelope. filter runs after the query was read; nil keeps everything.
func writeList[T any](c *call, q *query, items []T, filter func(*T) bool, key func(*T) (string, string), def, max int) {
	limit := q.limit(def, max)
	cursor, _ := q.get("cursor")
	if q.bad {
		c.json(http.StatusBadRequest, errBody("invalid_query"))
		return
	}
	kept := make([]T, 0, len(items))
	for i := range items {
		if filter == nil || filter(&items[i]) {
			kept = append(kept, items[i])
		}
	}
	page, next, ok := paginate(kept, key, limit, cursor)
	if !ok {
		c.json(http.StatusBadRequest, errBody("invalid_cursor"))
		return
	}
	c.json(http.StatusOK, caracal.List[T]{Items: page, NextCursor: next})
}

// eq reports whether an optional filter value (""=absent) matches.
func eq(filter, value string) bool { return filter == "" || filter == value }

// eqp is eq for a nullable column.
func eqp(filter string, value *string) bool {
	return filter == "" || (value != nil && *value == filter)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
