package timeline

import (
	"slices"
	"time"
)

// interval is [start, end).
type interval struct{ start, end time.Time }

// union merges ivs into disjoint intervals, by start; empty ones go.
func union(ivs []interval) []interval {
	ivs = slices.DeleteFunc(slices.Clone(ivs), func(iv interval) bool { return !iv.end.After(iv.start) })
	slices.SortFunc(ivs, func(a, b interval) int { return a.start.Compare(b.start) })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.start.After(out[n-1].end) {
			out[n-1].end = maxTime(out[n-1].end, iv.end)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// subtract is what of ivs (disjoint, sorted) lies outside cut (the same).
func subtract(ivs, cut []interval) []interval {
	var out []interval
	for _, iv := range ivs {
		rest := []interval{iv}
		for _, c := range cut {
			var next []interval
			for _, r := range rest {
				if !c.end.After(r.start) || !r.end.After(c.start) {
					next = append(next, r)
					continue
				}
				if c.start.After(r.start) {
					next = append(next, interval{r.start, c.start})
				}
				if r.end.After(c.end) {
					next = append(next, interval{c.end, r.end})
				}
			}
			rest = next
		}
		out = append(out, rest...)
	}
	return out
}

// length is the total length of disjoint intervals.
func length(ivs []interval) time.Duration {
	var d time.Duration
	for _, iv := range ivs {
		d += iv.end.Sub(iv.start)
	}
	return d
}
