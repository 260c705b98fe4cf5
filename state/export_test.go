package state

import "time"

// SharedRetryInterval is how long Degrading stays local after a failure.
const SharedRetryInterval = sharedRetryInterval

// SetClock makes d read the time from now instead of time.Now.
func SetClock(d *Degrading, now func() time.Time) { d.now = now }
