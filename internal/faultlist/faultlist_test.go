package faultlist_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/internal/faultlist"
)

func TestList(t *testing.T) {
	var l faultlist.List[string]
	_, ok := l.Take("post", "C1")
	assert.False(t, ok, "empty")

	l.Add(faultlist.Match{Key: "post", Channel: "C1", After: 1, Times: 2}, "archived")
	l.Add(faultlist.Match{Key: "post"}, "down")
	var got []string
	for range 5 {
		f, _ := l.Take("post", "C1")
		got = append(got, f)
	}
	assert.Equal(t, []string{"down", "archived", "archived", "down", "down"}, got,
		"the first call passes the C1 fault (After 1) and meets the next; the C1 fault answers twice, then is gone")

	f, ok := l.Take("post", "C2")
	assert.True(t, ok)
	assert.Equal(t, "down", f, "a fault without a channel matches any")
	_, ok = l.Take("update", "C1")
	assert.False(t, ok, "faults are per key")

	l.Clear()
	_, ok = l.Take("post", "C1")
	assert.False(t, ok)
}
