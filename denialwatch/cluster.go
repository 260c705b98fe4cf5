package denialwatch

import (
	"cmp"
	"time"

	"github.com/caracal-bot/caracal-bot/digest"
)

// bucketsPerWindow is how finely a cluster's window is counted: its
// denied requests are kept as counts per sixtieth of the window, so its
// memory never grows with the requests, and the window is read to within
// one bucket.
const bucketsPerWindow = 60

// cluster is the denied requests of one zone, application, resource and
// cause: their counts by when they occurred, the newest of them (the one
// diagnosed), and when the cluster was last announced.
type cluster struct {
	Zone          string `json:"zone"`
	ApplicationID string `json:"application_id"`
	// Application is the application's name, when a row gave it.
	Application string `json:"application,omitempty"`
	Resource    string `json:"resource"`
	Cause       string `json:"cause"`
	// Buckets count the denied requests by the start of the bucket they
	// occurred in (unix ms).
	Buckets map[int64]int `json:"buckets"`
	// Newest is the request that occurred last, at NewestAt.
	Newest   string    `json:"newest"`
	NewestAt time.Time `json:"newest_at"`
	// AnnouncedAt is when the cluster was last announced; zero when it
	// never was or its quiet is over.
	AnnouncedAt time.Time `json:"announced_at,omitzero"`
}

// clusterKey identifies a cluster.
type clusterKey struct{ zone, app, resource, cause string }

func (c *cluster) key() clusterKey {
	return clusterKey{c.Zone, c.ApplicationID, c.Resource, c.Cause}
}

// name is the cluster for logs and notes: "billing-bot on resource://pipernet: resource_not_granted".
func (c *cluster) name() string {
	return c.appName() + " on " + c.Resource + ": " + c.Cause
}

// appName is the application's name, else its id.
func (c *cluster) appName() string {
	return cmp.Or(c.Application, c.ApplicationID, digest.CauseUnknown)
}

// buckets sizes and reads a cluster's buckets for one window.
type buckets struct {
	window, width time.Duration
}

func newBuckets(window time.Duration) buckets {
	return buckets{window: window, width: max(window/bucketsPerWindow, time.Millisecond)}
}

// of is the bucket a time falls in.
func (b buckets) of(t time.Time) int64 {
	w := b.width.Milliseconds()
	ms := t.UnixMilli()
	return ms - ((ms%w)+w)%w
}

// inWindow reports whether the bucket starting at start holds times of the
// window that ends at now (or after it: a producer's clock may run ahead).
func (b buckets) inWindow(start int64, now time.Time) bool {
	return start+b.width.Milliseconds() > now.Add(-b.window).UnixMilli()
}

// add counts a denied request in c.
func (b buckets) add(c *cluster, d digest.DeniedRequest) {
	c.Buckets[b.of(d.At)]++
	if !d.At.Before(c.NewestAt) {
		c.Newest, c.NewestAt = d.RequestID, d.At
	}
	if d.Application != "" {
		c.Application = d.Application
	}
}

// count is how many of c's denied requests occurred in the window ending at now.
func (b buckets) count(c *cluster, now time.Time) int {
	n := 0
	for start, k := range c.Buckets {
		if b.inWindow(start, now) {
			n += k
		}
	}
	return n
}

// prune drops the buckets that left the window ending at now.
func (b buckets) prune(c *cluster, now time.Time) {
	for start := range c.Buckets {
		if !b.inWindow(start, now) {
			delete(c.Buckets, start)
		}
	}
}
