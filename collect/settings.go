package collect

import (
	"slices"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Settings are what every gathering from Caracal shares (a diagnosis, the
// Doctor, a digest): the zone asked by default, the zones it may read, its
// deadlines and its clock.
type Settings struct {
	// DefaultZone is asked when a query names no zone.
	DefaultZone string
	// AllowedZones, when not nil, are the only zones read besides the one
	// asked: the cross-zone search and the Doctor's zone inventory see no
	// others (a chat channel bound to zones).
	AllowedZones []string
	// Timeout bounds the whole gathering (default 15 s); CallTimeout each call.
	Timeout     time.Duration
	CallTimeout time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Deadline is how long a whole gathering may take.
func (s Settings) Deadline() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 15 * time.Second
}

// CallDeadline is how long one call may take, never more than Deadline.
func (s Settings) CallDeadline() time.Duration {
	if s.CallTimeout > 0 && s.CallTimeout <= s.Deadline() {
		return s.CallTimeout
	}
	return s.Deadline()
}

// Clock reads the clock.
func (s Settings) Clock() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Allowed keeps the zones that may be read (all of them without AllowedZones).
func (s Settings) Allowed(zones []caracal.Zone) []caracal.Zone {
	if s.AllowedZones == nil {
		return zones
	}
	return slices.DeleteFunc(slices.Clone(zones), func(z caracal.Zone) bool { return !slices.Contains(s.AllowedZones, z.ID) })
}
