package slack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShares(t *testing.T) {
	tests := []struct {
		name   string
		sizes  []int
		budget int
		want   []int
	}{
		{"everything fits", []int{100, 200, 300}, 1000, []int{100, 200, 300}},
		{"the small keep their size, the large split the rest", []int{9000, 500, 4000}, 6000, []int{2750, 500, 2750}},
		{"equal shares, the remainder to the last", []int{5000, 5000}, 3001, []int{1500, 1501}},
		{"nothing to share", []int{10, 20}, -5, []int{0, 0}},
		{"no parts", nil, 100, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, shares(tt.sizes, tt.budget))
		})
	}
}
