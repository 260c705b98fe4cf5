// Package faultlist is the bookkeeping of injected faults that the chat
// platform fakes share: faults apply in the order they were added, the
// first that matches a call answers it, After lets that many matching
// calls through first, and Times bounds how many calls it answers.
package faultlist

import "sync"

// Match is what selects the calls a fault answers.
type Match struct {
	Key     string // the API method or route
	Channel string // "" matches any channel
	// After lets this many matching calls through before the fault starts.
	After int
	// Times is how many calls the fault answers; 0 is every call until Clear.
	Times int
}

// List holds faults of type F. The zero value is empty and ready; it is
// safe for concurrent use.
type List[F any] struct {
	mu      sync.Mutex
	entries []*entry[F]
}

type entry[F any] struct {
	match Match
	fault F
}

// Add appends fault, answering the calls m selects.
func (l *List[F]) Add(m Match, fault F) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, &entry[F]{match: m, fault: fault})
}

// Clear removes every fault.
func (l *List[F]) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// Take returns the fault that answers a call of key in channel, if any,
// and counts the call against every fault it passed or used.
func (l *List[F]) Take(key, channel string) (F, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, e := range l.entries {
		m := &e.match
		if m.Key != key || (m.Channel != "" && m.Channel != channel) {
			continue
		}
		if m.After > 0 {
			m.After--
			continue
		}
		if m.Times > 0 {
			if m.Times--; m.Times == 0 {
				l.entries = append(l.entries[:i:i], l.entries[i+1:]...)
			}
		}
		return e.fault, true
	}
	var zero F
	return zero, false
}
