package scheduler

import (
	"cmp"
	"container/heap"
	"slices"
)

// archQueue holds the ready jobs of one architecture, in one queue per
// group: per repository in a fair run, all in the group "" otherwise.
// Empty groups are dropped, so that a fair pick looks only at the
// repositories with ready work.
type archQueue struct {
	groups map[string]*readyQueue
	n      int // jobs in every group
}

func (a *archQueue) push(group string, t *task) {
	q := a.groups[group]
	if q == nil {
		q = &readyQueue{}
		a.groups[group] = q
	}
	q.push(t)
	a.n++
}

func (a *archQueue) remove(group string, i int) *task {
	q := a.groups[group]
	t := q.remove(i)
	if q.Len() == 0 {
		delete(a.groups, group)
	}
	a.n--
	return t
}

// drain empties a and returns its jobs, in plan order.
func (a *archQueue) drain() []*task {
	var ts []*task
	for _, q := range a.groups {
		ts = append(ts, *q...)
	}
	clear(a.groups)
	a.n = 0
	slices.SortFunc(ts, func(t, u *task) int { return cmp.Compare(t.order, u.order) })
	return ts
}

// readyQueue holds jobs whose parents are done, the highest rank first
// (the longest chain of work behind it), then in plan order.
type readyQueue []*task

func (q readyQueue) Len() int           { return len(q) }
func (q readyQueue) Less(i, j int) bool { return before(q[i], q[j]) }

// before reports whether a should start before b.
func before(a, b *task) bool {
	if a.job.rank != b.job.rank {
		return a.job.rank > b.job.rank
	}
	return a.order < b.order
}
func (q readyQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)   { *q = append(*q, x.(*task)) }
func (q *readyQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	*q = old[:len(old)-1]
	return t
}

func (q *readyQueue) push(t *task)       { heap.Push(q, t) }
func (q *readyQueue) remove(i int) *task { return heap.Remove(q, i).(*task) }
func (q readyQueue) peek() *task         { return q[0] }
