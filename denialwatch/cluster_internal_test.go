package denialwatch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/digest"
)

func TestBucketsCountTheWindowToWithinABucket(t *testing.T) {
	b := newBuckets(10 * time.Minute)
	assert.Equal(t, 10*time.Second, b.width, "sixty buckets a window")
	now := time.Date(2026, 8, 22, 14, 0, 0, 0, time.UTC)
	c := &cluster{Buckets: map[int64]int{}}
	for _, ago := range []time.Duration{11 * time.Minute, 10*time.Minute + 5*time.Second, 9 * time.Minute, time.Second, -time.Minute} {
		b.add(c, digest.DeniedRequest{RequestID: ago.String(), At: now.Add(-ago)})
	}
	assert.Equal(t, 3, b.count(c, now), "nine minutes ago, a second ago and a minute ahead (a producer's clock)")
	assert.Equal(t, 4, b.count(c, now.Add(-5*time.Second)), "the oldest bucket inside the window counts whole")
	assert.Equal(t, "-1m0s", c.Newest, "the newest by when it occurred")
	b.prune(c, now)
	assert.Len(t, c.Buckets, 3)
	assert.Equal(t, now.Add(-time.Second).Truncate(10*time.Second).UnixMilli(), b.of(now.Add(-time.Second)))
}

func TestCountedRequestsAreForgottenOldestFirst(t *testing.T) {
	counted := map[string]int64{"a": 1000, "b": 3000, "c": 2000, "d": 4000}
	forgetOldest(counted, 2)
	assert.Equal(t, map[string]int64{"b": 3000, "d": 4000}, counted)
	forgetBefore(counted, time.UnixMilli(3500))
	assert.Equal(t, map[string]int64{"d": 4000}, counted)
}
