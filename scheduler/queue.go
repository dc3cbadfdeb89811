package scheduler

import "container/heap"

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
