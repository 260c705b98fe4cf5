package config

import "fmt"

// ZonesForChannel returns the zones a chat channel may read. A channel
// listed in channels is bound: it reads its zone_id (first, its default)
// and its zones, and no other zone. Any other channel is not bound (nil,
// false): it reads every zone the bot's token sees and defaults to
// caracal.zone_id.
func (c *Config) ZonesForChannel(channel string) (zones []string, bound bool) {
	for _, ch := range c.Channels {
		if ch.Channel == channel {
			return ch.readable(), true
		}
	}
	return nil, false
}

// readable is the channel's zone_id followed by its zones.
func (ch Channel) readable() []string {
	return append([]string{ch.ZoneID}, ch.Zones...)
}

// checkChannelZones checks a channel's zones like its zone_id, and that
// none repeats another.
func checkChannelZones(add func(path, msg string), base string, ch Channel) {
	first := map[string]string{ch.ZoneID: base + ".zone_id"}
	for i, z := range ch.Zones {
		path := fmt.Sprintf("%s.zones[%d]", base, i)
		if msg := checkID(z); msg != "" {
			add(path, msg)
			continue
		}
		if at, dup := first[z]; dup {
			add(path, fmt.Sprintf("zone %q is already listed at %s", z, at))
			continue
		}
		first[z] = path
	}
}
