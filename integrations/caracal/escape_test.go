package caracal_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileIDs must each land on the server as exactly one path segment that
// unescapes back to the id.
var hostileIDs = []string{
	"a/b?c#d",
	"..",
	".",
	"ünïcødé/код",
	"%2F",
	"a b+c&d=e;f",
	"{zone}",
	"../../v1/zones",
	"\x00\r\n",
}

func TestHostileIDsStayOneSegment(t *testing.T) {
	f := always(t, reply{body: []byte(`{}`)})
	c := newClient(f)
	for _, id := range hostileIDs {
		_, _ = c.Zone(t.Context(), id)
		_, _ = c.Explain(t.Context(), id, id)
		_, _ = c.ApprovalStatus(t.Context(), id)
	}
	hits := f.Hits()
	require.Len(t, hits, 3*len(hostileIDs))
	for i, id := range hostileIDs {
		zone, explain, approval := hits[3*i], hits[3*i+1], hits[3*i+2]

		segs := splitRaw(t, zone.Path, apiPrefix+"/v1/zones/")
		require.Len(t, segs, 1, "zone %q -> %s", id, zone.Path)
		assert.Equal(t, id, unescape(t, segs[0]))
		assert.Empty(t, zone.Query, "zone %q leaked into the query", id)

		segs = splitRaw(t, explain.Path, apiPrefix+"/v1/zones/")
		require.Len(t, segs, 5, "explain %q -> %s", id, explain.Path)
		assert.Equal(t, id, unescape(t, segs[0]))
		assert.Equal(t, []string{"audit", "by-request"}, segs[1:3])
		assert.Equal(t, id, unescape(t, segs[3]))
		assert.Equal(t, "explain", segs[4])

		segs = splitRaw(t, approval.Path, stsPrefix+"/approvals/")
		require.Len(t, segs, 1, "approval %q -> %s", id, approval.Path)
		assert.Equal(t, id, unescape(t, segs[0]))
	}
}

func TestDotSegmentsArePercentEncoded(t *testing.T) {
	f := always(t, reply{body: []byte(`{}`)})
	_, _ = newClient(f).Zone(t.Context(), "..")
	require.Len(t, f.Hits(), 1)
	assert.Equal(t, apiPrefix+"/v1/zones/%2E%2E", f.Hits()[0].Path)
}

func splitRaw(t *testing.T, path, prefix string) []string {
	t.Helper()
	require.True(t, strings.HasPrefix(path, prefix), "%s lacks prefix %s", path, prefix)
	return strings.Split(strings.TrimPrefix(path, prefix), "/")
}

func unescape(t *testing.T, seg string) string {
	t.Helper()
	s, err := url.PathUnescape(seg)
	require.NoError(t, err)
	return s
}
