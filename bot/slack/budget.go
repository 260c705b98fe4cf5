package slack

import "slices"

// shares divides budget between parts of the given sizes, fairly: the
// parts smaller than an equal share of what is left get their size, and
// the others split the rest equally. A part gets at most its size; shares
// sum to at most budget (none when it is negative).
func shares(sizes []int, budget int) []int {
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return sizes[a] - sizes[b] })
	out := make([]int, len(sizes))
	left := max(budget, 0)
	for k, i := range order {
		out[i] = min(sizes[i], left/(len(order)-k))
		left -= out[i]
	}
	return out
}
